import { currentLocale } from './i18n.js';

// Latin digits whatever the locale: a counter's text must stay a number any tool can read,
// while the thousands separator follows the page's language.
let counts: { locale: string; full: Intl.NumberFormat; compact: Intl.NumberFormat } | undefined;

function formats() {
  const locale = currentLocale();
  if (counts?.locale !== locale) {
    counts = {
      locale,
      full: new Intl.NumberFormat(locale, { maximumFractionDigits: 0, numberingSystem: 'latn' }),
      compact: new Intl.NumberFormat(locale, {
        notation: 'compact',
        maximumFractionDigits: 1,
        numberingSystem: 'latn',
      }),
    };
  }
  return counts;
}

export function formatCount(value: number): string {
  return formats().full.format(value);
}

/** Below this a number is short enough in full; from here on 12.3K, 1.2M, 1,2 Mio. */
export const COMPACT_FROM = 10_000;

/** The short form for overlays (`compact=1`): 9,999 · 12.3K · 1.2M (en), 1,2 Mio. (de). */
export function formatCompact(value: number): string {
  return value < COMPACT_FROM ? formatCount(value) : formats().compact.format(value);
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
  const number = (value: number, digits: number) =>
    new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: digits }).format(value);
  if (bytes < 1024) return `${number(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${number(Math.round(bytes / 1024), 0)} KB`;
  return `${number(bytes / 1024 / 1024, 1)} MB`;
}

/** A clock time of today's activity, e.g. 21:04:05 (de) or 09:04:05 PM (en-US). */
export function formatTime(at: number): string {
  return new Intl.DateTimeFormat(currentLocale(), {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(new Date(at));
}

/** A date and time, e.g. "3 Jun 2025, 21:04" in the page's language. */
export function formatDateTime(at: number | Date): string {
  return new Intl.DateTimeFormat(currentLocale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(at);
}
