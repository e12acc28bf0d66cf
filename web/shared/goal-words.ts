import type { GoalView } from '../../src/shared/api-types.js';
import { formatCount } from './format.js';
import { t, type MessageKey } from './i18n.js';
import { statLabel } from './stat-labels.js';

const DEFAULT_LABEL: Record<GoalView['metric'], MessageKey> = {
  likes: 'goal.default.likes',
  totalCoins: 'goal.default.totalCoins',
  followers: 'goal.default.followers',
  shares: 'goal.default.shares',
  gifts: 'goal.default.gifts',
};

/** The goal's own label, or "Like goal", "Coin goal"… in the page's language. */
export function goalLabel(goal: Pick<GoalView, 'label' | 'metric'>): string {
  return goal.label || t(DEFAULT_LABEL[goal.metric]);
}

/** What the goal counts and what happens once it is reached, in words. */
export function goalRule(goal: Pick<GoalView, 'metric' | 'target' | 'onReach' | 'step'>): string {
  const target = formatCount(goal.target);
  const rule =
    goal.onReach === 'add'
      ? t('goals.rule.add', { target, step: formatCount(goal.step ?? 1) })
      : goal.onReach === 'double'
        ? t('goals.rule.double', { target })
        : t('goals.rule.stay', { target });
  return `${statLabel(goal.metric)} · ${rule}`;
}
