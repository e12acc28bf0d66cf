import type { StreamUser } from './events.js';
import { IdTable } from './id-table.js';

/** The per-viewer columns, in the order they sit in `ViewerBatch.numbers`. */
export const VIEWER_FIELDS = [
  'coins',
  'gifts',
  'likes',
  'comments',
  'shares',
  'follows',
  'firstSeen',
  'lastSeen',
] as const;
export type ViewerField = (typeof VIEWER_FIELDS)[number];
const WIDTH = VIEWER_FIELDS.length;
const FIRST_SEEN = VIEWER_FIELDS.indexOf('firstSeen');
const LAST_SEEN = VIEWER_FIELDS.indexOf('lastSeen');

/**
 * What each viewer did since the last drain, column by column: `numbers` holds
 * `VIEWER_FIELDS.length` values per viewer. Flat arrays instead of an object per viewer,
 * because a replay touches tens of thousands of viewers per save, and a typed array
 * crosses to the save worker without being copied.
 */
export interface ViewerBatch {
  userIds: string[];
  handles: string[];
  nicknames: string[];
  numbers: Float64Array<ArrayBuffer>;
}

export interface ViewerDelta extends Record<ViewerField, number> {
  userId: string;
  handle: string;
  nickname: string;
}

/** One viewer of a batch as an object (for tests and small batches). */
export function viewerAt(batch: ViewerBatch, i: number): ViewerDelta {
  const delta = {
    userId: batch.userIds[i]!,
    handle: batch.handles[i]!,
    nickname: batch.nicknames[i]!,
  } as ViewerDelta;
  VIEWER_FIELDS.forEach((field, k) => (delta[field] = batch.numbers[i * WIDTH + k]!));
  return delta;
}

/** Accumulates per-viewer deltas between two saves. */
export class ViewerLedger {
  private readonly slots = new IdTable(4096);
  private userIds: string[] = [];
  private handles: string[] = [];
  private nicknames: string[] = [];
  private numbers: Float64Array<ArrayBuffer> = new Float64Array(1024 * WIDTH);

  get size(): number {
    return this.userIds.length;
  }

  /** The viewer's slot, created on first sight; also moves first/last seen. */
  touch(user: StreamUser, at: number): number {
    const slot = this.slots.getOrSet(user.id, this.userIds.length);
    if (slot === -1) return this.create(user, at);
    const base = slot * WIDTH;
    const n = this.numbers;
    if (at < n[base + FIRST_SEEN]!) n[base + FIRST_SEEN] = at;
    if (at > n[base + LAST_SEEN]!) {
      n[base + LAST_SEEN] = at;
      // The latest name wins (handles can change during a LIVE); empty ones are no news.
      if (user.handle) this.handles[slot] = user.handle;
      if (user.nickname) this.nicknames[slot] = user.nickname;
    }
    return slot;
  }

  /** Adds to a counter of the viewer in `slot` (from `touch`). */
  add(slot: number, field: 0 | 1 | 2 | 3 | 4, amount: number): void {
    const i = slot * WIDTH + field;
    const sum = this.numbers[i]! + amount;
    this.numbers[i] = sum > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : sum;
  }

  markFollowed(slot: number): void {
    this.numbers[slot * WIDTH + FOLLOWS] = 1;
  }

  drain(): ViewerBatch {
    const batch: ViewerBatch = {
      userIds: this.userIds,
      handles: this.handles,
      nicknames: this.nicknames,
      numbers: this.numbers.slice(0, this.userIds.length * WIDTH),
    };
    this.slots.clear();
    this.userIds = [];
    this.handles = [];
    this.nicknames = [];
    this.numbers.fill(0, 0, batch.numbers.length);
    return batch;
  }

  /** A new viewer; `slots` already maps its id to the next slot. */
  private create(user: StreamUser, at: number): number {
    const slot = this.userIds.length;
    this.userIds.push(user.id);
    this.handles.push(user.handle);
    this.nicknames.push(user.nickname);
    if ((slot + 1) * WIDTH > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    const base = slot * WIDTH;
    this.numbers[base + FIRST_SEEN] = at;
    this.numbers[base + LAST_SEEN] = at;
    return slot;
  }
}

const FOLLOWS = VIEWER_FIELDS.indexOf('follows');

/** Field positions for `ViewerLedger.add`. */
export const COINS = 0;
export const GIFTS = 1;
export const LIKES = 2;
export const COMMENTS = 3;
export const SHARES = 4;
