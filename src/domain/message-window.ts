import { IdTable } from './id-table.js';

/** Ids kept exactly, beyond those not yet saved. TikTok re-sends one batch of recent messages, far fewer. */
export const MESSAGE_WINDOW_CAPACITY = 20_000;

/** New keys handed to storage, and the mark to report back once they are committed. */
export interface NewKeys {
  /** [hi, lo] pairs, oldest first. */
  keys: Uint32Array<ArrayBuffer>;
  mark: number;
}

/**
 * The message keys of a broadcast kept exactly in memory: every key not yet committed to
 * the profile file, whatever the save interval and the message rate, plus at least the
 * `capacity` most recent ones, so that TikTok's re-sends after a reconnect are recognised
 * without asking storage. Older committed keys are forgotten, so memory stays flat while
 * saves succeed; it only grows while saves are not being committed.
 */
export class MessageWindow {
  private readonly table: IdTable;
  /** A ring of keys in arrival order; positions are absolute (they only grow). */
  private ringHi: Uint32Array;
  private ringLo: Uint32Array;
  /** 1 when storage does not have the key yet. */
  private ringSave: Uint8Array;
  private mask: number;
  private head = 0;
  private tail = 0;
  private drained = 0;
  private committedTo = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
    let slots = 16;
    while (slots < capacity + 1) slots *= 2;
    this.mask = slots - 1;
    this.ringHi = new Uint32Array(slots);
    this.ringLo = new Uint32Array(slots);
    this.ringSave = new Uint8Array(slots);
    this.table = new IdTable(capacity + 1);
  }

  get size(): number {
    return this.tail - this.head;
  }

  get byteLength(): number {
    return (this.mask + 1) * 9 + this.table.byteLength;
  }

  has(hi: number, lo: number): boolean {
    return this.table.hasHalves(hi, lo);
  }

  /**
   * Records a key that is not in the window; `save` when storage does not have it yet.
   * Returns true when committed keys had to be forgotten to make room.
   */
  add(hi: number, lo: number, save: boolean): boolean {
    let forgot = false;
    while (this.tail - this.head >= this.capacity && this.head < this.committedTo) {
      const h = this.head & this.mask;
      this.table.deleteHalves(this.ringHi[h]!, this.ringLo[h]!);
      this.head++;
      forgot = true;
    }
    if (this.tail - this.head > this.mask) this.grow();
    this.table.addHalves(hi, lo, 0);
    const t = this.tail & this.mask;
    this.ringHi[t] = hi;
    this.ringLo[t] = lo;
    this.ringSave[t] = save ? 1 : 0;
    this.tail++;
    return forgot;
  }

  /** The keys storage does not have, added since the previous call. */
  drainNew(): NewKeys {
    let n = 0;
    for (let i = this.drained; i < this.tail; i++) n += this.ringSave[i & this.mask]!;
    const keys = new Uint32Array(2 * n);
    let k = 0;
    for (let i = this.drained; i < this.tail; i++) {
      const slot = i & this.mask;
      if (this.ringSave[slot] === 0) continue;
      keys[k++] = this.ringHi[slot]!;
      keys[k++] = this.ringLo[slot]!;
    }
    this.drained = this.tail;
    return { keys, mark: this.tail };
  }

  /** Storage committed the keys of the drain that returned `mark`: they may be forgotten. */
  committed(mark: number): void {
    if (mark > this.committedTo) this.committedTo = Math.min(mark, this.drained);
  }

  /** More keys await saving than the ring holds (saves are failing): make it larger. */
  private grow(): void {
    const slots = (this.mask + 1) * 2;
    const hi = new Uint32Array(slots);
    const lo = new Uint32Array(slots);
    const save = new Uint8Array(slots);
    const mask = slots - 1;
    for (let i = this.head; i < this.tail; i++) {
      hi[i & mask] = this.ringHi[i & this.mask]!;
      lo[i & mask] = this.ringLo[i & this.mask]!;
      save[i & mask] = this.ringSave[i & this.mask]!;
    }
    this.ringHi = hi;
    this.ringLo = lo;
    this.ringSave = save;
    this.mask = mask;
  }
}
