// Reading rows back: the same defensive readers as SQLite's (row-readers.ts).

export {
  parseStreak,
  rowStats,
  safeJson,
  sanitizeTime,
  toIso,
  toMs,
  toSession,
  toViewer,
} from '../row-readers.js';

// Writing ----------------------------------------------------------------------------------

/**
 * A number for a bigint column: PostgreSQL refuses a fraction or NaN where SQLite would
 * keep it (and its readers would floor it, or read 0), so the same is done on the way in.
 */
export function int(n: number): number {
  if (!Number.isFinite(n)) return 0;
  const whole = Math.floor(n);
  return whole > Number.MAX_SAFE_INTEGER
    ? Number.MAX_SAFE_INTEGER
    : whole < -Number.MAX_SAFE_INTEGER
      ? -Number.MAX_SAFE_INTEGER
      : whole;
}

/** PostgreSQL's text cannot hold U+0000 (SQLite's can): it is dropped on the way in. */
export function text(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}

export function texts(values: readonly string[]): string[] {
  return values.some((s) => s.includes('\0')) ? values.map(text) : (values as string[]);
}

/** A bigint[] literal of whole numbers, built in one go (faster than binding elements). */
export function bigintArray(values: ArrayLike<number>, from = 0, step = 1): string {
  const parts: string[] = [];
  for (let i = from; i < values.length; i += step) parts.push(String(int(values[i]!)));
  return `{${parts.join(',')}}`;
}
