import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HistoryService } from '../../src/app/history-service.js';
import { applyLtthImport, prepareLtthImport } from '../../src/app/ltth-import.js';
import { silentLogger } from '../../src/app/logger.js';
import { runReplay } from '../../src/app/run-replay.js';
import { Workspace } from '../../src/app/workspace.js';
import type { HistoryRepository } from '../../src/storage/history-repository.js';
import {
  inTransaction,
  migratePg,
  openPgPool,
  type PgPool,
} from '../../src/storage/pg/pg-database.js';
import { foldSession, unfoldSession } from '../../src/storage/pg/pg-history-folds.js';
import { PgHistory } from '../../src/storage/pg/pg-history.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import type { ProfileStore } from '../../src/storage/profile-store.js';
import {
  bucketOf,
  helperUsers,
  HistoryOracle,
  inSamePeriod,
  localDay,
  LTTH_STREAM_STATS,
  METRICS,
  NOWS,
  PERIODS,
  PLANS,
  ranking,
  ZONES,
} from '../helpers/history-oracle.js';
import { buildWorld, TIE_IDS, type BroadcastTruth } from '../helpers/history-world.js';
import { writeLtthDatabase, type LtthUser } from '../helpers/ltth.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { copyEntriesToPg } from '../helpers/pg-history-world.js';
import { writeRecording } from '../helpers/recordings.js';

// The history oracle's world on PostgreSQL. The world is replayed through the real tracker
// into a SQLite profile (as in history-oracle.test.ts); its entries are then put into a
// PostgreSQL profile with the tracker's own rows and the PostgreSQL folds (see
// test/helpers/pg-history-world.ts), and the helper app's file is imported into both. Every
// question is asked of both engines through the same HistoryService the API uses: the
// PostgreSQL answers must equal the oracle's and SQLite's, to the last field and order.
// A second profile in the same database holds the same world again and another import:
// nothing of it may show in the first one's answers.

let world: BroadcastTruth[];
let ltthUsers: LtthUser[];
let oracle: HistoryOracle;
let dataDir: string;
let ltthFile: string;
let workspace: Workspace;
let store: ProfileStore;
let pool: PgPool;
let profileId: number;
let pgHistory: PgHistory;
let sessionIds: number[];
let now = NOWS[0]!;

/** The index in the world of the broadcast that was resumed after a reconnect. */
const RESUMED = PLANS.findIndex((p) => p.resumed);

function service(history: HistoryRepository): HistoryService {
  return new HistoryService({
    read: (query) => query(history),
    currentSessionId: () => sessionIds.at(-1) ?? null,
    zone: 'Europe/Berlin',
    now: () => now,
  });
}

let sqlite: HistoryService;
let pg: HistoryService;

/** The same question to both engines: PostgreSQL must answer as SQLite does. */
async function both<T>(ask: (s: HistoryService) => Promise<T>, label: string): Promise<T> {
  const [fromSqlite, fromPg] = await Promise.all([ask(sqlite), ask(pg)]);
  expect(fromPg, `${label}: PostgreSQL and SQLite`).toEqual(fromSqlite);
  return fromPg;
}

beforeAll(async () => {
  world = buildWorld(PLANS);
  ltthUsers = helperUsers(world);
  oracle = new HistoryOracle(world, ltthUsers);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-pg-oracle-'));
  const recordings = path.join(dataDir, 'recordings');
  fs.mkdirSync(recordings);
  workspace = new Workspace(dataDir, silentLogger);
  workspace.lockForWriting('test');
  workspace.ensureDefault();
  const profile = workspace.openForWriting('default');
  store = profile.store;
  let n = 0;
  for (const broadcast of world) {
    for (const events of broadcast.recordings) {
      const file = writeRecording(recordings, `r${++n}.ndjson`, events);
      await runReplay({ profile, file, speed: 0, saveIntervalMs: 50, logger: silentLogger });
    }
  }
  ltthFile = writeLtthDatabase(recordings, { streamStats: LTTH_STREAM_STATS, users: ltthUsers });
  const prepared = await prepareLtthImport(ltthFile);
  await applyLtthImport(prepared, store.history);

  pool = openPgPool(await freshDatabase(inject('pgUrl'), 'pg_history_oracle'), { max: 4 });
  await migratePg(pool);
  const profiles = new PgProfiles(pool);
  profileId = (await profiles.create('default')).id;
  pgHistory = new PgHistory(pool, profileId, () => now);
  // Oldest first: the import is dated before every broadcast.
  sessionIds = store
    .listSessions()
    .map((s) => s.id)
    .reverse();
  const resumedId = sessionIds[RESUMED + 1]!;
  const file = new Database(path.join(dataDir, 'user_configs', 'default.db'), { readonly: true });
  try {
    const copied = await copyEntriesToPg(file, pool, profileId, { resumed: [resumedId] });
    expect(copied).toHaveLength(world.length);
    // The import's entry gets the next id on both engines.
    await applyLtthImport(await prepareLtthImport(ltthFile), pgHistory);

    // Another profile: the same world again (other ids) and another helper file.
    const other = (await profiles.create('Other')).id;
    await copyEntriesToPg(file, pool, other, { idOffset: 1000, resumed: [resumedId] });
    const otherUsers = ltthUsers.map((u) => ({ ...u, total_coins_sent: 77_777 }));
    const otherFile = writeLtthDatabase(
      recordings,
      { streamStats: { ...LTTH_STREAM_STATS, total_coins: 5 }, users: otherUsers },
      'other-ltth.db',
    );
    await applyLtthImport(await prepareLtthImport(otherFile), new PgHistory(pool, other));
  } finally {
    file.close();
  }
  sqlite = service(store.history);
  pg = service(pgHistory);
}, 120_000);

afterAll(async () => {
  store?.close();
  workspace?.release();
  await pool?.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('history on PostgreSQL against the oracle and SQLite', () => {
  it('holds the world: every broadcast and the import, ties on purpose', async () => {
    const { rows } = await pool.query<{ id: number }>(
      'SELECT id FROM sessions WHERE profile_id = $1 ORDER BY started_at, id',
      [profileId],
    );
    expect(rows.map((r) => r.id)).toEqual(sessionIds);
    const ties = ranking(oracle.totals(world, true), 'coins', 1000).filter((v) =>
      TIE_IDS.includes(v.userId),
    );
    expect(ties.map((v) => v.userId)).toEqual(['1000', '70010', '999']);
  });

  it.each(ZONES)('summaries per day, week and month in %s', async (zone) => {
    for (const period of PERIODS) {
      const body = await both((s) => s.summary({ period, tz: zone }), `${period} in ${zone}`);
      expect(body.buckets, `${period} in ${zone}`).toEqual(oracle.expectedSummary(period, zone));
      for (const [from, to] of [
        ['2026-03-28', '2026-03-29'],
        ['2026-03-30', '2026-04-01'],
        ['2026-10-25', '2026-10-25'],
        ['2026-03-29', undefined],
        [undefined, '2026-03-27'],
      ] as const) {
        const ranged = await both(
          (s) => s.summary({ period, tz: zone, from, to }),
          `${period} ${from}..${to} in ${zone}`,
        );
        expect(ranged.buckets).toEqual(oracle.expectedSummary(period, zone, from, to));
      }
    }
  });

  it.each(ZONES)('day, week and month leaderboards in %s, for every metric', async (zone) => {
    for (const at of NOWS) {
      now = at;
      for (const period of PERIODS) {
        const sums = oracle.totals(
          world.filter((b) => inSamePeriod(b.startAt, at, period, zone)),
          false,
        );
        for (const metric of METRICS) {
          const label = `${metric} ${period} in ${zone} at ${new Date(at).toISOString()}`;
          const body = await both(
            (s) => s.leaderboard({ metric, window: period, limit: 100, tz: zone }),
            label,
          );
          expect(body.period!.from).toBe(bucketOf(localDay(at, zone), period));
          expect(body.viewers, label).toEqual(ranking(sums, metric, 100));
        }
      }
    }
  });

  it('all-time leaderboards hold every broadcast and the import, with ties by user id', async () => {
    const sums = oracle.totals(world, true);
    for (const metric of METRICS) {
      for (const limit of [1, 3, 10, 100]) {
        const body = await both(
          (s) => s.leaderboard({ metric, window: 'all', limit }),
          `${metric} top ${limit}`,
        );
        expect(body.viewers, `${metric} top ${limit}`).toEqual(ranking(sums, metric, limit));
      }
    }
  });

  it('session leaderboards: the last broadcast by default, any broadcast when named', async () => {
    for (const metric of METRICS) {
      const current = await both(
        (s) => s.leaderboard({ metric, window: 'session', limit: 10 }),
        `${metric} current`,
      );
      expect(current.sessionId).toBe(sessionIds.at(-1));
      expect(current.viewers).toEqual(ranking(oracle.totals([world.at(-1)!], false), metric, 10));
    }
    for (const [i, broadcast] of world.entries()) {
      const body = await both(
        (s) =>
          s.leaderboard({
            metric: 'likes',
            window: 'session',
            session: sessionIds[i + 1]!,
            limit: 100,
          }),
        `session ${i}`,
      );
      expect(body.viewers).toEqual(ranking(oracle.totals([broadcast], false), 'likes', 100));
    }
  });

  it("a viewer's totals over everything the profile holds", async () => {
    for (const v of oracle.totals(world, true).values()) {
      const body = await both((s) => s.viewer(v.userId), `viewer ${v.userId}`);
      expect(body).toMatchObject({
        userId: v.userId,
        handle: v.handle,
        nickname: v.nickname,
        firstSeen: v.firstSeen,
        lastSeen: v.lastSeen,
        sessions: v.sessions,
        coins: v.coins,
        gifts: v.gifts,
        likes: v.likes,
        comments: v.comments,
        shares: v.shares,
        follows: v.follows,
        imported: v.imported,
      });
      const gifted = world.filter((b) => (b.viewers.get(v.userId)?.gifts ?? 0) > 0);
      expect(body.giftSessions).toBe(gifted.length);
      expect(body.recentGifts.map((g) => g.startedAt)).toEqual(
        gifted.map((b) => b.startAt).reverse(),
      );
    }
    expect(await pgHistory.viewer('123456789')).toBeNull();
  });

  it('every viewer for an export, most coins first', async () => {
    const [fromSqlite, fromPg] = await Promise.all([
      store.history.allViewers(),
      pgHistory.allViewers(),
    ]);
    expect(fromPg).toEqual(fromSqlite);
    const expected = [...oracle.totals(world, true).values()]
      .sort((a, b) => b.coins - a.coins || (a.userId < b.userId ? -1 : 1))
      .map((v) => ({ userId: v.userId, coins: v.coins, sessions: v.sessions }));
    expect(fromPg.map((v) => ({ userId: v.userId, coins: v.coins, sessions: v.sessions }))).toEqual(
      expected,
    );
  });

  it('recaps: against the same streamer’s previous broadcast, with first-time gifters', async () => {
    const helperGifters = oracle.helperGifters();
    for (const [i, b] of world.entries()) {
      const body = await both((s) => s.recap(sessionIds[i + 1]!), `recap ${i}`);
      const earlier = world.filter((o) => o.startAt < b.startAt);
      const previous = earlier.filter((o) => o.streamer === b.streamer).at(-1);
      expect(body.session.startedAt).toBe(b.startAt);
      expect(body.durationMs).toBe(b.endAt - b.startAt);
      expect(body.previous?.startedAt ?? null).toBe(previous?.startAt ?? null);
      if (previous) {
        expect(body.difference).toEqual({
          viewers: b.stats.viewers - previous.stats.viewers,
          likes: b.stats.likes - previous.stats.likes,
          totalCoins: b.stats.totalCoins - previous.stats.totalCoins,
          followers: b.stats.followers - previous.stats.followers,
          shares: b.stats.shares - previous.stats.shares,
          gifts: b.stats.gifts - previous.stats.gifts,
          peakViewers: b.peakViewers - previous.peakViewers,
          durationMs: b.endAt - b.startAt - (previous.endAt - previous.startAt),
        });
      }
      expect(body.topGifters).toEqual(ranking(oracle.totals([b], false), 'coins', 5));
      const gifters = [...b.viewers.values()].filter((v) => v.gifts > 0);
      const before = new Set(
        earlier.flatMap((o) =>
          [...o.viewers.values()].filter((v) => v.gifts > 0).map((v) => v.userId),
        ),
      );
      const fresh = gifters.filter((v) => !before.has(v.userId) && !helperGifters.has(v.userId));
      expect(body.gifters).toBe(gifters.length);
      expect(body.newGifters, `broadcast ${i}`).toBe(fresh.length);
      expect(body.firstTimeGifters.map((v) => v.userId)).toEqual(
        ranking(new Map(fresh.map((v) => [v.userId, v])), 'coins', 50).map((v) => v.userId),
      );
      const best = [...b.coinsByMinute.values()].reduce((m, c) => Math.max(m, c), 0);
      if (best > 0) expect(body.bestMinute?.coins).toBeGreaterThan(0);
    }
    expect(await pgHistory.recap(999_999)).toBeNull();
  });

  it('gift breakdowns per broadcast', async () => {
    for (const [i, b] of world.entries()) {
      const body = await both((s) => s.gifts(sessionIds[i + 1]!), `gifts ${i}`);
      const expected = [...b.giftTypes]
        .map(([giftId, t]) => ({ giftId, giftName: t.giftName, count: t.count, coins: t.coins }))
        .sort(
          (x, y) =>
            y.coins - x.coins ||
            y.count - x.count ||
            (x.giftId < y.giftId ? -1 : x.giftId > y.giftId ? 1 : 0),
        );
      expect(body.gifts.map(({ diamonds: _d, ...g }) => g)).toEqual(expected);
    }
    expect(await pgHistory.giftBreakdown(999_999)).toBeNull();
    // Another profile's entry is no entry of this one.
    expect(await pgHistory.giftBreakdown(1001)).toBeNull();
    expect(await pgHistory.recap(1001)).toBeNull();
  });

  it('keeps the folded top lists exact, so that all-time answers never scan', async () => {
    const { rows } = await pool.query<{ metric: string; user_id: string; position: number }>(
      `SELECT t.metric, t.user_id, t.position FROM viewer_top t
        WHERE t.profile_id = $1 ORDER BY t.metric, t.position`,
      [profileId],
    );
    const state = await pool.query<{ folds: number; valid: number }>(
      `SELECT h.folds, (SELECT count(*) FROM viewer_top_state s
                         WHERE s.profile_id = h.profile_id AND s.folds = h.folds) AS valid
         FROM history_state h WHERE h.profile_id = $1`,
      [profileId],
    );
    // The import moved the state on (its viewers changed totals): the lists wait for a fold.
    expect(state.rows[0]!.valid).toBe(0);
    // Reopening and folding the last entry makes them valid again, by one scan.
    const last = sessionIds.at(-1)!;
    await inTransaction(pool, (c) => unfoldSession(c, profileId, last));
    await inTransaction(pool, (c) => foldSession(c, profileId, last));
    const after = await pool.query<{ metric: string; user_id: string }>(
      `SELECT t.metric, t.user_id FROM viewer_top t
        WHERE t.profile_id = $1 ORDER BY t.metric, t.position`,
      [profileId],
    );
    const sums = oracle.totals(world, true);
    for (const metric of METRICS) {
      expect(after.rows.filter((r) => r.metric === metric).map((r) => r.user_id)).toEqual(
        ranking(sums, metric, 100).map((v) => v.userId),
      );
    }
    const valid = await pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM viewer_top_state s JOIN history_state h USING (profile_id)
        WHERE s.profile_id = $1 AND s.folds = h.folds`,
      [profileId],
    );
    expect(valid.rows[0]!.n).toBe(METRICS.length);
    expect(rows.length).toBeGreaterThan(0);
    for (const metric of METRICS) {
      const body = await both(
        (s) => s.leaderboard({ metric, window: 'all', limit: 100 }),
        `${metric} all from the kept list`,
      );
      expect(body.viewers).toEqual(ranking(sums, metric, 100));
    }
  });

  it('with a broadcast open again (not folded), every answer still holds', async () => {
    const last = sessionIds.at(-1)!;
    store.resumeSession(last);
    await inTransaction(pool, async (c) => {
      await unfoldSession(c, profileId, last);
      await c.query(
        'UPDATE sessions SET ended_at = NULL, end_reason = NULL WHERE profile_id = $1 AND id = $2',
        [profileId, last],
      );
    });
    try {
      now = NOWS[3]!;
      for (const period of PERIODS) {
        const body = await both((s) => s.summary({ period }), `open ${period}`);
        // Open entries count up to their last save; the gifters are the same.
        expect(body.buckets.map((b) => b.gifters)).toEqual(
          oracle.expectedSummary(period, 'Europe/Berlin').map((b) => b.gifters),
        );
      }
      const sums = oracle.totals(world, true);
      for (const metric of METRICS) {
        for (const window of ['all', 'day', 'week', 'month'] as const) {
          await both((s) => s.leaderboard({ metric, window, limit: 100 }), `open ${window}`);
        }
        const all = await both(
          (s) => s.leaderboard({ metric, window: 'all', limit: 7 }),
          `open all ${metric}`,
        );
        expect(all.viewers).toEqual(ranking(sums, metric, 7));
      }
      for (const v of [...world.at(-1)!.viewers.values()].slice(0, 15)) {
        await both((s) => s.viewer(v.userId), `open viewer ${v.userId}`);
      }
      for (const id of sessionIds.slice(-3)) await both((s) => s.recap(id), `open recap ${id}`);
      expect(await pgHistory.allViewers()).toEqual(await store.history.allViewers());
    } finally {
      const ended = world.at(-1)!.endAt;
      store.endSession(last, ended, 'ended');
      await inTransaction(pool, async (c) => {
        await c.query(
          `UPDATE sessions SET ended_at = $3, last_at = $3, end_reason = 'ended'
            WHERE profile_id = $1 AND id = $2`,
          [profileId, last, ended],
        );
        await foldSession(c, profileId, last);
      });
    }
  });

  it('importing the same helper file again changes no answer; a newer copy changes both alike', async () => {
    const ask = (s: HistoryService) =>
      Promise.all([
        s.leaderboard({ metric: 'coins', window: 'all', limit: 100 }),
        s.summary({ period: 'month' }),
        s.viewer(String(ltthUsers[0]!.user_id)),
        s.viewer('6800000000000000001'),
      ]);
    const before = await both(ask, 'before');
    const again = await applyLtthImport(await prepareLtthImport(ltthFile), pgHistory);
    expect(again.applied).toBe(false);
    expect(await both(ask, 'again')).toEqual(before);

    // The helper kept counting: some totals grew, one shrank (a correction), one is new.
    const newer = ltthUsers.map((u, i) => ({
      ...u,
      total_coins_sent: i === 1 ? 0 : Number(u.total_coins_sent ?? 0) + 10 * i,
      last_seen_at: i === 2 ? '2026-03-25 18:00:00' : u.last_seen_at,
      unique_id: i === 2 ? 'renamed_in_helper' : u.unique_id,
    }));
    newer.push({ ...newer[5]!, user_id: '6800000000000000002', unique_id: 'newcomer' });
    const newerFile = writeLtthDatabase(
      path.dirname(ltthFile),
      { streamStats: { ...LTTH_STREAM_STATS, likes: 5000 }, users: newer },
      'ltth-newer.db',
    );
    const [onSqlite, onPg] = [
      await applyLtthImport(await prepareLtthImport(newerFile), store.history),
      await applyLtthImport(await prepareLtthImport(newerFile), pgHistory),
    ];
    expect(onPg.applied).toBe(true);
    expect({ ...onPg, importedAt: 0 }).toEqual({ ...onSqlite, importedAt: 0 });
    const after = await both(ask, 'newer');
    expect(after).not.toEqual(before);
    await both((s) => s.viewer('6800000000000000002'), 'newcomer');
    expect(await pgHistory.allViewers()).toEqual(await store.history.allViewers());
  });
});
