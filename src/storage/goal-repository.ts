import type { GoalDefinition, GoalFields } from '../domain/goals.js';

/**
 * Where a profile's goals are kept. Every method answers with a Promise so that an engine
 * that has to wait (PostgreSQL) implements the same interface as SQLite, which answers at
 * once. Values arrive already checked (`checkGoal`); the repository only keeps them.
 */
export interface GoalRepository {
  /** Every goal, in the order they were created. */
  list(): Promise<GoalDefinition[]>;
  get(id: string): Promise<GoalDefinition | null>;
  /** Keeps a new goal under `id` (chosen by the caller, unique across profiles). */
  create(id: string, fields: GoalFields): Promise<GoalDefinition>;
  /** Replaces a goal's fields; null when there is no goal `id`. */
  update(id: string, fields: GoalFields): Promise<GoalDefinition | null>;
  /** False when there was no goal `id`. */
  remove(id: string): Promise<boolean>;
}
