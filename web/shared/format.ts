// Latin digits whatever the locale: a counter's text must stay a number any tool can read,
// while the thousands separator follows the streamer's language.
const counts = new Intl.NumberFormat(undefined, {
  maximumFractionDigits: 0,
  numberingSystem: 'latn',
});

export function formatCount(value: number): string {
  return counts.format(value);
}

/** 1:02:03, 4:05 — or "2 d 3:04:05" for the rare broadcast longer than a day. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const seconds = total % 60;
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600) % 24;
  const days = Math.floor(total / 86_400);
  const ss = String(seconds).padStart(2, '0');
  if (days > 0) return `${days} d ${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

/** An ISO 8601 duration for `<time datetime>`, read by assistive technology. */
export function isoDuration(ms: number): string {
  return `PT${Math.max(0, Math.floor(ms / 1000))}S`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
