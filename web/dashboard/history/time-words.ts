// Times as the streamer reads them: this browser's language and time zone (the machine's
// local time), never UTC. The API is asked for the same zone, so buckets and labels agree.

const when = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const day = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const dayShort = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const compact = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: 'numeric',
  minute: '2-digit',
});

/** "Sat, Mar 28, 2026, 11:30 PM" (in the streamer's language). */
export function formatWhen(ms: number): string {
  return when.format(ms);
}

/** "Fri, Nov 27, 7:30 PM": the year only when it is not this one. */
export function formatWhenCompact(ms: number): string {
  return new Date(ms).getFullYear() === new Date().getFullYear()
    ? compact.format(ms)
    : when.format(ms);
}

export function formatDay(ms: number): string {
  return day.format(ms);
}

export function formatDayShort(ms: number): string {
  return dayShort.format(ms);
}

export function formatClock(ms: number): string {
  return clock.format(ms);
}

/** The zone this browser shows times in, for the API's `tz`. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** YYYY-MM-DD of a local date. */
export function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Local midnight of a YYYY-MM-DD (a bucket's start), for charts. */
export function localMidnight(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).getTime();
}

/** The Monday of the week of `date`, `weeksBack` weeks earlier. */
export function mondayOf(date: Date, weeksBack = 0): Date {
  const monday = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7) - 7 * weeksBack);
  return monday;
}

/** The 1st of the month of `date`, `monthsBack` months earlier. */
export function firstOfMonth(date: Date, monthsBack = 0): Date {
  return new Date(date.getFullYear(), date.getMonth() - monthsBack, 1);
}

export function daysBefore(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() - days);
}
