import { LivetallyError } from './errors.js';
import type { StreamStats } from './stats.js';

/**
 * Goals: a target on one counter of the current stats, shown by an overlay as a bar and
 * "current / next". Pure rules, no I/O: what `next` and `reached` are for a value.
 */

export const GOAL_METRICS = ['likes', 'totalCoins', 'followers', 'shares', 'gifts'] as const;
export type GoalMetric = (typeof GOAL_METRICS)[number];

/** What happens once the counter reaches the target. */
export const GOAL_ON_REACH = ['stay', 'add', 'double'] as const;
export type GoalOnReach = (typeof GOAL_ON_REACH)[number];

/** A goal as the streamer defined it (what is kept in the profile's file). */
export interface GoalDefinition {
  id: string;
  metric: GoalMetric;
  label: string;
  target: number;
  onReach: GoalOnReach;
  /** The increment of `add`; null when none was given (only `add` needs one). */
  step: number | null;
}

/** A goal with where its counter stands now. */
export interface GoalStatus extends GoalDefinition {
  current: number;
  next: number;
  reached: boolean;
}

/** Fields a goal is created or edited with; all checked by `checkGoal`. */
export type GoalFields = Omit<GoalDefinition, 'id'>;

/** Targets and steps above this make no sense for a LIVE and would lose precision when doubled. */
export const GOAL_VALUE_MAX = 1_000_000_000_000;
export const GOAL_LABEL_MAX = 80;

/**
 * What the overlay shows as the target:
 * - `stay`: always `target`;
 * - `add`: the smallest `target + k·step` (k ≥ 0) above `current`;
 * - `double`: the smallest `target·2^k` (k ≥ 0) above `current`.
 * Counted exactly (BigInt); a counter already at the largest exact integer (where counters
 * stop) leaves `next` there too rather than at a number that cannot be told apart from it.
 */
export function goalNext(
  goal: Pick<GoalDefinition, 'target' | 'onReach' | 'step'>,
  current: number,
): number {
  const { target, onReach } = goal;
  if (onReach === 'stay' || current < target) return target;
  const now = BigInt(current);
  let next: bigint;
  if (onReach === 'add') {
    const step = BigInt(goal.step ?? 1);
    const k = (now - BigInt(target)) / step + 1n; // current ≥ target here, so k ≥ 1
    next = BigInt(target) + k * step;
  } else {
    next = BigInt(target);
    while (next <= now) next *= 2n;
  }
  return next > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(next);
}

/** The goal against the current stats. */
export function goalStatus(goal: GoalDefinition, stats: StreamStats): GoalStatus {
  const current = stats[goal.metric];
  return { ...goal, current, next: goalNext(goal, current), reached: current >= goal.target };
}

/**
 * Refuses what cannot be a goal, with a message a streamer can act on (code
 * `invalid_goal`). The label is trimmed; nothing else is changed.
 */
export function checkGoal(fields: GoalFields): GoalFields {
  const fail = (message: string): never => {
    throw new LivetallyError('invalid_goal', message);
  };
  if (!GOAL_METRICS.includes(fields.metric)) {
    fail(`a goal counts one of ${GOAL_METRICS.join(', ')}, not "${String(fields.metric)}"`);
  }
  if (!GOAL_ON_REACH.includes(fields.onReach)) {
    fail(`onReach is one of ${GOAL_ON_REACH.join(', ')}, not "${String(fields.onReach)}"`);
  }
  if (!isWhole(fields.target) || fields.target < 1 || fields.target > GOAL_VALUE_MAX) {
    fail(`the target is a whole number from 1 to ${GOAL_VALUE_MAX}`);
  }
  if (fields.step !== null) {
    if (!isWhole(fields.step) || fields.step < 1 || fields.step > GOAL_VALUE_MAX) {
      fail(`the step is a whole number from 1 to ${GOAL_VALUE_MAX}`);
    }
  } else if (fields.onReach === 'add') {
    fail('a goal that adds to its target when reached needs a step of at least 1');
  }
  const label = typeof fields.label === 'string' ? fields.label.trim() : '';
  if ([...label].length > GOAL_LABEL_MAX) {
    fail(`the label is at most ${GOAL_LABEL_MAX} characters`);
  }
  return { ...fields, label };
}

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}
