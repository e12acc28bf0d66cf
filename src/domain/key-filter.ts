/** Bits set per key: with ~16 bits per key a false positive rate of about 0.1 %. */
const BITS_PER_KEY = 8;
/** One block is a cache line: a lookup touches one line of memory, not eight. */
const BLOCK_BITS = 512;
const BLOCK_WORDS = BLOCK_BITS / 32;

/**
 * A fixed-size Bloom filter over 64-bit message keys, blocked by cache line. It answers
 * "never added" (certain) or "maybe added" (certain only for what was added, and for about
 * one key in a thousand that was not, at 2 million keys in 4 MiB). Memory is fixed: a
 * longer broadcast only makes "maybe" a little more frequent.
 */
export class KeyFilter {
  private readonly words: Int32Array;
  private readonly blockMask: number;

  constructor(bits: number) {
    if (!Number.isInteger(Math.log2(bits)) || bits < BLOCK_BITS) {
      throw new RangeError(`filter size must be a power of two ≥ ${BLOCK_BITS} bits`);
    }
    this.words = new Int32Array(bits / 32);
    this.blockMask = bits / BLOCK_BITS - 1;
  }

  get byteLength(): number {
    return this.words.byteLength;
  }

  /** Adds the key; true when every one of its bits was set already (it may be there). */
  add(hi: number, lo: number): boolean {
    const words = this.words;
    const base = (mix(lo, hi, 0x9747b28c) & this.blockMask) * BLOCK_WORDS;
    const h = mix(hi, lo, 0x5bd1e995);
    let bit = h & (BLOCK_BITS - 1);
    const step = ((h >>> 9) & (BLOCK_BITS - 1)) | 1;
    let present = true;
    for (let i = 0; i < BITS_PER_KEY; i++) {
      const w = base + (bit >>> 5);
      const mask = 1 << (bit & 31);
      if ((words[w]! & mask) === 0) {
        present = false;
        words[w] = words[w]! | mask;
      }
      bit = (bit + step) & (BLOCK_BITS - 1);
    }
    return present;
  }

  mayContain(hi: number, lo: number): boolean {
    const words = this.words;
    const base = (mix(lo, hi, 0x9747b28c) & this.blockMask) * BLOCK_WORDS;
    const h = mix(hi, lo, 0x5bd1e995);
    let bit = h & (BLOCK_BITS - 1);
    const step = ((h >>> 9) & (BLOCK_BITS - 1)) | 1;
    for (let i = 0; i < BITS_PER_KEY; i++) {
      if ((words[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
      bit = (bit + step) & (BLOCK_BITS - 1);
    }
    return true;
  }
}

function mix(a: number, b: number, seed: number): number {
  let h = seed ^ Math.imul(a, 0xcc9e2d51);
  h = Math.imul(h ^ (h >>> 15), 0x1b873593) ^ b;
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
