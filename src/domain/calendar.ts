import { LivetallyError } from './errors.js';

/**
 * Calendar periods in a time zone, for history summaries and leaderboard windows. Pure:
 * the zone's rules come from the JavaScript runtime (Intl), the instants from the caller.
 * A day is whatever the zone says it is — 23 or 25 hours on a DST change — because every
 * boundary is found as "the first instant whose local date is D", never as 24 × 3600 s.
 */

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

/** A date without a time or zone. `month` 1–12. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Instants `[start, end)` of one calendar period, and the date it starts on. */
export interface PeriodRange {
  label: string;
  start: number;
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    formatters.set(zone, found);
  }
  return found;
}

/**
 * The zone's canonical IANA name, or undefined when the runtime does not know it.
 * Names are matched without regard to case (`europe/berlin` → `Europe/Berlin`).
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.trim() === '' || name.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The canonical name of a zone given by a person; a clear error otherwise. */
export function parseTimeZone(name: string): string {
  const zone = canonicalTimeZone(name);
  if (!zone) {
    throw new LivetallyError(
      'invalid_time_zone',
      `"${name.slice(0, 64)}" is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC`,
    );
  }
  return zone;
}

/** The local date of an instant in a zone. */
export function localDate(ms: number, zone: string): CalendarDate {
  const dateFormat = formatter(zone);
  // "3/29/2026": three times faster than formatToParts, which remains the fallback should a
  // runtime ever print en-US dates differently.
  const quick = /^(\d{1,2})\/(\d{1,2})\/(\d{1,6})$/.exec(dateFormat.format(ms));
  if (quick) return { year: Number(quick[3]), month: Number(quick[1]), day: Number(quick[2]) };
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of dateFormat.formatToParts(ms)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return { year, month, day };
}

export function formatDate(date: CalendarDate): string {
  const y = String(date.year).padStart(4, '0');
  return `${y}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** A strict `YYYY-MM-DD` that names a real day (no 2026-02-30), or undefined. */
export function parseDate(text: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1) return undefined;
  return date.day <= daysInMonth(date.year, date.month) ? date : undefined;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromUtc(Date.UTC(date.year, date.month - 1, date.day + days));
}

/** 0 = Monday … 6 = Sunday (weeks start on Monday). */
export function weekday(date: CalendarDate): number {
  return (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7;
}

/** The first day of the period that contains `date`. */
export function periodStart(date: CalendarDate, period: Period): CalendarDate {
  if (period === 'day') return date;
  if (period === 'week') return addDays(date, -weekday(date));
  return { year: date.year, month: date.month, day: 1 };
}

/** The first day of the period after the one that starts on `start`. */
export function nextPeriodStart(start: CalendarDate, period: Period): CalendarDate {
  if (period === 'day') return addDays(start, 1);
  if (period === 'week') return addDays(start, 7);
  return start.month === 12
    ? { year: start.year + 1, month: 1, day: 1 }
    : { year: start.year, month: start.month + 1, day: 1 };
}

/** The bucket an instant belongs to: the local date its period starts on. */
export function bucketLabel(ms: number, period: Period, zone: string): string {
  return formatDate(periodStart(localDate(ms, zone), period));
}

/**
 * The first instant of a local date in a zone: usually local midnight; on a day whose
 * midnight a DST change skips, the first instant that exists.
 */
export function startOfDay(date: CalendarDate, zone: string): number {
  const target = dateKey(date);
  const noonUtc = Date.UTC(date.year, date.month - 1, date.day, 12);
  // Offsets lie within ±14 h, so local midnight is within 26 h of the UTC noon.
  let lo = noonUtc - 26 * 3600_000;
  let hi = noonUtc + 14 * 3600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dateKey(localDate(mid, zone)) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The calendar period (day, week from Monday, month) in a zone that contains `ms`. */
export function periodContaining(ms: number, period: Period, zone: string): PeriodRange {
  const first = periodStart(localDate(ms, zone), period);
  return {
    label: formatDate(first),
    start: startOfDay(first, zone),
    end: startOfDay(nextPeriodStart(first, period), zone),
  };
}

/** Instants `[start, end)` from the start of `from` to the end of `to`, both inclusive. */
export function dateSpan(
  from: CalendarDate | undefined,
  to: CalendarDate | undefined,
  zone: string,
): { start: number; end: number } {
  return {
    start: from ? startOfDay(from, zone) : -Infinity,
    end: to ? startOfDay(addDays(to, 1), zone) : Infinity,
  };
}

function dateKey(date: CalendarDate): number {
  return date.year * 10_000 + date.month * 100 + date.day;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function fromUtc(ms: number): CalendarDate {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
