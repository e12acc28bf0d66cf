import type { StatsValues } from '../../src/shared/api-types.js';

export type StatName = keyof StatsValues;

/** What each counter is called on the pages. */
export const STAT_LABELS: Record<StatName, string> = {
  viewers: 'Viewers',
  likes: 'Likes',
  totalCoins: 'Coins',
  followers: 'New followers',
  shares: 'Shares',
  gifts: 'Gifts',
};
