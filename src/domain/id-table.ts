import { hashHalves, splitNumericId } from './numeric-id.js';

const EMPTY = 0;

/**
 * A hash table from ids to small non-negative integers. Canonical numeric ids (TikTok's)
 * live in flat typed arrays with linear probing; any other string in a Map beside them.
 * Supports removal (for sliding windows) by backward-shift deletion, so no tombstones
 * build up however long it runs.
 */
export class IdTable {
  private mask: number;
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** value + 1, so that 0 marks an empty slot. */
  private values: Int32Array;
  private readonly others = new Map<string, number>();
  private readonly halves = new Uint32Array(2);
  private numericCount = 0;
  /** Whether the id of the last `getOrSet` was numeric; its halves are then `lastHi`/`lastLo`. */
  lastNumeric = false;
  lastHi = 0;
  lastLo = 0;

  /** `expected`: how many ids it will usually hold; it grows past that when needed. */
  constructor(expected: number) {
    let slots = 16;
    while (slots < expected * 2) slots *= 2;
    this.mask = slots - 1;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.values = new Int32Array(slots);
  }

  get size(): number {
    return this.numericCount + this.others.size;
  }

  /** Memory of the numeric part (the part that holds TikTok's ids). */
  get byteLength(): number {
    return (this.mask + 1) * 12;
  }

  get(id: string): number | undefined {
    const halves = this.halves;
    if (!splitNumericId(id, halves)) return this.others.get(id);
    const slot = this.find(halves[0]!, halves[1]!);
    return slot < 0 ? undefined : this.values[slot]! - 1;
  }

  /** Returns the value already stored for `id`, or stores `value` and returns -1. */
  getOrSet(id: string, value: number): number {
    const halves = this.halves;
    this.lastNumeric = splitNumericId(id, halves);
    if (!this.lastNumeric) {
      const existing = this.others.get(id);
      if (existing !== undefined) return existing;
      this.others.set(id, value);
      return -1;
    }
    const hi = halves[0]!;
    const lo = halves[1]!;
    this.lastHi = hi;
    this.lastLo = lo;
    let slot = hashHalves(hi, lo) & this.mask;
    for (;;) {
      const stored = this.values[slot]!;
      if (stored === EMPTY) break;
      if (this.lo[slot] === lo && this.hi[slot] === hi) return stored - 1;
      slot = (slot + 1) & this.mask;
    }
    if (this.numericCount * 2 >= this.mask) {
      this.grow();
      return this.getOrSet(id, value);
    }
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    this.values[slot] = value + 1;
    this.numericCount++;
    return -1;
  }

  /** Whether the numeric id with these halves is in the table. */
  hasHalves(hi: number, lo: number): boolean {
    return this.find(hi, lo) >= 0;
  }

  /** Stores a numeric id by its halves; false when it was there already. */
  addHalves(hi: number, lo: number, value: number): boolean {
    let slot = hashHalves(hi, lo) & this.mask;
    for (;;) {
      if (this.values[slot] === EMPTY) break;
      if (this.lo[slot] === lo && this.hi[slot] === hi) return false;
      slot = (slot + 1) & this.mask;
    }
    if (this.numericCount * 2 >= this.mask) {
      this.grow();
      return this.addHalves(hi, lo, value);
    }
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    this.values[slot] = value + 1;
    this.numericCount++;
    return true;
  }

  delete(id: string): boolean {
    const halves = this.halves;
    if (!splitNumericId(id, halves)) return this.others.delete(id);
    return this.deleteHalves(halves[0]!, halves[1]!);
  }

  /** Deletes a numeric id by its halves (as `lastHi`/`lastLo` gave them). */
  deleteHalves(hi: number, lo: number): boolean {
    let slot = this.find(hi, lo);
    if (slot < 0) return false;
    // Backward-shift deletion: pull later entries of the probe run into the gap.
    const mask = this.mask;
    let next = (slot + 1) & mask;
    while (this.values[next] !== EMPTY) {
      const home = hashHalves(this.hi[next]!, this.lo[next]!) & mask;
      // Move `next` into `slot` when its home does not lie cyclically in (slot, next].
      const distanceToSlot = (slot - home) & mask;
      const distanceToNext = (next - home) & mask;
      if (distanceToSlot <= distanceToNext) {
        this.hi[slot] = this.hi[next]!;
        this.lo[slot] = this.lo[next]!;
        this.values[slot] = this.values[next]!;
        slot = next;
      }
      next = (next + 1) & mask;
    }
    this.values[slot] = EMPTY;
    this.numericCount--;
    return true;
  }

  clear(): void {
    if (this.numericCount > 0) this.values.fill(EMPTY);
    this.numericCount = 0;
    this.others.clear();
  }

  /** Doubles the slots (kept at most half full, probe runs stay short). */
  private grow(): void {
    const { hi, lo, values } = this;
    const slots = (this.mask + 1) * 2;
    this.mask = slots - 1;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.values = new Int32Array(slots);
    for (let i = 0; i < values.length; i++) {
      if (values[i] === EMPTY) continue;
      let slot = hashHalves(hi[i]!, lo[i]!) & this.mask;
      while (this.values[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.hi[slot] = hi[i]!;
      this.lo[slot] = lo[i]!;
      this.values[slot] = values[i]!;
    }
  }

  private find(hi: number, lo: number): number {
    let slot = hashHalves(hi, lo) & this.mask;
    for (;;) {
      if (this.values[slot] === EMPTY) return -1;
      if (this.lo[slot] === lo && this.hi[slot] === hi) return slot;
      slot = (slot + 1) & this.mask;
    }
  }
}
