import {
  GOAL_METRICS,
  GOAL_ON_REACH,
  type GoalDefinition,
  type GoalFields,
} from '../domain/goals.js';
import type { GoalRepository } from './goal-repository.js';
import type { SqliteDatabase, SqliteStatement } from './open-database.js';
import type { GoalRow } from './rows.js';

/**
 * The goals of one profile file. better-sqlite3 is synchronous: every Promise is settled
 * before the method returns, so callers see their change at once.
 */
export class SqliteGoalRepository implements GoalRepository {
  private statements: ReturnType<typeof prepare> | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number,
  ) {}

  async list(): Promise<GoalDefinition[]> {
    const rows = this.sql().all.all() as GoalRow[];
    return rows.flatMap((row) => toGoal(row) ?? []);
  }

  async get(id: string): Promise<GoalDefinition | null> {
    const row = this.sql().get.get(id) as GoalRow | undefined;
    return row ? toGoal(row) : null;
  }

  async create(id: string, fields: GoalFields): Promise<GoalDefinition> {
    const now = this.now();
    this.sql().insert.run({ id, ...params(fields), createdAt: now, updatedAt: now });
    return { id, ...fields };
  }

  async update(id: string, fields: GoalFields): Promise<GoalDefinition | null> {
    const result = this.sql().update.run({ id, ...params(fields), updatedAt: this.now() });
    return result.changes === 0 ? null : { id, ...fields };
  }

  async remove(id: string): Promise<boolean> {
    return this.sql().remove.run(id).changes > 0;
  }

  /** Prepared on first use: a read-only store that never touches goals prepares nothing. */
  private sql() {
    this.statements ??= prepare(this.db);
    return this.statements;
  }
}

function prepare(
  db: SqliteDatabase,
): Record<'all' | 'get' | 'insert' | 'update' | 'remove', SqliteStatement> {
  return {
    all: db.prepare('SELECT * FROM goals ORDER BY seq'),
    get: db.prepare('SELECT * FROM goals WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO goals (id, metric, label, target, on_reach, step, created_at, updated_at)
       VALUES (@id, @metric, @label, @target, @onReach, @step, @createdAt, @updatedAt)`,
    ),
    update: db.prepare(
      `UPDATE goals SET metric = @metric, label = @label, target = @target,
         on_reach = @onReach, step = @step, updated_at = @updatedAt
       WHERE id = @id`,
    ),
    remove: db.prepare('DELETE FROM goals WHERE id = ?'),
  };
}

function params(fields: GoalFields) {
  return {
    metric: fields.metric,
    label: fields.label,
    target: fields.target,
    onReach: fields.onReach,
    step: fields.step,
  };
}

/** A row as a goal; a row another program damaged is left out rather than shown wrong. */
function toGoal(row: GoalRow): GoalDefinition | null {
  const metric = GOAL_METRICS.find((m) => m === row.metric);
  const onReach = GOAL_ON_REACH.find((o) => o === row.on_reach);
  if (!metric || !onReach || !Number.isSafeInteger(row.target) || row.target < 1) return null;
  const step = Number.isSafeInteger(row.step) && (row.step ?? 0) >= 1 ? row.step : null;
  if (onReach === 'add' && step === null) return null;
  return { id: row.id, metric, label: String(row.label ?? ''), target: row.target, onReach, step };
}
