import { formatCompact, formatCount } from './format.js';

/**
 * A number as a counter shows it, and the width to keep for it (in `ch`, the width of a
 * digit with tabular figures): whole groups of three digits, so that a counter going from
 * 1,234 to 12,345 keeps its width, and only grows at 999,999 → 1,000,000.
 */
export function counterText(value: number, compact: boolean): { text: string; reserveCh: number } {
  const text = compact ? formatCompact(value) : formatCount(value);
  const digits = String(Math.max(0, Math.trunc(value))).length;
  const groups = Math.ceil(digits / 3);
  // Separators are narrower than a digit; 0.5ch each is a little more than any of them.
  // A quarter of a digit to spare, so that rounding never makes the text wider than that.
  const reserveCh = compact ? Math.max(5, text.length) : groups * 3 + (groups - 1) * 0.5 + 0.25;
  return { text, reserveCh };
}
