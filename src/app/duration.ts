import { LivetallyError } from '../domain/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** How often saves may happen: often enough to lose little, never a busy loop or a day. */
export const SAVE_INTERVAL_RANGE = { minMs: 100, maxMs: 3_600_000, text: '100ms to 1h' } as const;

/** "500ms", "1s", "1.5s", "30s", "2m" → milliseconds. A bare number means seconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const ms = durationMs(text);
  if (ms === undefined || ms <= 0) throw notADuration(text, what);
  return ms;
}

/** A save interval: a duration from 100 ms to 1 h (Node's timers cannot wait much longer). */
export function parseSaveInterval(text: string, what = '--save-interval'): number {
  const ms = durationMs(text);
  if (ms === undefined) throw notADuration(text, what);
  if (ms < SAVE_INTERVAL_RANGE.minMs || ms > SAVE_INTERVAL_RANGE.maxMs) {
    throw new LivetallyError(
      'invalid_duration',
      `${what} "${text}" is out of range: use ${SAVE_INTERVAL_RANGE.text}, for example 1s or 30s`,
    );
  }
  return ms;
}

function durationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const unit = UNITS[match?.[2] ?? 's'];
  if (!match || unit === undefined) return undefined;
  const ms = Math.round(Number(match[1]) * unit);
  return Number.isFinite(ms) ? ms : undefined;
}

function notADuration(text: string, what: string): LivetallyError {
  return new LivetallyError(
    'invalid_duration',
    `${what} "${text}" is not a duration; use for example 500ms, 1s, 30s or 2m`,
  );
}
