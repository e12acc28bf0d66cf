import type { StatsValues } from '../../src/shared/api-types.js';
import { t, type MessageKey } from './i18n.js';

export type StatName = keyof StatsValues;

const KEYS: Record<StatName, MessageKey> = {
  viewers: 'stat.viewers',
  likes: 'stat.likes',
  totalCoins: 'stat.totalCoins',
  followers: 'stat.followers',
  shares: 'stat.shares',
  gifts: 'stat.gifts',
};

/** What a counter is called on the pages, in the page's language. */
export function statLabel(name: StatName): string {
  return t(KEYS[name]);
}
