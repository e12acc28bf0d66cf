// Addresses of the History pages. The page's `?token=` (needed off loopback) travels along.

function base(): string {
  return `/history${window.location.search}`;
}

export function historyHref(): string {
  return `${base()}#/`;
}

export function broadcastHref(sessionId: number): string {
  return `${base()}#/broadcast/${sessionId}`;
}

export function viewerHref(userId: string): string {
  return `${base()}#/viewer/${encodeURIComponent(userId)}`;
}

export function dashboardHref(): string {
  return `/${window.location.search}`;
}

export function apiQuery(params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) query.set(key, String(value));
  }
  return query.toString();
}
