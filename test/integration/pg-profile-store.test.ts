import Database from 'better-sqlite3';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BroadcastTally, DEFAULT_TALLY_OPTIONS } from '../../src/domain/broadcast-tally.js';
import type { BroadcastEvent } from '../../src/domain/events.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import type { ProfileStorage } from '../../src/storage/profile-storage.js';
import { migratePg, openPgPool, type PgPool } from '../../src/storage/pg/pg-database.js';
import { PgProfileStore } from '../../src/storage/pg/pg-profile-store.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { tempDir } from '../helpers/temp-dir.js';

let pool: PgPool;
let profiles: PgProfiles;
/** Statements sent to PostgreSQL by this test file's pool. */
let statements = 0;

beforeAll(async () => {
  pool = openPgPool(await freshDatabase(inject('pgUrl'), 'store'), { max: 4 });
  const counted = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
      statements++;
      return query(...args);
    };
  });
  await migratePg(pool);
  profiles = new PgProfiles(pool);
});

afterAll(async () => {
  await pool?.end();
});

const ROOM = '7400000000000000123';
const link = (sessionId: number) => ({ sessionId, streamer: 's', streamerId: '1', roomId: ROOM });

describe('PgProfileStore', () => {
  it('saves 1,000 viewers and 20,000 message keys in a handful of statements', async () => {
    await profiles.create('busy');
    const store = await PgProfileStore.open(pool, 'busy');
    const sessionId = await store.startSession({ ...link(0), startedAt: 1_000 });
    const tally = new BroadcastTally(DEFAULT_TALLY_OPTIONS);
    for (let i = 0; i < 20_000; i++) {
      const n = i % 1000;
      const user = {
        id: `${6_900_000_000_000_000_000n + BigInt(n)}`,
        handle: `h${n}`,
        nickname: `N${n}`,
      };
      const event: BroadcastEvent =
        i % 10 === 0
          ? {
              type: 'gift',
              at: 2_000 + i,
              msgId: `${7_350_000_000_000_000_000n + BigInt(i)}`,
              user,
              giftId: '5655',
              giftName: 'Rose',
              diamonds: 1,
              repeatCount: 1,
              repeatEnd: true,
              streakable: false,
              groupId: `g${i}`,
            }
          : {
              type: 'chat',
              at: 2_000 + i,
              msgId: `${7_350_000_000_000_000_000n + BigInt(i)}`,
              user,
              text: 'hi',
            };
      tally.apply(event, event.at);
    }
    const changes = tally.drainChanges(30_000);
    expect(changes.viewers.userIds).toHaveLength(1000);
    expect(changes.messageKeys.length).toBe(40_000);
    const before = statements;
    await store.saveProgress(link(sessionId), changes);
    const used = statements - before;
    expect(used).toBeLessThanOrEqual(12);
    const viewers = await store.sessionViewers(sessionId);
    expect(viewers).toHaveLength(1000);
    expect(viewers.reduce((sum, v) => sum + v.comments + v.gifts, 0)).toBe(20_000);
    const keys: number[] = [];
    expect(await store.loadMessageKeys(ROOM, (hi, lo) => keys.push(hi, lo))).toBe(20_000);
    expect((await store.loadCurrent())?.stats).toEqual(tally.stats);
  });

  it('reads damaged values back exactly as the SQLite store does', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'damaged.db');
    ProfileStore.open(file, { create: true }).close();
    await profiles.create('damaged');
    const pgStore = await PgProfileStore.open(pool, 'damaged');
    const id = pgStore.profileId;
    const db = new Database(file);
    // The same damage in both: negative and oversized counters, old time formats, broken
    // JSON, times before 1970.
    const rows: [string, unknown[]][] = [
      [
        `INSERT INTO stream_stats (id, viewers, likes, total_coins, followers, shares, gifts, updated_at,
           streamer, streamer_id, room_id, session_id, peak_viewers)
         VALUES (1, -5, 9007199254740999, 12, 0, 3, 1, '2025-12-16 10:00:00', 's', '1', '${ROOM}', 5, -1)`,
        [],
      ],
      [
        `INSERT INTO sessions (id, streamer, streamer_id, room_id, started_at, ended_at, end_reason,
           viewers, likes, total_coins, followers, shares, gifts, peak_viewers, updated_at, last_at)
         VALUES (5, 's', '1', '${ROOM}', -10, 3, 'ended', -1, 2, 9007199254740999, 0, 0, 0, 4, -7, 3)`,
        [],
      ],
      [
        `INSERT INTO session_viewers (session_id, user_id, handle, nickname, coins, gifts, likes,
           comments, shares, follows, first_seen, last_seen)
         VALUES (5, 'u1', 'h', 'n', -3, 1, 2, 3, 4, 5, -1, 9007199254740999),
                (5, 'U2', 'h2', 'n2', 7, 0, 0, 0, 0, 0, 1, 2),
                (5, 'a3', 'h3', 'n3', 7, 0, 0, 0, 0, 0, 1, 2)`,
        [],
      ],
      [
        `INSERT INTO session_samples (session_id, t, viewers, likes, total_coins, followers, shares, gifts)
         VALUES (5, -10000, -1, 2, 3, 4, 5, 6), (5, 10000, 1, 2, 3, 4, 5, 9007199254740999)`,
        [],
      ],
      [
        `INSERT INTO room_gift_streaks (room_id, streak_key, streak)
         VALUES ('${ROOM}', 'a', 'not json'), ('${ROOM}', 'b', '{"key": 1}'), ('${ROOM}', 'c', 'null')`,
        [],
      ],
      [
        `INSERT INTO room_message_ids (id, room_id, count, ids)
         VALUES (1, '${ROOM}', 3, '["m1", 5, "m2"]'), (2, '${ROOM}', 1, 'garbage'), (3, '${ROOM}', 1, '["m3"]')`,
        [],
      ],
      [
        `INSERT INTO rooms (key, room_id, like_base, room_total_max, viewers_at) VALUES (9, '${ROOM}', -3, 9007199254740999, -1)`,
        [],
      ],
      [
        `INSERT INTO room_followers (room_id, user_id) VALUES ('${ROOM}', 'f1'), ('${ROOM}', 'f2')`,
        [],
      ],
    ];
    for (const [sql] of rows) {
      db.prepare(sql).run();
      // PostgreSQL: the same row, for this profile.
      const withProfile = sql
        .replace(/INSERT INTO (\w+) \(/, 'INSERT INTO $1 (profile_id, ')
        .replace(/VALUES\s*\(/, `VALUES (${id}, `)
        .replace(/\),\s*\(/g, `), (${id}, `);
      await pool.query(withProfile);
    }
    db.close();
    const sqlite = ProfileStore.open(file);

    const read = async (store: ProfileStorage) => ({
      current: await store.loadCurrent(),
      sessions: await store.listSessions(),
      session: await store.getSession(5),
      series: await store.sessionSeries(5),
      viewers: await store.sessionViewers(5),
      memory: await store.loadRoomMemory(ROOM),
      lastSampleAt: await store.lastSampleAt(5),
    });
    const expected = await read(sqlite);
    const got = await read(pgStore);
    expect(got).toEqual(expected);
    // And what that is: nothing negative, fractional or above 2^53 − 1.
    expect(expected.current?.stats.viewers).toBe(0);
    expect(expected.current?.stats.likes).toBe(Number.MAX_SAFE_INTEGER);
    expect(expected.current?.updatedAt).toBe('2025-12-16T10:00:00.000Z');
    expect(expected.memory.legacyMessageIds).toEqual(['m1', 'm2', 'm3']);
    expect(expected.memory.streaks).toEqual([]);
    expect(expected.viewers.map((v) => v.userId)).toEqual(['U2', 'a3', 'u1']);
    sqlite.close();
  });

  it('writes nothing when opened read-only, and refuses a profile that does not exist', async () => {
    await profiles.create('reader');
    const reader = await PgProfileStore.open(pool, 'reader', { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(reader.file).toBe('pg:reader');
    expect(await reader.loadCurrent()).toBeNull();
    await expect(reader.resetStreamStats()).rejects.toThrow(/read-only/);
    expect(await reader.loadCurrent()).toBeNull();
    await expect(PgProfileStore.open(pool, 'nobody')).rejects.toMatchObject({
      code: 'profile_not_found',
    });
  });
});
