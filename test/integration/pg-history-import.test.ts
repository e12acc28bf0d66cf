import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HistoryImport, ImportedViewer } from '../../src/storage/history-repository.js';
import { migratePg, openPgPool, type PgPool } from '../../src/storage/pg/pg-database.js';
import { PgHistory } from '../../src/storage/pg/pg-history.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { tempDir } from '../helpers/temp-dir.js';

// A big import on both engines: tens of thousands of viewers, several rows for one viewer
// (one per streamer of the other program, and the same row twice), a newer copy that raises
// some totals and lowers others below what was there — PostgreSQL writes them a chunk at a
// time and must end where SQLite, one row at a time, ends.

let pool: PgPool;
let profiles: PgProfiles;

beforeAll(async () => {
  pool = openPgPool(await freshDatabase(inject('pgUrl'), 'pg_history_import'), { max: 4 });
  await migratePg(pool);
  profiles = new PgProfiles(pool);
});

afterAll(async () => {
  await pool?.end();
});

function viewers(count: number, bump: number): ImportedViewer[] {
  const list: ImportedViewer[] = [];
  for (let i = 0; i < count; i++) {
    const userId = String(6_900_000_000_000_000_000n + BigInt(i % Math.floor(count * 0.8)));
    const n = (i * 7919 + bump * 31) % 1000;
    list.push({
      userId,
      streamerKey: i % 3 === 0 ? 'alice' : 'alice_backup',
      handle: i % 11 === 0 ? '' : `fan_${i}_${bump}`,
      nickname: `Fan ${i}`,
      coins: bump > 0 && i % 5 === 0 ? 0 : n,
      gifts: n % 17,
      likes: n * 3,
      comments: n % 5,
      shares: n % 2,
      follows: i % 2,
      firstSeen: i % 13 === 0 ? null : 1_700_000_000_000 + i,
      lastSeen: i % 13 === 0 ? null : 1_700_000_000_000 + i * 2 + bump,
      firstGiftAt: i % 7 === 0 ? null : 1_700_000_000_000 + i,
    });
  }
  return list;
}

function batch(hash: string, list: ImportedViewer[]): HistoryImport {
  return {
    source: 'ltth',
    fileName: 'big.db',
    contentHash: hash,
    entry: {
      key: 'stream_stats',
      streamer: 'alice',
      at: 1_700_000_000_000,
      stats: { viewers: 5, likes: 6, totalCoins: 7, followers: 8, shares: 9, gifts: 10 },
    },
    viewers: list,
  };
}

describe('a big import on PostgreSQL', () => {
  it('ends where SQLite ends, for the first copy, the same again, and a newer one', async () => {
    const sqlite = ProfileStore.open(path.join(tempDir(), 'big.db'), {
      create: true,
      now: () => 5,
    });
    const { id } = await profiles.create('big');
    const pg = new PgHistory(pool, id, () => 5);
    try {
      const first = viewers(12_000, 0);
      // The same row twice, the second with other numbers: the later one wins.
      first.push({ ...first[10]!, coins: 123_456 });
      const progress: number[] = [];
      const onPg = await pg.importHistory({
        ...batch('one', first),
        onProgress: (done) => progress.push(done),
      });
      const onSqlite = await sqlite.history.importHistory(batch('one', first));
      expect(onPg).toEqual(onSqlite);
      expect(progress.at(-1)).toBe(first.length);
      expect(await pg.allViewers()).toEqual(await sqlite.history.allViewers());

      const again = await pg.importHistory(batch('one', first));
      expect(again).toMatchObject({ applied: false, viewersChanged: 0 });

      const newer = viewers(12_000, 1);
      const [pgNewer, sqliteNewer] = [
        await pg.importHistory(batch('two', newer)),
        await sqlite.history.importHistory(batch('two', newer)),
      ];
      expect(pgNewer).toEqual(sqliteNewer);
      expect(pgNewer.viewersChanged).toBeGreaterThan(5000);
      const all = await pg.allViewers();
      expect(all).toEqual(await sqlite.history.allViewers());
      for (const v of all.filter((_, i) => i % 997 === 0)) {
        expect(await pg.viewer(v.userId)).toEqual(await sqlite.history.viewer(v.userId));
      }
      for (const metric of ['coins', 'likes', 'gifts'] as const) {
        const query = { metric, scope: { kind: 'all' as const }, limit: 100 };
        expect(await pg.leaderboard(query)).toEqual(await sqlite.history.leaderboard(query));
      }
      expect(
        await pg.summary({ period: 'month', zone: 'UTC', start: -Infinity, end: Infinity }),
      ).toEqual(
        await sqlite.history.summary({
          period: 'month',
          zone: 'UTC',
          start: -Infinity,
          end: Infinity,
        }),
      );
    } finally {
      sqlite.close();
    }
  });
});
