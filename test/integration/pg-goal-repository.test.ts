import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GoalFields } from '../../src/domain/goals.js';
import { migratePg, openPgPool, type PgPool } from '../../src/storage/pg/pg-database.js';
import { PgGoalRepository } from '../../src/storage/pg/pg-goal-repository.js';
import { PgHistory } from '../../src/storage/pg/pg-history.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';

const LIKES: GoalFields = {
  metric: 'likes',
  label: 'Likes',
  target: 100,
  onReach: 'stay',
  step: null,
};
const COINS: GoalFields = { metric: 'totalCoins', label: '', target: 50, onReach: 'add', step: 25 };

let pool: PgPool;
let profiles: PgProfiles;

beforeAll(async () => {
  pool = openPgPool(await freshDatabase(inject('pgUrl'), 'pg_goals'), { max: 4 });
  await migratePg(pool);
  profiles = new PgProfiles(pool);
});

afterAll(async () => {
  await pool?.end();
});

describe('the PostgreSQL goal repository', () => {
  it('keeps goals in creation order, as the SQLite one does', async () => {
    const { id } = await profiles.create('goals');
    const times = [1000, 2000, 3000];
    const goals = new PgGoalRepository(pool, id, () => times.shift() ?? 9999);
    expect(await goals.create('b1', LIKES)).toEqual({ id: 'b1', ...LIKES });
    await goals.create('a2', COINS);
    expect(await goals.list()).toEqual([
      { id: 'b1', ...LIKES },
      { id: 'a2', ...COINS },
    ]);
    expect(await goals.update('b1', { ...LIKES, target: 200 })).toEqual({
      id: 'b1',
      ...LIKES,
      target: 200,
    });
    expect(await goals.update('zz', LIKES)).toBeNull();
    expect(await goals.get('a2')).toEqual({ id: 'a2', ...COINS });
    expect(await goals.get('zz')).toBeNull();
    expect(await goals.remove('a2')).toBe(true);
    expect(await goals.remove('a2')).toBe(false);
    // A new repository (another process) reads the same.
    expect(await new PgGoalRepository(pool, id).list()).toEqual([
      { id: 'b1', ...LIKES, target: 200 },
    ]);
    const { rows } = await pool.query(
      'SELECT created_at, updated_at FROM goals WHERE profile_id = $1',
      [id],
    );
    expect(rows).toEqual([{ created_at: 1000, updated_at: 3000 }]);
  });

  it("never finds, changes or removes another profile's goal", async () => {
    const mine = new PgGoalRepository(pool, (await profiles.create('mine')).id);
    const theirs = new PgGoalRepository(pool, (await profiles.create('theirs')).id);
    await theirs.create('shared', COINS);
    await theirs.create('only-theirs', LIKES);
    await mine.create('shared', LIKES);
    expect(await mine.get('only-theirs')).toBeNull();
    expect(await mine.update('only-theirs', COINS)).toBeNull();
    expect(await mine.remove('only-theirs')).toBe(false);
    expect(await mine.remove('shared')).toBe(true);
    expect(await mine.list()).toEqual([]);
    expect(await theirs.list()).toEqual([
      { id: 'shared', ...COINS },
      { id: 'only-theirs', ...LIKES },
    ]);
  });

  it('leaves out rows another program damaged, and the table refuses impossible values', async () => {
    const { id } = await profiles.create('damaged');
    const goals = new PgGoalRepository(pool, id);
    await goals.create('ok', LIKES);
    const insert = (metric: string, target: number, onReach: string) =>
      pool.query(
        `INSERT INTO goals (profile_id, id, metric, target, on_reach, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 0, 0)`,
        [id, `x${metric}${target}${onReach}`, metric, target, onReach],
      );
    await expect(insert('viewers', 5, 'stay')).rejects.toThrow(/check/i);
    await expect(insert('likes', 0, 'stay')).rejects.toThrow(/check/i);
    // The schema allows an `add` without a step; the repository does not show it.
    await insert('likes', 5, 'add');
    expect((await goals.list()).map((g) => g.id)).toEqual(['ok']);
    expect(await goals.get('xlikes5add')).toBeNull();
  });

  it('say the database cannot be reached, with a code, instead of a stack', async () => {
    const nowhere = openPgPool('postgres://postgres@127.0.0.1:1/nothing');
    try {
      const unreachable = { code: 'database_unreachable' };
      await expect(new PgGoalRepository(nowhere, 1).list()).rejects.toMatchObject(unreachable);
      await expect(new PgGoalRepository(nowhere, 1).create('g', LIKES)).rejects.toMatchObject(
        unreachable,
      );
      const history = new PgHistory(nowhere, 1);
      await expect(
        history.summary({ period: 'day', zone: 'UTC', start: -Infinity, end: Infinity }),
      ).rejects.toMatchObject(unreachable);
      await expect(
        history.leaderboard({
          metric: 'coins',
          scope: { kind: 'session', sessionId: 1 },
          limit: 5,
        }),
      ).rejects.toMatchObject(unreachable);
      await expect(history.giftBreakdown(1)).rejects.toMatchObject(unreachable);
      await expect(
        history.importHistory({
          source: 'ltth',
          fileName: 'x.db',
          contentHash: 'h',
          entry: null,
          viewers: [],
        }),
      ).rejects.toMatchObject(unreachable);
    } finally {
      await nowhere.end();
    }
  });
});
