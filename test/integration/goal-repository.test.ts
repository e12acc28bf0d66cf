import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GoalFields } from '../../src/domain/goals.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const LIKES: GoalFields = {
  metric: 'likes',
  label: 'Likes',
  target: 100,
  onReach: 'stay',
  step: null,
};
const COINS: GoalFields = { metric: 'totalCoins', label: '', target: 50, onReach: 'add', step: 25 };

describe('the SQLite goal repository', () => {
  it('answers with promises that are already settled, and keeps goals in creation order', async () => {
    const file = path.join(tempDir(), 'p.db');
    const store = ProfileStore.open(file, { create: true });
    const created = store.goals.create('b1', LIKES);
    expect(created).toBeInstanceOf(Promise);
    await created;
    await store.goals.create('a2', COINS);
    expect(await store.goals.list()).toEqual([
      { id: 'b1', ...LIKES },
      { id: 'a2', ...COINS },
    ]);
    expect(await store.goals.update('b1', { ...LIKES, target: 200 })).toEqual({
      id: 'b1',
      ...LIKES,
      target: 200,
    });
    expect(await store.goals.update('zz', LIKES)).toBeNull();
    expect(await store.goals.get('a2')).toEqual({ id: 'a2', ...COINS });
    expect(await store.goals.get('zz')).toBeNull();
    expect(await store.goals.remove('a2')).toBe(true);
    expect(await store.goals.remove('a2')).toBe(false);
    store.close();

    // Read back by a read-only opener (a command beside the server).
    const reader = ProfileStore.open(file, { readonly: true });
    expect(await reader.goals.list()).toEqual([{ id: 'b1', ...LIKES, target: 200 }]);
    reader.close();
  });

  it('leaves out rows another program damaged, and the table refuses impossible values', async () => {
    const file = path.join(tempDir(), 'p.db');
    const store = ProfileStore.open(file, { create: true });
    await store.goals.create('ok', LIKES);
    store.close();
    const db = new Database(file);
    expect(() =>
      db
        .prepare(
          "INSERT INTO goals (id, metric, target, created_at, updated_at) VALUES ('x', 'viewers', 5, 0, 0)",
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO goals (id, metric, target, created_at, updated_at) VALUES ('x', 'likes', 0, 0, 0)",
        )
        .run(),
    ).toThrow(/CHECK/);
    // Without its CHECKs (an older or foreign tool): a text target, an `add` without a step.
    db.pragma('ignore_check_constraints = ON');
    db.prepare(
      "INSERT INTO goals (id, metric, target, on_reach, created_at, updated_at) VALUES ('t', 'likes', 'lots', 'stay', 0, 0)",
    ).run();
    db.prepare(
      "INSERT INTO goals (id, metric, target, on_reach, created_at, updated_at) VALUES ('s', 'likes', 5, 'add', 0, 0)",
    ).run();
    db.close();
    const again = ProfileStore.open(file);
    expect((await again.goals.list()).map((g) => g.id)).toEqual(['ok']);
    again.close();
  });
});
