import { IdTable } from './id-table.js';

/** Ids remembered per broadcast. TikTok re-sends one batch of recent messages, far fewer. */
export const MESSAGE_WINDOW_CAPACITY = 20_000;

/**
 * The message ids counted recently, so that an event TikTok sends again (after a
 * reconnect, or to a restarted livetally while the broadcast goes on) is not counted twice.
 *
 * Bounded by count, not time: TikTok only re-sends its most recent messages, so the window
 * only has to reach back that far, and memory stays flat however long the LIVE runs.
 * Ids added since the last `drainNew()` are handed to storage so the window survives a
 * restart. The ring remembers numeric ids by their 32-bit halves, not as strings, so the
 * window keeps no strings alive for the garbage collector to carry.
 */
export class MessageWindow {
  private readonly ids: IdTable;
  /** Oldest first, wrapping: a non-numeric id as a string, a numeric one as halves. */
  private readonly ringText: (string | undefined)[];
  private readonly ringHi: Uint32Array;
  private readonly ringLo: Uint32Array;
  private readonly ringUsed: Uint8Array;
  private head = 0;
  private pending: string[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
    this.ringText = new Array<string | undefined>(capacity);
    this.ringHi = new Uint32Array(capacity);
    this.ringLo = new Uint32Array(capacity);
    this.ringUsed = new Uint8Array(capacity);
    this.ids = new IdTable(capacity + 1);
  }

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.get(id) !== undefined;
  }

  /** Records `id`; returns false when it was already there (a duplicate). */
  add(id: string): boolean {
    if (this.ids.getOrSet(id, 0) !== -1) return false; // one lookup tests and inserts
    this.evictAndRecord(id);
    // Unsaved ids beyond the window's reach would be evicted on reload anyway.
    if (this.pending.length >= 2 * this.capacity) this.pending = this.pending.slice(-this.capacity);
    this.pending.push(id);
    return true;
  }

  /** Restores ids read back from storage, oldest first; they are not "new". */
  load(ids: Iterable<string>): void {
    for (const id of ids) if (this.ids.getOrSet(id, 0) === -1) this.evictAndRecord(id);
  }

  /** The ids added since the previous call, oldest first. */
  drainNew(): string[] {
    const out = this.pending;
    this.pending = [];
    return out.length > this.capacity ? out.slice(-this.capacity) : out;
  }

  /** `id` was just added to the table; drop the oldest id if the window is full. */
  private evictAndRecord(id: string): void {
    const h = this.head;
    if (this.ringUsed[h]) {
      const text = this.ringText[h];
      if (text !== undefined) this.ids.delete(text);
      else this.ids.deleteHalves(this.ringHi[h]!, this.ringLo[h]!);
    }
    const { ids } = this;
    if (ids.lastNumeric) {
      this.ringHi[h] = ids.lastHi;
      this.ringLo[h] = ids.lastLo;
      this.ringText[h] = undefined;
    } else {
      this.ringText[h] = id;
    }
    this.ringUsed[h] = 1;
    this.head = h + 1 === this.capacity ? 0 : h + 1;
  }
}
