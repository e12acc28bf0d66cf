/**
 * Bounds that separate real TikTok values from corrupt or hostile input. Generous on
 * purpose: the largest TikTok gift costs under 50,000 coins, like batches are small, and
 * the biggest LIVEs have a few million viewers.
 */
export const LIMITS = {
  idLength: 64,
  handleLength: 64,
  nicknameLength: 256,
  giftNameLength: 128,
  chatLength: 2000,
  reasonLength: 128,
  maxDiamondsPerItem: 100_000,
  maxRepeatCount: 100_000,
  maxLikeBatch: 100_000,
  maxRoomLikes: 1e13,
  maxViewers: 50_000_000,
  /** 2000-01-01 .. 2100-01-01 in ms: anything else is not a TikTok timestamp. */
  minTime: 946_684_800_000,
  maxTime: 4_102_444_800_000,
} as const;
