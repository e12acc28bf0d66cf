import { LivetallyError } from '../domain/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "1s", "1.5s", "30s", "2m" → milliseconds. A bare number means seconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const unit = UNITS[match?.[2] ?? 's'];
  const ms = match && unit !== undefined ? Math.round(Number(match[1]) * unit) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new LivetallyError(
      'invalid_duration',
      `${what} "${text}" is not a duration; use for example 500ms, 1s, 30s or 2m`,
    );
  }
  return ms;
}
