import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_TALLY_OPTIONS } from '../../src/domain/broadcast-tally.js';
import { HistoryService } from '../../src/app/history-service.js';
import { applyLtthImport, prepareLtthImport } from '../../src/app/ltth-import.js';
import type { HistoryRepository } from '../../src/storage/history-repository.js';
import { migratePg, openPgPool, type PgPool } from '../../src/storage/pg/pg-database.js';
import { PgProfileStore } from '../../src/storage/pg/pg-profile-store.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import type { ProfileStorage } from '../../src/storage/profile-storage.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
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
import { everyAnswer } from '../helpers/history-questions.js';
import { buildWorld, type BroadcastTruth } from '../helpers/history-world.js';
import { writeLtthDatabase } from '../helpers/ltth.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { StorageDriver } from '../helpers/storage-driver.js';

// The history oracle's world counted into a SQLite profile and a PostgreSQL profile through
// the same storage calls (the tracker's rules, step by step: test/helpers/storage-driver.ts),
// so that PgProfileStore makes every all-time row itself — folds when entries end, an
// unfold when the resumed broadcast continues, the gift breakdown with every save — and the
// process counting the resumed broadcast dies after a save: the next one closes the entry
// (foldEnded) and resumes it. Then the helper app's file is imported into both. Every
// history question must get the same answer from both engines, and the oracle's.

let world: BroadcastTruth[];
let oracle: HistoryOracle;
let pool: PgPool;
let sqliteStore: ProfileStore;
let pgStore: PgProfileStore;
let clock = 0;
const now = () => clock;
let answerNow = NOWS[0]!;
let sessionIds: number[];
let dir: string;

const RESUMED = PLANS.findIndex((p) => p.resumed);

function service(history: HistoryRepository): HistoryService {
  return new HistoryService({
    read: (query) => query(history),
    currentSessionId: () => sessionIds.at(-1) ?? null,
    zone: 'Europe/Berlin',
    now: () => answerNow,
  });
}

/** The tracker's rules over a store, saving every 10 s of stream time. */
function driver(store: ProfileStorage): StorageDriver {
  return new StorageDriver(store, DEFAULT_TALLY_OPTIONS, 10_000);
}

async function bothDrivers(
  pair: { sqlite: StorageDriver; pg: StorageDriver },
  step: (d: StorageDriver) => Promise<unknown>,
) {
  const a = await step(pair.sqlite);
  const b = await step(pair.pg);
  expect(b).toEqual(a);
}

beforeAll(async () => {
  world = buildWorld(PLANS);
  oracle = new HistoryOracle(world, helperUsers(world));
  // A folder that lives as long as this file's tests (tempDir() is emptied after each test).
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-pg-store-'));
  pool = openPgPool(await freshDatabase(inject('pgUrl'), 'pg_history_store'), { max: 4 });
  await migratePg(pool);
  await new PgProfiles(pool, now).create('agency');
  const file = path.join(dir, 'agency.db');
  sqliteStore = ProfileStore.open(file, { create: true, now });
  pgStore = await PgProfileStore.open(pool, 'agency', { now });
  let pair = { sqlite: driver(sqliteStore), pg: driver(pgStore) };
  for (const [i, broadcast] of world.entries()) {
    for (const [r, events] of broadcast.recordings.entries()) {
      for (const event of events) {
        clock = event.at;
        await pair.sqlite.play([event]);
        await pair.pg.play([event]);
      }
      const lastAt = events.at(-1)!.at;
      if (i === RESUMED && r === 0) {
        // The process dies right after a save; another takes charge of the profile.
        await bothDrivers(pair, (d) => d.save(lastAt));
        pair.sqlite.kill();
        pair.pg.kill();
        sqliteStore.close();
        await pgStore.close();
        sqliteStore = ProfileStore.open(file, { now });
        pgStore = await PgProfileStore.open(pool, 'agency', { now });
        pair = { sqlite: driver(sqliteStore), pg: driver(pgStore) };
        await bothDrivers(pair, (d) => d.takeCharge());
      } else {
        await bothDrivers(pair, (d) => d.end('disconnected', lastAt));
      }
    }
  }
}, 180_000);

afterAll(async () => {
  sqliteStore?.close();
  await pgStore?.close();
  await pool?.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('history of a PostgreSQL profile counted through its store', () => {
  it('folded as entries ended: all-time answers before any import', async () => {
    sessionIds = (await pgStore.listSessions()).map((s) => s.id).reverse();
    expect(sessionIds).toEqual(
      sqliteStore
        .listSessions()
        .map((s) => s.id)
        .reverse(),
    );
    expect(sessionIds).toHaveLength(world.length);
    const sums = oracle.totals(world, false);
    for (const metric of METRICS) {
      const [a, b] = await Promise.all([
        sqliteStore.history.leaderboard({ metric, scope: { kind: 'all' }, limit: 100 }),
        pgStore.history.leaderboard({ metric, scope: { kind: 'all' }, limit: 100 }),
      ]);
      expect(b).toEqual(a);
      expect(b).toEqual(ranking(sums, metric, 100));
    }
    // Every entry is folded once, the resumed one included.
    const { rows } = await pool.query<{ folded: number; sessions: number }>(
      `SELECT (SELECT count(*) FROM sessions WHERE folded = 1) AS folded,
              (SELECT sum(sessions) FROM viewer_totals) AS sessions`,
    );
    const appearances = world.reduce((n, b) => n + b.viewers.size, 0);
    expect(rows[0]).toEqual({ folded: world.length, sessions: appearances });
  });

  it('with the helper file imported into both, every answer is the same on both engines and the oracle’s', async () => {
    const ltthFile = writeLtthDatabase(dir, {
      streamStats: LTTH_STREAM_STATS,
      users: oracle.ltthUsers,
    });
    const prepared = await prepareLtthImport(ltthFile);
    const [onSqlite, onPg] = [
      await applyLtthImport(prepared, sqliteStore.history),
      await applyLtthImport(await prepareLtthImport(ltthFile), pgStore.history),
    ];
    expect({ ...onPg, importedAt: 0 }).toEqual({ ...onSqlite, importedAt: 0 });
    sessionIds = (await pgStore.listSessions()).map((s) => s.id).reverse();
    expect(sessionIds).toEqual(
      sqliteStore
        .listSessions()
        .map((s) => s.id)
        .reverse(),
    );

    const viewers = [...oracle.totals(world, true).keys()];
    const setNow = (ms: number) => (answerNow = ms);
    const fromSqlite = await everyAnswer(service(sqliteStore.history), setNow, sessionIds, viewers);
    const fromPg = await everyAnswer(service(pgStore.history), setNow, sessionIds, viewers);
    expect(Object.keys(fromPg).length).toBeGreaterThan(500);
    expect(fromPg).toEqual(fromSqlite);

    type Buckets = { buckets: unknown };
    type Board = { viewers: unknown; period: { from: string } | null };
    for (const zone of ZONES) {
      for (const period of PERIODS) {
        expect((fromPg[`summary ${period} ${zone}`] as Buckets).buckets).toEqual(
          oracle.expectedSummary(period, zone),
        );
      }
    }
    for (const at of NOWS) {
      for (const zone of ZONES) {
        for (const period of PERIODS) {
          const sums = oracle.totals(
            world.filter((b) => inSamePeriod(b.startAt, at, period, zone)),
            false,
          );
          for (const metric of METRICS) {
            const board = fromPg[`leaderboard ${metric} ${period} ${zone} ${at}`] as Board;
            expect(board.period!.from).toBe(bucketOf(localDay(at, zone), period));
            expect(board.viewers).toEqual(ranking(sums, metric, 100));
          }
        }
      }
    }
    const all = oracle.totals(world, true);
    for (const metric of METRICS) {
      for (const limit of [1, 3, 10, 100]) {
        expect((fromPg[`leaderboard ${metric} all ${limit}`] as Board).viewers).toEqual(
          ranking(all, metric, limit),
        );
      }
    }
    expect(await pgStore.history.allViewers()).toEqual(await sqliteStore.history.allViewers());
  });
});
