import { describe, expect, it } from 'vitest';
import {
  checkGoal,
  goalNext,
  goalStatus,
  GOAL_VALUE_MAX,
  type GoalFields,
  type GoalOnReach,
} from '../../src/domain/goals.js';
import { zeroStats } from '../../src/domain/stats.js';

const MAX = Number.MAX_SAFE_INTEGER;

interface Row {
  onReach: GoalOnReach;
  target: number;
  step: number | null;
  current: number;
  next: number;
}

// DESIGN.md "Goals": `stay` keeps the target; `add` is the smallest target + k·step (k ≥ 0)
// above current; `double` the smallest target·2^k above current.
const TABLE: Row[] = [
  // stay
  { onReach: 'stay', target: 100, step: null, current: 0, next: 100 },
  { onReach: 'stay', target: 100, step: null, current: 99, next: 100 },
  { onReach: 'stay', target: 100, step: null, current: 100, next: 100 },
  { onReach: 'stay', target: 100, step: 50, current: 5_000, next: 100 },
  // add
  { onReach: 'add', target: 100, step: 50, current: 0, next: 100 },
  { onReach: 'add', target: 100, step: 50, current: 99, next: 100 },
  { onReach: 'add', target: 100, step: 50, current: 100, next: 150 },
  { onReach: 'add', target: 100, step: 50, current: 149, next: 150 },
  { onReach: 'add', target: 100, step: 50, current: 150, next: 200 },
  { onReach: 'add', target: 100, step: 50, current: 1_234, next: 1_250 },
  { onReach: 'add', target: 1, step: 1, current: 0, next: 1 },
  { onReach: 'add', target: 1, step: 1, current: 1, next: 2 },
  { onReach: 'add', target: 1, step: 1, current: 41, next: 42 },
  { onReach: 'add', target: 10, step: 1, current: 10, next: 11 },
  { onReach: 'add', target: 7, step: 3, current: 7, next: 10 },
  { onReach: 'add', target: 7, step: 3, current: 9, next: 10 },
  { onReach: 'add', target: 7, step: 3, current: 10, next: 13 },
  // double
  { onReach: 'double', target: 100, step: null, current: 0, next: 100 },
  { onReach: 'double', target: 100, step: null, current: 99, next: 100 },
  { onReach: 'double', target: 100, step: null, current: 100, next: 200 },
  { onReach: 'double', target: 100, step: null, current: 199, next: 200 },
  { onReach: 'double', target: 100, step: null, current: 200, next: 400 },
  { onReach: 'double', target: 100, step: null, current: 1_000, next: 1_600 },
  { onReach: 'double', target: 1, step: null, current: 1, next: 2 },
  { onReach: 'double', target: 1, step: null, current: 1_000_000, next: 1_048_576 },
  { onReach: 'double', target: 3, step: 7, current: 48, next: 96 },
  // huge values: exact beyond what doubles add without care
  {
    onReach: 'add',
    target: GOAL_VALUE_MAX,
    step: GOAL_VALUE_MAX,
    current: 9_000_000_000_000_000,
    next: 9_001_000_000_000_000,
  },
  {
    onReach: 'add',
    target: 1,
    step: 1,
    current: 9_007_199_254_740_990,
    next: 9_007_199_254_740_991,
  },
  {
    onReach: 'add',
    target: 3,
    step: 1_000,
    current: 8_000_000_000_000_001,
    next: 8_000_000_000_000_003,
  },
  {
    onReach: 'double',
    target: GOAL_VALUE_MAX,
    step: null,
    current: 4_000_000_000_000_000,
    next: 4_096_000_000_000_000,
  },
  { onReach: 'double', target: 1, step: null, current: 2 ** 51, next: 2 ** 52 },
  // beyond the largest exact integer, where counters stop, `next` stops too
  { onReach: 'double', target: 1, step: null, current: 2 ** 52, next: MAX },
  { onReach: 'add', target: 1, step: 1, current: MAX, next: MAX },
  { onReach: 'add', target: 5, step: 10, current: MAX, next: MAX },
  { onReach: 'double', target: 1, step: null, current: MAX, next: MAX },
  { onReach: 'stay', target: GOAL_VALUE_MAX, step: null, current: MAX, next: GOAL_VALUE_MAX },
];

describe('goal rule: next and reached', () => {
  it.each(TABLE)(
    '$onReach target $target step $step at $current → next $next',
    ({ onReach, target, step, current, next }) => {
      expect(goalNext({ target, onReach, step }, current)).toBe(next);
      const status = goalStatus(
        { id: 'g', metric: 'likes', label: '', target, onReach, step },
        { ...zeroStats(), likes: current },
      );
      expect(status).toMatchObject({ current, next, reached: current >= target });
    },
  );

  it('next is above current (or the target while not reached) for every rule, exhaustively for small values', () => {
    for (const onReach of ['add', 'double'] as const) {
      for (let target = 1; target <= 12; target++) {
        for (let step = 1; step <= 5; step++) {
          for (let current = 0; current <= 200; current++) {
            const next = goalNext({ target, onReach, step }, current);
            expect(next).toBeGreaterThan(current < target ? current - 1 : current);
            if (current < target) expect(next).toBe(target);
            if (onReach === 'add') {
              expect((next - target) % step).toBe(0);
              expect(next - step <= current || next === target).toBe(true); // smallest
            } else {
              expect(Number.isInteger(Math.log2(next / target))).toBe(true);
              expect(next / 2 <= current || next === target).toBe(true); // smallest
            }
          }
        }
      }
    }
  });

  it('follows the metric it names, not the others', () => {
    const stats = { ...zeroStats(), likes: 10, totalCoins: 500, followers: 3, shares: 2, gifts: 9 };
    const base = { id: 'g', label: '', target: 100, onReach: 'stay' as const, step: null };
    expect(goalStatus({ ...base, metric: 'totalCoins' }, stats)).toMatchObject({
      current: 500,
      reached: true,
    });
    expect(goalStatus({ ...base, metric: 'followers' }, stats)).toMatchObject({
      current: 3,
      reached: false,
    });
  });
});

describe('goal validation', () => {
  const valid: GoalFields = {
    metric: 'likes',
    label: ' Likes! ',
    target: 100,
    onReach: 'stay',
    step: null,
  };

  it('accepts a goal and trims its label', () => {
    expect(checkGoal(valid)).toEqual({ ...valid, label: 'Likes!' });
    expect(checkGoal({ ...valid, onReach: 'add', step: 1 }).step).toBe(1);
    expect(checkGoal({ ...valid, target: GOAL_VALUE_MAX }).target).toBe(GOAL_VALUE_MAX);
  });

  it.each([
    ['target 0', { target: 0 }],
    ['a negative target', { target: -5 }],
    ['a fractional target', { target: 1.5 }],
    ['a huge target', { target: GOAL_VALUE_MAX + 1 }],
    ['NaN', { target: Number.NaN }],
    ['add without a step', { onReach: 'add', step: null }],
    ['add with step 0', { onReach: 'add', step: 0 }],
    ['a fractional step', { onReach: 'double', step: 0.5 }],
    ['an unknown metric', { metric: 'viewers' }],
    ['an unknown onReach', { onReach: 'triple' }],
    ['a label too long', { label: 'x'.repeat(81) }],
  ])('refuses %s with invalid_goal', (_name, change) => {
    expect(() => checkGoal({ ...valid, ...change } as GoalFields)).toThrow(
      expect.objectContaining({ code: 'invalid_goal' }),
    );
  });
});
