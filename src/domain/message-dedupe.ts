import { KeyFilter } from './key-filter.js';
import { messageKey } from './message-key.js';
import { MESSAGE_WINDOW_CAPACITY, MessageWindow, type NewKeys } from './message-window.js';

export interface DedupeOptions {
  /** Recent message ids kept exactly, beyond those not yet saved. */
  windowCapacity: number;
  /** Size of the filter over every id of the broadcast (a power of two, ≥ 512). */
  filterBits: number;
}

export const DEFAULT_DEDUPE_OPTIONS: DedupeOptions = {
  windowCapacity: MESSAGE_WINDOW_CAPACITY,
  filterBits: 2 ** 25, // 4 MiB: ~0.1 % of new ids need a look-up at 2 million ids
};

/**
 * `new`: never counted, it is now recorded; `duplicate`: counted before; `lookup`: only
 * storage can tell — nothing was changed, ask storage and call again with its answer.
 */
export type DedupeVerdict = 'new' | 'duplicate' | 'lookup';

/**
 * "Never counted twice", for a whole broadcast, in fixed memory and without asking storage
 * for nearly every message. Three parts:
 *
 * - an exact window of recent ids, which always holds every id not yet committed to the
 *   profile file (so storage, asked about anything else, knows the answer);
 * - a fixed-size Bloom filter over every id of the broadcast: an id it has never seen is
 *   new, with certainty and without asking anyone — the case of almost every message;
 * - for an id the filter may have seen but the window does not hold (a re-send from long
 *   ago, a broadcast counted again after a crash or a re-import, or a rare false positive),
 *   the verdict is `lookup`: the app layer asks storage, asynchronously, and calls again.
 *
 * While every id of the broadcast is still in the window, nothing needs a look-up at all.
 */
export class MessageDedupe {
  private readonly filter: KeyFilter;
  private readonly window: MessageWindow;
  private readonly key = new Uint32Array(2);
  /** True while the window holds every id of the broadcast. */
  private complete = true;

  constructor(options: DedupeOptions = DEFAULT_DEDUPE_OPTIONS) {
    this.filter = new KeyFilter(options.filterBits);
    this.window = new MessageWindow(options.windowCapacity);
  }

  get windowSize(): number {
    return this.window.size;
  }

  get memoryBytes(): number {
    return this.filter.byteLength + this.window.byteLength;
  }

  /** `stored`: storage's answer, when the previous call said `lookup`. */
  check(id: string, stored?: boolean): DedupeVerdict {
    const key = this.key;
    messageKey(id, key);
    const hi = key[0]!;
    const lo = key[1]!;
    if (!this.filter.add(hi, lo)) {
      this.record(hi, lo, true);
      return 'new';
    }
    if (this.window.has(hi, lo)) return 'duplicate';
    if (!this.complete) {
      if (stored === undefined) return 'lookup';
      this.record(hi, lo, !stored);
      return stored ? 'duplicate' : 'new';
    }
    this.record(hi, lo, true); // the filter was wrong: nothing outside the window exists
    return 'new';
  }

  /** Whether `check(id)` would answer `lookup` (changes nothing). */
  needsLookup(id: string): boolean {
    if (this.complete) return false;
    const key = this.key;
    messageKey(id, key);
    return this.filter.mayContain(key[0]!, key[1]!) && !this.window.has(key[0]!, key[1]!);
  }

  /** A key the profile file holds for this broadcast (when a broadcast is resumed). */
  rememberStored(hi: number, lo: number): void {
    this.filter.add(hi, lo);
    this.complete = false;
  }

  /** An id counted before, that storage does not hold as a key yet (an older file's list). */
  rememberUnsaved(id: string): void {
    const key = this.key;
    messageKey(id, key);
    if (this.window.has(key[0]!, key[1]!)) return;
    this.filter.add(key[0]!, key[1]!);
    this.record(key[0]!, key[1]!, true);
  }

  /** The keys storage must save; report `committed(mark)` once they are. */
  drainNew(): NewKeys {
    return this.window.drainNew();
  }

  committed(mark: number): void {
    this.window.committed(mark);
  }

  private record(hi: number, lo: number, save: boolean): void {
    if (this.window.add(hi, lo, save)) this.complete = false;
  }
}
