import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StreamTracker } from '../../src/app/stream-tracker.js';
import type { StreamEvent } from '../../src/domain/events.js';
import type { RecordingTruth } from '../../src/sources/replay/recording-generator.js';
import { LEADERBOARD_METRICS } from '../../src/domain/history.js';
import { SCHEMA_VERSION } from '../../src/storage/migrations/index.js';
import { CLAIM_LOCK_CLASS } from '../../src/storage/pg/pg-claims.js';
import { SQLITE_TABLES } from '../../src/storage/pg/pg-import.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { expectedTables } from '../../src/storage/schema-check.js';
import type { ProfileStorage } from '../../src/storage/profile-storage.js';
import { migratePg, openPgPool } from '../../src/storage/pg/pg-database.js';
import { PgProfileStore } from '../../src/storage/pg/pg-profile-store.js';
import { cli, cliJson } from '../helpers/cli.js';
import { writeLtthDatabase } from '../helpers/ltth.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { generateRecording, writeRecording } from '../helpers/recordings.js';
import { testServer } from '../helpers/server.js';

// `livetally import sqlite`: a profile file made by the real program (replays over several
// broadcasts, one of them still open; an LTTH import; goals made through the API), copied
// by the real command line into a real PostgreSQL database; then both stores are asked
// the same questions and must answer the same (ids aside: PostgreSQL gives new ones).

const STREAMER = { streamer: 'alice', streamerId: '7100000000000000001' };
const evening = (day: number) => Date.UTC(2026, 2, day, 19, 0, 0);
const OPEN_ROOM = '7400000000000000099';

let root: string;
let dataDir: string;
let file: string;
/** The still-open broadcast: what was counted before the move, and what comes after. */
let before: StreamEvent[];
let after: StreamEvent[];
let openTruth: RecordingTruth;
let clusterUrl: string;

function readEvents(recording: string): StreamEvent[] {
  return fs
    .readFileSync(recording, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StreamEvent);
}

beforeAll(async () => {
  clusterUrl = inject('pgUrl');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-import-'));
  dataDir = path.join(root, 'data');
  const recordings = path.join(root, 'recordings');
  fs.mkdirSync(recordings);
  const run = (args: string[]) => {
    const result = cli(['--data-dir', dataDir, ...args]);
    expect(result.code, result.stderr).toBe(0);
  };

  // Three broadcasts on three evenings, each counted to its end.
  for (const [i, day] of [23, 27, 30].entries()) {
    const { file: recording } = generateRecording(
      recordings,
      {
        seed: 130 + i,
        durationSec: 90,
        ...STREAMER,
        roomId: `740000000000000013${i}`,
        startAt: evening(day),
        endStream: true,
      },
      `r${i}.ndjson`,
    );
    run(['replay', recording]);
  }
  // History brought over from the helper app.
  const ltth = writeLtthDatabase(root, {
    streamStats: {
      viewers: 80,
      likes: 4000,
      total_coins: 900,
      followers: 9,
      shares: 2,
      gifts: 40,
      updated_at: '2026-02-01 21:30:00',
    },
    users: [
      {
        user_id: '6900000000214170805',
        streamer_id: 'alice',
        username: 'Soda',
        unique_id: 'soda_2045',
        total_coins_sent: 500,
        total_gifts_sent: 20,
        total_comments: 7,
        total_likes: 100,
        total_shares: 2,
        total_follows: 1,
        first_seen_at: '2025-12-01 20:00:00',
        last_seen_at: '2026-02-01 21:00:00',
        last_gift_at: '2026-02-01 21:00:00',
      },
    ],
  });
  run(['import', 'ltth', ltth]);
  // Goals, through the API as the dashboard makes them.
  const server = await testServer({ dataDir });
  for (const body of [
    { metric: 'likes', target: 5000, label: 'likes!', onReach: 'add', step: 5000 },
    { metric: 'totalCoins', target: 1000 },
  ]) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/goals',
      headers: { host: server.host },
      payload: body,
    });
    expect(response.statusCode).toBe(201);
  }
  await server.close();
  // A fourth broadcast still going on when the profile moves: two thirds of it counted.
  const { file: open, truth } = generateRecording(
    recordings,
    { seed: 140, durationSec: 120, ...STREAMER, roomId: OPEN_ROOM, startAt: evening(31) },
    'open.ndjson',
  );
  openTruth = truth;
  const events = readEvents(open);
  const cut = Math.floor((events.length * 2) / 3);
  before = events.slice(0, cut);
  after = events.slice(cut);
  run(['replay', writeRecording(recordings, 'before.ndjson', before)]);
  file = path.join(dataDir, 'user_configs', 'default.db');
}, 120_000);

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** A database, the profile file imported into it as `moving`, and both stores open. */
async function imported() {
  const url = await freshDatabase(clusterUrl, 'import_sqlite');
  const result = cliJson<{ profile: string; rows: Record<string, number>; created: boolean }>([
    'import',
    'sqlite',
    file,
    '--profile',
    'moving',
    '--database',
    url,
  ]);
  const pool = openPgPool(url);
  const sqlite = ProfileStore.open(file, { readonly: true });
  const pg = await PgProfileStore.open(pool, 'moving');
  return { url, result, pool, sqlite, pg };
}

/**
 * PostgreSQL's answer with its entry ids turned back into the file's (matched by position
 * in the list of entries, which both keep in the same order).
 */
function idsBack(value: unknown, pgToSqlite: Map<number, number>): unknown {
  if (Array.isArray(value)) return value.map((v) => idsBack(v, pgToSqlite));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      (key === 'id' || key === 'sessionId') && typeof v === 'number'
        ? (pgToSqlite.get(v) ?? v)
        : idsBack(v, pgToSqlite),
    ]),
  );
}

async function sessionIdMap(sqlite: ProfileStorage, pg: ProfileStorage) {
  const fromFile = await sqlite.listSessions();
  const fromPg = await pg.listSessions();
  expect(fromPg).toHaveLength(fromFile.length);
  return new Map(fromPg.map((s, i) => [s.id, fromFile[i]!.id]));
}

describe('livetally import sqlite', () => {
  it('has a place in PostgreSQL for every table and column of the SQLite schema', async () => {
    const url = await freshDatabase(clusterUrl, 'import_schema');
    const pool = openPgPool(url);
    try {
      await migratePg(pool);
      const sqlite = expectedTables(SCHEMA_VERSION);
      expect(Object.keys(SQLITE_TABLES).sort()).toEqual([...sqlite.keys()].sort());
      for (const [table, columns] of sqlite) {
        const rule = SQLITE_TABLES[table]!;
        if ('skip' in rule) continue;
        const { rows } = await pool.query<{ name: string }>(
          `SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1`,
          [table],
        );
        const pgColumns = rows.map((r) => r.name);
        expect(pgColumns[0] === 'profile_id' || pgColumns.includes('profile_id')).toBe(true);
        const omitted = Object.keys(rule.omit ?? {});
        expect(columns.filter((c) => !omitted.includes(c) && !pgColumns.includes(c))).toEqual([]);
      }
    } finally {
      await pool.end();
    }
  });

  it('copies every table of the file, and both stores answer the same', async () => {
    const { result, pool, sqlite, pg } = await imported();
    try {
      expect(result.profile).toBe('moving');
      expect(result.created).toBe(true);
      expect(result.rows['sessions']).toBe(5); // 3 ended, 1 imported, 1 open
      expect(result.rows['goals']).toBe(2);
      expect(result.rows['room_message_keys']).toBeGreaterThan(100);

      const back = await sessionIdMap(sqlite, pg);
      const same = async <T>(ask: (store: ProfileStorage) => T | Promise<T>) => {
        expect(idsBack(await ask(pg), back)).toEqual(await ask(sqlite));
      };
      await same((s) => s.loadCurrent());
      await same((s) => s.listSessions());
      const ids = [...back.entries()];
      for (const [pgId, fileId] of ids) {
        expect(idsBack(await pg.getSession(pgId), back)).toEqual(sqlite.getSession(fileId));
        expect(await pg.sessionSeries(pgId)).toEqual(sqlite.sessionSeries(fileId));
        expect(await pg.sessionViewers(pgId)).toEqual(sqlite.sessionViewers(fileId));
        expect(idsBack(await pg.history.recap(pgId), back)).toEqual(
          await sqlite.history.recap(fileId),
        );
        expect(await pg.history.giftBreakdown(pgId)).toEqual(
          await sqlite.history.giftBreakdown(fileId),
        );
        for (const metric of LEADERBOARD_METRICS) {
          const query = (sessionId: number) => ({
            metric,
            scope: { kind: 'session' as const, sessionId },
            limit: 20,
          });
          expect(await pg.history.leaderboard(query(pgId))).toEqual(
            await sqlite.history.leaderboard(query(fileId)),
          );
        }
      }
      for (const metric of LEADERBOARD_METRICS) {
        for (const scope of [
          { kind: 'all' as const },
          { kind: 'range' as const, start: evening(26), end: evening(31) },
        ]) {
          await same((s) => s.history.leaderboard({ metric, scope, limit: 50 }));
        }
      }
      for (const period of ['day', 'week', 'month'] as const) {
        await same((s) =>
          s.history.summary({
            period,
            zone: 'Europe/Berlin',
            start: Date.UTC(2025, 11, 1),
            end: Date.UTC(2026, 4, 1),
          }),
        );
      }
      const everyone = await sqlite.history.allViewers();
      expect(everyone.length).toBeGreaterThan(10);
      await same((s) => s.history.allViewers());
      for (const viewer of [everyone[0]!, everyone.at(-1)!, { userId: '6900000000214170805' }]) {
        await same((s) => s.history.viewer(viewer.userId));
      }
      await same((s) => s.goals.list());
    } finally {
      await pg.close();
      sqlite.close();
      await pool.end();
    }
  });

  it('takes the open broadcast along: resuming it counts nothing twice', async () => {
    const { pool, sqlite, pg } = await imported();
    try {
      // What the tracker reads to resume a room: its memory, its message keys, and which
      // of the messages TikTok re-sends were counted already.
      expect(await pg.loadRoomMemory(OPEN_ROOM)).toEqual(sqlite.loadRoomMemory(OPEN_ROOM));
      const keys = async (store: ProfileStorage) => {
        const seen: string[] = [];
        const n = await store.loadMessageKeys(OPEN_ROOM, (hi, lo) => seen.push(`${hi}:${lo}`));
        return { n, seen: seen.sort() };
      };
      const fileKeys = await keys(sqlite);
      expect(fileKeys.n).toBeGreaterThan(100);
      expect(await keys(pg)).toEqual(fileKeys);

      const ids = [...before, ...after].flatMap((e) => ('msgId' in e ? [e.msgId] : []));
      const counted = await pg.countedMessages(OPEN_ROOM, ids);
      expect(counted.size).toBeGreaterThan(100);
      expect(counted).toEqual(await sqlite.countedMessages(OPEN_ROOM, ids));
      sqlite.close();

      // The broadcast goes on, in PostgreSQL and (for reference) in a copy of the file:
      // TikTok re-sends everything from its start (the worst case), then the rest comes.
      const resume = async (store: ProfileStorage) => {
        const tracker = await StreamTracker.open(store, { saveIntervalMs: 20 });
        let now = before[0]!.at;
        for (const event of [...before, ...after]) {
          now = Math.max(now, event.at);
          if (event.type === 'connected') await tracker.connected(event, () => now);
          else tracker.event(event);
        }
        await tracker.settled();
        expect(tracker.broadcast?.resumed).toBe(true);
        await tracker.close();
        return { current: await store.loadCurrent(), sessions: await store.listSessions() };
      };
      const copy = path.join(root, 'reference.db');
      fs.copyFileSync(file, copy);
      const reference = ProfileStore.open(copy);
      const inFile = await resume(reference);
      reference.close();
      fs.rmSync(copy);
      const inPg = await resume(pg);
      expect(inPg.current?.roomId).toBe(OPEN_ROOM);
      expect(inPg.current?.stats).toEqual(inFile.current?.stats);
      const back = new Map(inPg.sessions.map((s, i) => [s.id, inFile.sessions[i]!.id]));
      const withoutWallClock = (sessions: unknown) =>
        (sessions as { updatedAt: number }[]).map(({ updatedAt: _, ...rest }) => rest);
      expect(withoutWallClock(idsBack(inPg.sessions, back))).toEqual(
        withoutWallClock(inFile.sessions),
      );
      // Nothing re-sent was counted again: every number but the gifts is the recording's
      // truth. (The gifts differ from it on both engines alike: a combo's second end,
      // re-sent under a new message id after the restart, counts again — the memory of
      // combos that ended normally does not outlive a restart, in SQLite either.)
      const { viewers, likes, followers, shares } = openTruth.stats;
      expect(inPg.current?.stats).toMatchObject({ viewers, likes, followers, shares });
    } finally {
      await pg.close();
      sqlite.close();
      await pool.end();
    }
  });

  it('refuses a second import into the same profile and changes nothing', async () => {
    const { url, pool, sqlite, pg } = await imported();
    try {
      const snapshot = async () =>
        (
          await pool.query(
            `SELECT (SELECT count(*) FROM sessions) AS sessions,
                    (SELECT count(*) FROM room_message_keys) AS keys,
                    (SELECT count(*) FROM goals) AS goals,
                    (SELECT count(*) FROM profiles) AS profiles,
                    (SELECT sum(total_coins) FROM sessions) AS coins`,
          )
        ).rows[0];
      const was = await snapshot();
      for (const name of ['moving', 'MOVING']) {
        const again = cli(['import', 'sqlite', file, '--profile', name, '--database', url]);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(
          /profile "moving" in the database already holds 5 history entries and 2 goals; import into a new profile name/,
        );
        expect(again.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
      expect(await snapshot()).toEqual(was);
    } finally {
      await pg.close();
      sqlite.close();
      await pool.end();
    }
  });

  it('imports into an existing empty profile, named after the file by default', async () => {
    const url = await freshDatabase(clusterUrl, 'import_default');
    const pool = openPgPool(url);
    try {
      await migratePg(pool);
      const { rows: made } = await pool.query<{ id: number }>(
        "INSERT INTO profiles (name, name_key, created_at) VALUES ('Default', 'default', 1) RETURNING id",
      );
      // While a livetally process counts it (holds its claim), it is refused.
      const counter = await pool.connect();
      try {
        await counter.query('SELECT pg_advisory_lock($1::int, $2::int)', [
          CLAIM_LOCK_CLASS,
          made[0]!.id,
        ]);
        const refused = cli(['import', 'sqlite', file], { LIVETALLY_DATABASE_URL: url });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(
          /profile "Default" is counting a LIVE on a livetally process right now/,
        );
        expect((await pool.query('SELECT count(*) AS n FROM sessions')).rows[0].n).toBe(0);
      } finally {
        counter.release(true);
      }
      const result = cliJson<{ profile: string; created: boolean }>(
        ['import', 'sqlite', file, '--json'],
        { LIVETALLY_DATABASE_URL: url },
      );
      expect(result).toMatchObject({ profile: 'Default', created: false });
      const { rows } = await pool.query(
        "SELECT count(*) AS n FROM sessions JOIN profiles p ON p.id = profile_id WHERE p.name = 'Default'",
      );
      expect(rows[0].n).toBe(5);
    } finally {
      await pool.end();
    }
  });

  it('imports a file of an older livetally as it would be upgraded, leaving the file as it is', async () => {
    const url = await freshDatabase(clusterUrl, 'import_old');
    const old = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-import-old-'));
    try {
      // The original program's single table (schema 0): its row becomes a history entry.
      const file = writeLtthDatabase(old, {
        streamStats: {
          viewers: 15,
          likes: 700,
          total_coins: 321,
          followers: 4,
          shares: 1,
          gifts: 9,
          updated_at: '2025-11-02 20:15:00',
        },
      });
      const bytes = fs.readFileSync(file);
      const result = cli(['import', 'sqlite', file, '--profile', 'veteran', '--database', url]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(
        /Imported ltth-profile\.db into profile "veteran" .*: 1 history entry/,
      );
      expect(result.stderr).toMatch(
        /note: ltth-profile\.db is in an older format: it was imported as livetally upgrades it \(the file itself is unchanged\)/,
      );
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      const pool = openPgPool(url);
      const pg = await PgProfileStore.open(pool, 'veteran');
      try {
        const [entry] = await pg.listSessions();
        expect(entry).toMatchObject({
          endReason: 'imported',
          stats: { viewers: 15, likes: 700, totalCoins: 321, followers: 4, shares: 1, gifts: 9 },
        });
        expect((await pg.loadCurrent())?.stats.likes).toBe(700);
      } finally {
        await pg.close();
        await pool.end();
      }
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
  });

  it('refuses a damaged or foreign file, and writes nothing', async () => {
    const url = await freshDatabase(clusterUrl, 'import_bad');
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-import-bad-'));
    try {
      // Not SQLite at all; SQLite but not livetally's; a livetally file with damaged pages.
      const text = path.join(bad, 'notes.db');
      fs.writeFileSync(text, 'these are my notes, not a database\n'.repeat(100));
      const foreign = writeLtthDatabase(bad, { users: [] }, 'foreign.db');
      const damaged = path.join(bad, 'damaged.db');
      fs.copyFileSync(file, damaged);
      const bytes = fs.readFileSync(damaged);
      const pageSize = bytes.readUInt16BE(16) || 65536;
      for (let page = 2; page * pageSize < bytes.length; page += 3) {
        bytes.fill(0x5a, page * pageSize + 40, page * pageSize + 400);
      }
      fs.writeFileSync(damaged, bytes);

      for (const [target, message] of [
        [text, /notes\.db is not a readable livetally database/],
        [
          foreign,
          /the file holds no livetally profile \(no stats, history or goals; tables of another program such as "settings"\)/,
        ],
        [
          damaged,
          /damaged\.db is not a readable livetally database|damaged; nothing was written|could not be read to the end/,
        ],
        [path.join(bad, 'missing.db'), /missing\.db does not exist/],
      ] as const) {
        const before = fs.existsSync(target) ? fs.readFileSync(target) : undefined;
        const result = cli(['import', 'sqlite', target, '--profile', 'x', '--database', url]);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(message);
        expect(result.stderr.trim().split('\n')).toHaveLength(1); // one line, no stack
        if (before) expect(fs.readFileSync(target).equals(before)).toBe(true);
      }
      const pool = openPgPool(url);
      try {
        // Refused before the database was even set up, or with nothing in it.
        const { rows } = await pool.query("SELECT to_regclass('profiles') AS t");
        if (rows[0].t !== null) {
          expect((await pool.query('SELECT count(*) AS n FROM profiles')).rows[0].n).toBe(0);
        }
      } finally {
        await pool.end();
      }
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });

  it('says what is wrong with the command before touching anything', () => {
    const noUrl = cli(['import', 'sqlite', file, '--profile', 'moving'], {
      LIVETALLY_DATABASE_URL: '',
    });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/say which database to import into: --database postgres:\/\//);
    const badName = cli([
      'import',
      'sqlite',
      file,
      '--profile',
      'a b',
      '--database',
      'postgres://x/y',
    ]);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toMatch(/profile name/);
    const badUrl = cli(['import', 'sqlite', file, '--database', 'mysql://x/y']);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toMatch(/is not a PostgreSQL URL/);
  });
});
