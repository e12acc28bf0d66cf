import type { Pool } from 'pg';
import {
  GOAL_METRICS,
  GOAL_ON_REACH,
  type GoalDefinition,
  type GoalFields,
} from '../../domain/goals.js';
import type { GoalRepository } from '../goal-repository.js';
import type { GoalRow } from '../rows.js';
import { pgFailure } from './pg-database.js';

/**
 * The goals of one profile in a PostgreSQL database: the same rules as SQLite's
 * `SqliteGoalRepository` (src/storage/sqlite-goal-repository.ts). Every statement names the
 * profile, so a goal id of another profile is never found, changed or removed here.
 */
export class PgGoalRepository implements GoalRepository {
  constructor(
    private readonly pool: Pool,
    private readonly profileId: number,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<GoalDefinition[]> {
    const { rows } = await guard('reading the goals', () =>
      this.pool.query<GoalRow>('SELECT * FROM goals WHERE profile_id = $1 ORDER BY seq', [
        this.profileId,
      ]),
    );
    return rows.flatMap((row) => toGoal(row) ?? []);
  }

  async get(id: string): Promise<GoalDefinition | null> {
    const { rows } = await guard('reading a goal', () =>
      this.pool.query<GoalRow>('SELECT * FROM goals WHERE profile_id = $1 AND id = $2', [
        this.profileId,
        id,
      ]),
    );
    return rows[0] ? toGoal(rows[0]) : null;
  }

  async create(id: string, fields: GoalFields): Promise<GoalDefinition> {
    const now = this.now();
    await guard('saving a goal', () =>
      this.pool.query(
        `INSERT INTO goals (profile_id, id, metric, label, target, on_reach, step, created_at,
                          updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
        [this.profileId, id, ...params(fields), now],
      ),
    );
    return { id, ...fields };
  }

  async update(id: string, fields: GoalFields): Promise<GoalDefinition | null> {
    const result = await guard('saving a goal', () =>
      this.pool.query(
        `UPDATE goals SET metric = $3, label = $4, target = $5, on_reach = $6, step = $7,
         updated_at = $8
       WHERE profile_id = $1 AND id = $2`,
        [this.profileId, id, ...params(fields), this.now()],
      ),
    );
    return result.rowCount === 0 ? null : { id, ...fields };
  }

  async remove(id: string): Promise<boolean> {
    const result = await guard('removing a goal', () =>
      this.pool.query('DELETE FROM goals WHERE profile_id = $1 AND id = $2', [this.profileId, id]),
    );
    return (result.rowCount ?? 0) > 0;
  }
}

/** Runs `work`; a database that cannot be reached becomes a clear `database_unreachable`. */
async function guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw pgFailure(error, doing) ?? error;
  }
}

function params(fields: GoalFields): unknown[] {
  return [fields.metric, fields.label, fields.target, fields.onReach, fields.step];
}

/** A row as a goal; a row another program damaged is left out rather than shown wrong. */
function toGoal(row: GoalRow): GoalDefinition | null {
  const metric = GOAL_METRICS.find((m) => m === row.metric);
  const onReach = GOAL_ON_REACH.find((o) => o === row.on_reach);
  const target = Number(row.target);
  if (!metric || !onReach || !Number.isSafeInteger(target) || target < 1) return null;
  const rawStep = row.step === null ? null : Number(row.step);
  const step = rawStep !== null && Number.isSafeInteger(rawStep) && rawStep >= 1 ? rawStep : null;
  if (onReach === 'add' && step === null) return null;
  return { id: row.id, metric, label: String(row.label ?? ''), target, onReach, step };
}
