/** The six counters of the broadcast being watched (the `stream_stats` row). */
export interface StreamStats {
  viewers: number;
  likes: number;
  totalCoins: number;
  followers: number;
  shares: number;
  gifts: number;
}

export function zeroStats(): StreamStats {
  return { viewers: 0, likes: 0, totalCoins: 0, followers: 0, shares: 0, gifts: 0 };
}

/**
 * Counters never go below zero, never become fractional or NaN, and stop at the largest
 * integer a double holds exactly instead of silently losing precision.
 */
export function addCounter(current: number, delta: number): number {
  const sum = current + delta;
  if (sum > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  return sum < 0 ? 0 : sum;
}

/** Turns anything read from outside (an old file, a bad row) into a valid counter. */
export function sanitizeCounter(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(n) || n < 0) return 0;
  return Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER);
}

/**
 * Likes after a message that carries the room's like total. `base` is the highest room
 * total seen before the last reset during this broadcast (0 without a reset): likes follow
 * the growth of the room total since then, and never go backwards.
 */
export function likesFromRoomTotal(likes: number, roomTotal: number, base: number): number {
  const grown = roomTotal - base;
  return grown > likes ? grown : likes;
}
