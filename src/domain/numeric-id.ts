/**
 * TikTok ids (message ids, user ids) are decimal strings of up to 19 digits: 64-bit
 * numbers, too large for a double. Split into two 32-bit halves they can be kept in typed
 * arrays — no string hashing, no allocation, a few hundred kilobytes that stay in cache —
 * which is what makes de-duplication and per-viewer totals cheap at a million events.
 *
 * Only canonical decimals qualify (no sign, no leading zero, at most 19 digits), so every
 * qualifying string maps to exactly one pair and back; anything else is kept as a string.
 */

const TWO_32 = 4294967296;

/** Writes the halves of `id` into `out` ([hi, lo]); returns false when `id` does not qualify. */
export function splitNumericId(id: string, out: Uint32Array): boolean {
  const length = id.length;
  if (length === 0 || length > 19) return false;
  let first = id.charCodeAt(0);
  if (first < 48 || first > 57 || (first === 48 && length > 1)) return false;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < length; i++) {
    first = id.charCodeAt(i) - 48;
    if (first < 0 || first > 9) return false;
    // (hi·2^32 + lo)·10 + digit, carried between halves; 19 digits never overflow 64 bits.
    const low = lo * 10 + first;
    const carry = Math.floor(low / TWO_32);
    lo = low - carry * TWO_32;
    hi = hi * 10 + carry;
  }
  out[0] = hi;
  out[1] = lo;
  return true;
}

/** Mixes the halves into a well-spread 32-bit hash (for open addressing). */
export function hashHalves(hi: number, lo: number): number {
  let h = Math.imul(lo ^ (hi * 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
