import { splitNumericId } from './numeric-id.js';

/**
 * The 64-bit key a message id is remembered by, in memory and in the profile file, as two
 * 32-bit halves [hi, lo]. A canonical decimal id (TikTok's, up to 19 digits) is its own
 * value, exactly. Any other id gets a 64-bit hash placed above 9999999999999999999 (the
 * largest 19-digit decimal, 0x8AC7230489E7FFFF), so a hashed id never equals a decimal
 * one; two different non-decimal ids share a key with a chance of about 2^-63.
 *
 * Keys are stored in profile files: this function must never change.
 */
export function messageKey(id: string, out: Uint32Array): void {
  if (splitNumericId(id, out)) return;
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = finalMix(a ^ Math.imul(b, 0x85ebca6b) ^ id.length);
  b = finalMix(b ^ Math.imul(a, 0xc2b2ae35));
  out[0] = HASHED_HI_FIRST + (a % HASHED_HI_SPAN);
  out[1] = b;
}

/** Upper halves at or above this one are never canonical decimals (see above). */
const HASHED_HI_FIRST = 0x8ac72305;
const HASHED_HI_SPAN = 0x1_0000_0000 - HASHED_HI_FIRST;

/** MurmurHash3's finaliser: every input bit affects every output bit. */
function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
