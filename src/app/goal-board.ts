import { randomBytes } from 'node:crypto';
import { LivetallyError } from '../domain/errors.js';
import {
  checkGoal,
  goalStatus,
  type GoalDefinition,
  type GoalFields,
  type GoalStatus,
} from '../domain/goals.js';
import type { StreamStats } from '../domain/stats.js';
import type { GoalRepository } from '../storage/goal-repository.js';

/** A new goal: the metric and target are required, the rest has defaults. */
export type NewGoal = Pick<GoalFields, 'metric' | 'target'> &
  Partial<Pick<GoalFields, 'label' | 'onReach' | 'step'>>;

/** An edit: any of the fields; `step: null` takes the step away. */
export type GoalChange = Partial<GoalFields>;

/**
 * The goals of one open profile: kept by its repository, held here as well so that a push
 * of the stats can say where every goal stands without waiting for storage.
 */
export class GoalBoard {
  /** Settles once the profile's goals are loaded; every change waits for it. */
  readonly ready: Promise<void>;
  private goals: GoalDefinition[] = [];

  constructor(
    private readonly repository: GoalRepository,
    private readonly stats: () => StreamStats,
  ) {
    this.ready = repository.list().then((goals) => {
      this.goals = goals;
    });
  }

  /** Every goal against the current stats (none until loaded). */
  statuses(): GoalStatus[] {
    const stats = this.stats();
    return this.goals.map((goal) => goalStatus(goal, stats));
  }

  async create(input: NewGoal): Promise<GoalStatus> {
    await this.ready;
    const fields = checkGoal({
      metric: input.metric,
      target: input.target,
      label: input.label ?? '',
      onReach: input.onReach ?? 'stay',
      step: input.step ?? null,
    });
    const goal = await this.repository.create(newGoalId(), fields);
    this.goals = [...this.goals, goal];
    return goalStatus(goal, this.stats());
  }

  async update(id: string, change: GoalChange): Promise<GoalStatus> {
    await this.ready;
    const { metric, label, target, onReach, step } = this.find(id);
    const current: GoalFields = { metric, label, target, onReach, step };
    const fields = checkGoal({ ...current, ...definedOnly(change) });
    const goal = await this.repository.update(id, fields);
    if (!goal) throw notFound(id);
    this.goals = this.goals.map((g) => (g.id === id ? goal : g));
    return goalStatus(goal, this.stats());
  }

  async remove(id: string): Promise<void> {
    await this.ready;
    this.find(id);
    if (!(await this.repository.remove(id))) throw notFound(id);
    this.goals = this.goals.filter((g) => g.id !== id);
  }

  private find(id: string): GoalDefinition {
    const goal = this.goals.find((g) => g.id === id);
    if (!goal) throw notFound(id);
    return goal;
  }
}

/**
 * Random, so that a goal of one profile never shares its id (and so its overlay URL) with a
 * goal of another: an overlay left on a goal of the profile switched away from shows
 * nothing rather than some other goal.
 */
function newGoalId(): string {
  return randomBytes(6).toString('hex');
}

function notFound(id: string): LivetallyError {
  return new LivetallyError(
    'goal_not_found',
    `there is no goal "${id}" in this profile (it was removed, or belongs to another profile)`,
  );
}

/** `undefined` means "not given"; `null` is a value (no step). */
function definedOnly(change: GoalChange): GoalChange {
  return Object.fromEntries(
    Object.entries(change).filter(([, value]) => value !== undefined),
  ) as GoalChange;
}
