import type { ClientBase } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LEADERBOARD_METRICS } from '../../src/domain/history.js';
import {
  inTransaction,
  migratePg,
  openPgPool,
  type PgPool,
} from '../../src/storage/pg/pg-database.js';
import {
  addGifts,
  foldEnded,
  foldSession,
  TOP_KEPT,
  unfoldSession,
} from '../../src/storage/pg/pg-history-folds.js';
import { PgHistory } from '../../src/storage/pg/pg-history.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import type { ViewerTotalsRow } from '../../src/storage/rows.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';

// The PostgreSQL folds on their own: a handful of statements whatever the entry's size, the
// kept top lists exact after every fold (merged) and after a reopening (rebuilt), folding
// and unfolding inverse to each other, one fold however many try at once, and nothing
// reaching another profile.

let pool: PgPool;
let profiles: PgProfiles;
let nextSession = 1;

beforeAll(async () => {
  pool = openPgPool(await freshDatabase(inject('pgUrl'), 'pg_history_folds'), { max: 6 });
  await migratePg(pool);
  profiles = new PgProfiles(pool);
});

afterAll(async () => {
  await pool?.end();
});

interface Viewer {
  userId: string;
  coins: number;
  gifts: number;
  likes: number;
  comments: number;
  shares: number;
  follows: number;
  seen: number;
}

/** An entry of `profileId` with these viewers, ended (or not); returns its id. */
async function entry(
  profileId: number,
  viewers: readonly Viewer[],
  options: { startedAt?: number; ended?: boolean } = {},
): Promise<number> {
  const id = nextSession++;
  const startedAt = options.startedAt ?? 1_700_000_000_000 + id * 3_600_000;
  await pool.query(
    `INSERT INTO sessions (profile_id, id, streamer, room_id, started_at, ended_at, end_reason,
                           updated_at)
     VALUES ($1, $2, 'alice', $3, $4, $5, $6, $4)`,
    [
      profileId,
      id,
      `room${id}`,
      startedAt,
      options.ended === false ? null : startedAt + 60_000,
      options.ended === false ? null : 'ended',
    ],
  );
  await pool.query(
    `INSERT INTO session_viewers (profile_id, session_id, user_id, handle, nickname, coins, gifts,
                                  likes, comments, shares, follows, first_seen, last_seen)
     SELECT $1, $2, v.user_id, 'h_' || v.user_id, 'n_' || v.user_id, v.coins, v.gifts, v.likes,
            v.comments, v.shares, v.follows, v.seen, v.seen
       FROM json_to_recordset($3) AS v (user_id text, coins bigint, gifts bigint, likes bigint,
                                        comments bigint, shares bigint, follows bigint,
                                        seen bigint)`,
    [
      profileId,
      id,
      JSON.stringify(viewers.map((v) => ({ ...v, user_id: v.userId, seen: startedAt + v.seen }))),
    ],
  );
  return id;
}

/** mulberry32 */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Viewers drawn from a pool of ids of different lengths; small values, so ties abound. */
function crowd(rand: () => number, size: number, poolSize: number): Viewer[] {
  const chosen = new Map<string, Viewer>();
  while (chosen.size < size) {
    const n = Math.floor(rand() * poolSize);
    const userId = String(n * 37 + (n % 3 === 0 ? 7 : 1000));
    chosen.set(userId, {
      userId,
      coins: rand() < 0.3 ? Math.floor(rand() * 5) : 0,
      gifts: rand() < 0.3 ? Math.floor(rand() * 3) : 0,
      likes: Math.floor(rand() * 4),
      comments: rand() < 0.5 ? 1 : 0,
      shares: rand() < 0.1 ? 1 : 0,
      follows: rand() < 0.1 ? 1 : 0,
      seen: Math.floor(rand() * 50_000),
    });
  }
  return [...chosen.values()];
}

async function totalsOf(profileId: number): Promise<ViewerTotalsRow[]> {
  const { rows } = await pool.query<ViewerTotalsRow>(
    `SELECT user_id, handle, nickname, coins, gifts, likes, comments, shares, follows, sessions,
            first_seen, last_seen
       FROM viewer_totals WHERE profile_id = $1 ORDER BY user_id COLLATE "C"`,
    [profileId],
  );
  return rows;
}

/** Each metric's kept list must be the top of viewer_totals, by bytes of the id on ties. */
async function expectTopListsExact(profileId: number): Promise<void> {
  const totals = await totalsOf(profileId);
  const { rows } = await pool.query<{ metric: string; position: number; user_id: string }>(
    'SELECT metric, position, user_id FROM viewer_top WHERE profile_id = $1 ORDER BY position',
    [profileId],
  );
  for (const metric of LEADERBOARD_METRICS) {
    const expected = totals
      .filter((r) => r[metric] > 0)
      .sort(
        (a, b) =>
          b[metric] - a[metric] || Buffer.compare(Buffer.from(a.user_id), Buffer.from(b.user_id)),
      )
      .slice(0, TOP_KEPT)
      .map((r) => r.user_id);
    expect(
      rows.filter((r) => r.metric === metric).map((r) => r.user_id),
      metric,
    ).toEqual(expected);
  }
  const state = await pool.query<{ valid: number }>(
    `SELECT count(*) AS valid FROM viewer_top_state s
       JOIN history_state h ON h.profile_id = s.profile_id AND h.folds = s.folds
      WHERE s.profile_id = $1`,
    [profileId],
  );
  expect(state.rows[0]!.valid).toBe(LEADERBOARD_METRICS.length);
}

/** Runs `work` on a connection that counts the statements sent. */
async function counting<T>(
  work: (client: ClientBase) => Promise<T>,
): Promise<{ result: T; statements: number }> {
  let statements = 0;
  const result = await inTransaction(pool, (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    const counted = new Proxy(client, {
      get(target, key, receiver) {
        if (key === 'query') {
          return (...args: unknown[]) => {
            statements++;
            return original(...args);
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return work(counted);
  });
  return { result, statements };
}

describe('PostgreSQL folds', () => {
  it('fold a 5,000-viewer entry in a handful of statements, once', async () => {
    const { id: profileId } = await profiles.create('big');
    const viewers = crowd(random(1), 5000, 50_000);
    const sessionId = await entry(profileId, viewers);
    const first = await counting((c) => foldSession(c, profileId, sessionId));
    expect(first.result).toBe(true);
    expect(first.statements).toBeLessThanOrEqual(6);
    const again = await counting((c) => foldSession(c, profileId, sessionId));
    expect(again).toEqual({ result: false, statements: 1 });

    const totals = await totalsOf(profileId);
    expect(totals).toHaveLength(5000);
    const coins = viewers.reduce((sum, v) => sum + v.coins, 0);
    expect(totals.reduce((sum, r) => sum + r.coins, 0)).toBe(coins);
    expect(totals.every((r) => r.sessions === 1)).toBe(true);
    const { rows } = await pool.query<{ folded: number; gifters: number }>(
      'SELECT folded, gifters FROM sessions WHERE profile_id = $1 AND id = $2',
      [profileId, sessionId],
    );
    expect(rows[0]).toEqual({ folded: 1, gifters: viewers.filter((v) => v.gifts > 0).length });
    await expectTopListsExact(profileId);

    const unfold = await counting((c) => unfoldSession(c, profileId, sessionId));
    expect(unfold.result).toBe(true);
    expect(unfold.statements).toBeLessThanOrEqual(4);
  });

  it('keep every top list exact fold after fold, and after a reopening', async () => {
    const { id: profileId } = await profiles.create('many');
    const rand = random(2);
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push(await entry(profileId, crowd(rand, 150 + Math.floor(rand() * 150), 700)));
      await inTransaction(pool, (c) => foldSession(c, profileId, ids.at(-1)!));
      // Merged into lists that were valid: exact, ties included.
      if (i % 6 === 5) await expectTopListsExact(profileId);
    }
    await expectTopListsExact(profileId);
    // Reopened (totals go down) and folded again: rebuilt, the same.
    const before = await totalsOf(profileId);
    await inTransaction(pool, (c) => unfoldSession(c, profileId, ids[3]!));
    await inTransaction(pool, (c) => foldSession(c, profileId, ids[3]!));
    expect(await totalsOf(profileId)).toEqual(before);
    await expectTopListsExact(profileId);
    // The all-time leaderboard read from the kept lists equals a scan's.
    const history = new PgHistory(pool, profileId);
    for (const metric of LEADERBOARD_METRICS) {
      const top = await history.leaderboard({ metric, scope: { kind: 'all' }, limit: 100 });
      const expected = before
        .filter((r) => r[metric] > 0)
        .sort((a, b) => b[metric] - a[metric] || (a.user_id < b.user_id ? -1 : 1))
        .slice(0, 100)
        .map((r) => r.user_id);
      expect(top.map((v) => v.userId)).toEqual(expected);
    }
  });

  it('unfold takes out exactly what the fold put in', async () => {
    const { id: profileId } = await profiles.create('inverse');
    const rand = random(3);
    const a = await entry(profileId, crowd(rand, 300, 500));
    await inTransaction(pool, (c) => foldSession(c, profileId, a));
    const afterA = await totalsOf(profileId);
    const b = await entry(profileId, crowd(rand, 300, 500));
    await inTransaction(pool, (c) => foldSession(c, profileId, b));
    expect(await totalsOf(profileId)).not.toEqual(afterA);
    await inTransaction(pool, (c) => unfoldSession(c, profileId, b));
    const counters = (rows: ViewerTotalsRow[]) =>
      rows
        .filter((r) => r.sessions > 0)
        .map(({ user_id, coins, gifts, likes, comments, shares, follows, sessions }) => ({
          user_id,
          coins,
          gifts,
          likes,
          comments,
          shares,
          follows,
          sessions,
        }));
    expect(counters(await totalsOf(profileId))).toEqual(counters(afterA));
    const gifters = await pool.query(
      'SELECT 1 FROM session_gifters WHERE profile_id = $1 AND session_id = $2',
      [profileId, b],
    );
    expect(gifters.rowCount).toBe(0);
    expect(await inTransaction(pool, (c) => unfoldSession(c, profileId, b))).toBe(false);
  });

  it('fold an entry once however many try at the same time', async () => {
    const { id: profileId } = await profiles.create('race');
    const sessionId = await entry(profileId, crowd(random(4), 400, 1000));
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        inTransaction(pool, (c) => foldSession(c, profileId, sessionId)),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await totalsOf(profileId)).every((r) => r.sessions === 1)).toBe(true);
  });

  it('fold and unfold entries of one profile side by side: no deadlock, exact totals', async () => {
    const { id: profileId } = await profiles.create('side-by-side');
    const rand = random(7);
    const crowds = Array.from({ length: 8 }, () => crowd(rand, 400, 600));
    const ids: number[] = [];
    for (const c of crowds) ids.push(await entry(profileId, c));
    await Promise.all(ids.map((id) => inTransaction(pool, (c) => foldSession(c, profileId, id))));
    await Promise.all([
      ...ids.slice(0, 4).map((id) => inTransaction(pool, (c) => unfoldSession(c, profileId, id))),
      ...ids.slice(4).map((id) =>
        inTransaction(pool, async (c) => {
          await unfoldSession(c, profileId, id);
          await foldSession(c, profileId, id);
        }),
      ),
    ]);
    await Promise.all(
      ids.slice(0, 4).map((id) => inTransaction(pool, (c) => foldSession(c, profileId, id))),
    );
    const expected = new Map<string, { coins: number; sessions: number }>();
    for (const v of crowds.flat()) {
      const known = expected.get(v.userId) ?? { coins: 0, sessions: 0 };
      known.coins += v.coins;
      known.sessions += 1;
      expected.set(v.userId, known);
    }
    const totals = await totalsOf(profileId);
    expect(
      new Map(totals.map((r) => [r.user_id, { coins: r.coins, sessions: r.sessions }])),
    ).toEqual(expected);
    await expectTopListsExact(profileId);
  });

  it('foldEnded folds the ended entries not folded yet, oldest first, and no open one', async () => {
    const { id: profileId } = await profiles.create('ended');
    const rand = random(5);
    const open = await entry(profileId, crowd(rand, 50, 100), { ended: false });
    const one = await entry(profileId, crowd(rand, 50, 100));
    const two = await entry(profileId, crowd(rand, 50, 100));
    expect(await inTransaction(pool, (c) => foldEnded(c, profileId))).toBe(2);
    expect(await inTransaction(pool, (c) => foldEnded(c, profileId))).toBe(0);
    const { rows } = await pool.query<{ id: number; folded: number }>(
      'SELECT id, folded FROM sessions WHERE profile_id = $1 ORDER BY id',
      [profileId],
    );
    expect(rows).toEqual([
      { id: open, folded: 0 },
      { id: one, folded: 1 },
      { id: two, folded: 1 },
    ]);
  });

  it("never touch another profile's totals or lists", async () => {
    const { id: mine } = await profiles.create('mine');
    const { id: theirs } = await profiles.create('theirs');
    const rand = random(6);
    const theirEntry = await entry(theirs, crowd(rand, 200, 300));
    await inTransaction(pool, (c) => foldSession(c, theirs, theirEntry));
    const theirTotals = await totalsOf(theirs);
    const theirTop = await pool.query('SELECT * FROM viewer_top WHERE profile_id = $1', [theirs]);
    // Their entry's id, named for my profile, is no entry of mine.
    expect(await inTransaction(pool, (c) => unfoldSession(c, mine, theirEntry))).toBe(false);
    const myEntry = await entry(mine, crowd(rand, 200, 300));
    await inTransaction(pool, (c) => foldSession(c, mine, myEntry));
    await inTransaction(pool, (c) => unfoldSession(c, mine, myEntry));
    await inTransaction(pool, (c) => foldSession(c, mine, myEntry));
    expect(await totalsOf(theirs)).toEqual(theirTotals);
    expect(
      (await pool.query('SELECT * FROM viewer_top WHERE profile_id = $1', [theirs])).rows,
    ).toEqual(theirTop.rows);
    await expectTopListsExact(mine);
    await expectTopListsExact(theirs);
  });

  it('addGifts adds each save to the breakdown, a type twice in one save as two saves', async () => {
    const { id: profileId } = await profiles.create('gifts');
    const sessionId = await entry(profileId, [], { ended: false });
    const rose = { giftId: '5655', giftName: 'Rose', diamonds: 1, count: 3, coins: 3 };
    const galaxy = { giftId: '11046', giftName: 'Galaxy', diamonds: 1000, count: 1, coins: 1000 };
    await inTransaction(pool, (c) => addGifts(c, profileId, sessionId, [rose, galaxy]));
    await inTransaction(pool, (c) =>
      addGifts(c, profileId, sessionId, [
        { ...rose, giftName: '', count: 2, coins: 2 },
        { ...rose, giftName: 'Rose!', count: 1, coins: 1 },
      ]),
    );
    await inTransaction(pool, (c) => addGifts(c, profileId, sessionId, []));
    expect(await new PgHistory(pool, profileId).giftBreakdown(sessionId)).toEqual([
      { giftId: '11046', giftName: 'Galaxy', diamonds: 1000, count: 1, coins: 1000 },
      { giftId: '5655', giftName: 'Rose!', diamonds: 1, count: 6, coins: 6 },
    ]);
  });
});
