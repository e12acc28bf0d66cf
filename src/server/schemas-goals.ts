import { z } from 'zod';
import { GOAL_LABEL_MAX, GOAL_METRICS, GOAL_ON_REACH, GOAL_VALUE_MAX } from '../domain/goals.js';
import type { GoalsResponse, GoalView } from '../shared/api-types.js';

/** Schemas of the goal routes and the test alerts (validation and /api/openapi.json). */

const goalValue = z.number().int().min(1).max(GOAL_VALUE_MAX);

export const goalView = z
  .object({
    id: z.string(),
    metric: z.enum(GOAL_METRICS),
    label: z.string(),
    target: goalValue,
    onReach: z.enum(GOAL_ON_REACH),
    step: goalValue.nullable(),
    current: z.number().int().min(0),
    next: z.number().int().min(1),
    reached: z.boolean(),
  })
  .meta({ id: 'Goal' }) satisfies z.ZodType<GoalView>;

export const goalsResponse = z
  .object({ goals: z.array(goalView) })
  .meta({ id: 'Goals' }) satisfies z.ZodType<GoalsResponse>;

const goalFields = {
  metric: z.enum(GOAL_METRICS).describe('the counter of the current stats the goal follows'),
  target: goalValue.describe('the first target'),
  label: z
    .string()
    .max(GOAL_LABEL_MAX * 4)
    .describe(`shown above the bar (at most ${GOAL_LABEL_MAX} characters)`),
  onReach: z
    .enum(GOAL_ON_REACH)
    .describe('once reached: stay at the target, add `step` to it, or double it'),
  step: goalValue.nullable().describe('what `add` adds each time (required for `add`)'),
};

export const newGoalBody = z.object({
  metric: goalFields.metric,
  target: goalFields.target,
  label: goalFields.label.optional(),
  onReach: goalFields.onReach.optional(),
  step: goalFields.step.optional(),
});

export const goalChangeBody = z.object({
  metric: goalFields.metric.optional(),
  target: goalFields.target.optional(),
  label: goalFields.label.optional(),
  onReach: goalFields.onReach.optional(),
  step: goalFields.step.optional(),
});

export const goalParams = z.object({ id: z.string().min(1).max(64) });

export const testAlertBody = z.object({
  kind: z.enum(['follow', 'share', 'gift', 'goal']),
  coins: z
    .number()
    .int()
    .min(1)
    .max(1_000_000_000)
    .optional()
    .describe("the test gift's worth in coins (default 100)"),
  goalId: z.string().min(1).max(64).optional().describe('move only this goal in a goal test'),
});

export const testAlertResponse = z.object({
  kind: z.enum(['follow', 'share', 'gift', 'goal']),
  test: z.literal(true),
});
