import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { cli, cliJson } from '../helpers/cli.js';
import { writeLtthDatabase, type LtthUser } from '../helpers/ltth.js';
import { tempDir } from '../helpers/temp-dir.js';

// `livetally import ltth FILE`: a real process, a real helper-app database built with the
// helper's schema, the resulting profile read back through its own file.

const SODA: LtthUser = {
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
};

const STREAM_STATS = {
  viewers: 120,
  likes: 5000,
  total_coins: 1234,
  followers: 12,
  shares: 3,
  gifts: 77,
  updated_at: '2026-02-01 21:30:00',
};

function fingerprint(file: string) {
  const stat = fs.statSync(file);
  return { bytes: fs.readFileSync(file), mtimeMs: stat.mtimeMs, size: stat.size };
}

function readProfile(dataDir: string, profile: string) {
  const store = ProfileStore.open(path.join(dataDir, 'user_configs', `${profile}.db`), {
    readonly: true,
  });
  return store;
}

/** Everything an import may change, as plain rows, to compare before and after. */
async function dumpHistory(dataDir: string, profile: string) {
  const store = readProfile(dataDir, profile);
  try {
    return {
      sessions: store.listSessions(),
      viewers: await store.history.allViewers(),
    };
  } finally {
    store.close();
  }
}

describe('livetally import ltth', () => {
  it('brings the stream stats in as a history entry and the viewers as all-time totals', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const second: LtthUser = {
      ...SODA,
      streamer_id: 'alice_second_account',
      total_coins_sent: 50,
      total_gifts_sent: 5,
      total_likes: 1,
      first_seen_at: '2025-11-01 10:00:00',
      last_seen_at: '2025-11-02 10:00:00',
    };
    const file = writeLtthDatabase(dir, {
      streamStats: STREAM_STATS,
      users: [
        SODA,
        second,
        { user_id: '42', streamer_id: 'alice', username: 'Lurker', unique_id: 'lurker' },
      ],
    });
    const before = fingerprint(file);

    const result = cliJson<{ applied: boolean; viewers: number; sessionId: number }>([
      '--data-dir',
      data,
      'import',
      'ltth',
      file,
      '--profile',
      'from-ltth',
    ]);
    expect(result).toMatchObject({ applied: true, viewers: 3 });

    // The source is never written: same bytes, same time, nothing created beside it.
    const after = fingerprint(file);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(fs.readdirSync(dir).sort()).toEqual(['data', 'ltth-profile.db']);

    const store = readProfile(data, 'from-ltth');
    try {
      const sessions = store.listSessions();
      expect(sessions).toHaveLength(1);
      expect(sessions[0]).toMatchObject({
        streamer: 'unknown', // two streamer ids in the file: which one is not known
        endReason: 'imported',
        startedAt: Date.UTC(2026, 1, 1, 21, 30),
        stats: {
          viewers: 120,
          likes: 5000,
          totalCoins: 1234,
          followers: 12,
          shares: 3,
          gifts: 77,
        },
      });
      // Summed over the helper's streamer ids.
      const soda = await store.history.viewer(SODA.user_id as string);
      expect(soda).toMatchObject({
        handle: 'soda_2045',
        nickname: 'Soda',
        coins: 550,
        gifts: 25,
        likes: 101,
        comments: 14,
        shares: 4,
        follows: 2,
        firstSeen: Date.UTC(2025, 10, 1, 10),
        lastSeen: Date.UTC(2026, 1, 1, 21),
        sessions: 0,
        imported: true,
      });
      const board = await store.history.leaderboard({
        metric: 'coins',
        scope: { kind: 'all' },
        limit: 10,
      });
      expect(board.map((v) => [v.userId, v.coins])).toEqual([[SODA.user_id, 550]]);
      expect(await store.history.viewer('42')).toMatchObject({ coins: 0, imported: true });
    } finally {
      store.close();
    }
  });

  it('changes nothing when the same file is imported again', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const file = writeLtthDatabase(dir, { streamStats: STREAM_STATS, users: [SODA] });
    expect(cli(['--data-dir', data, 'import', 'ltth', file]).code).toBe(0);
    const first = await dumpHistory(data, 'default');
    const profileFile = path.join(data, 'user_configs', 'default.db');

    const again = cli(['--data-dir', data, 'import', 'ltth', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/was already imported into profile "default" .*nothing changed/);
    expect(await dumpHistory(data, 'default')).toEqual(first);
    expect(fs.existsSync(profileFile)).toBe(true);

    // A copy of the same file elsewhere is the same content: recognised too.
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(file, copy);
    expect(cliJson(['--data-dir', data, 'import', 'ltth', copy])).toMatchObject({
      applied: false,
    });
    expect(await dumpHistory(data, 'default')).toEqual(first);
  });

  it('replaces, not adds, what an older copy of the same helper database said', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const older = writeLtthDatabase(dir, { streamStats: STREAM_STATS, users: [SODA] }, 'old.db');
    const newer = writeLtthDatabase(
      dir,
      {
        streamStats: STREAM_STATS,
        users: [{ ...SODA, total_coins_sent: 800, total_gifts_sent: 30 }],
      },
      'new.db',
    );
    expect(cli(['--data-dir', data, 'import', 'ltth', older]).code).toBe(0);
    expect(cli(['--data-dir', data, 'import', 'ltth', newer]).code).toBe(0);
    const store = readProfile(data, 'default');
    try {
      expect(await store.history.viewer(SODA.user_id as string)).toMatchObject({
        coins: 800,
        gifts: 30,
      });
      // The same stream_stats row (same time) is the same entry, not a second one.
      expect(store.listSessions()).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('reads what a running helper left in its write-ahead log, without touching it', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const file = writeLtthDatabase(dir, { streamStats: STREAM_STATS, users: [SODA], wal: true });
    const wal = `${file}-wal`;
    expect(fs.statSync(wal).size).toBeGreaterThan(0);
    const before = { db: fingerprint(file), wal: fingerprint(wal) };
    expect(cli(['--data-dir', data, 'import', 'ltth', file]).code).toBe(0);
    expect(fingerprint(file).bytes.equals(before.db.bytes)).toBe(true);
    expect(fingerprint(wal).bytes.equals(before.wal.bytes)).toBe(true);
    expect(fingerprint(file).mtimeMs).toBe(before.db.mtimeMs);
    expect(fs.existsSync(`${file}-shm`)).toBe(false);
    const store = readProfile(data, 'default');
    try {
      expect(await store.history.viewer(SODA.user_id as string)).toMatchObject({ coins: 500 });
    } finally {
      store.close();
    }
  });

  it('cleans bad values and says how many, keeping 19-digit ids exact', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const file = writeLtthDatabase(dir, {
      streamStats: { ...STREAM_STATS, likes: -40, updated_at: 'yesterday' },
      users: [
        { ...SODA, user_id: 7000000000000000001n, total_coins_sent: -5, total_gifts_sent: 'x' },
        { ...SODA, user_id: '', streamer_id: 'x' },
        { ...SODA, user_id: '77', total_likes: 3.5, first_seen_at: 'not a date' },
      ],
    });
    const result = cli(['--data-dir', data, 'import', 'ltth', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('note: 1 row without a user id skipped');
    expect(result.stderr).toContain(
      'note: 4 values that were not valid counts set to 0 or limited',
    );
    expect(result.stderr).toContain('note: 2 unreadable times left empty');
    const store = readProfile(data, 'default');
    try {
      expect(await store.history.viewer('7000000000000000001')).toMatchObject({
        coins: 0,
        gifts: 0,
      });
      expect(await store.history.viewer('77')).toMatchObject({ likes: 3 });
      expect(store.listSessions()[0]!.stats.likes).toBe(0);
    } finally {
      store.close();
    }
  });

  it('refuses what is not a helper database, with a clear line, creating nothing', () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'these are not the droids you are looking for\n'.repeat(10));
    const notSqlite = cli(['--data-dir', data, 'import', 'ltth', text]);
    expect(notSqlite.code).toBe(1);
    expect(notSqlite.stderr.trim()).toBe(
      'livetally: notes.db is not an SQLite database; give the path of a Little TikTool Helper profile database (.db)',
    );

    const other = writeLtthDatabase(dir, {}, 'other.db');
    const db = new Database(other);
    db.exec('DROP TABLE stream_stats; DROP TABLE user_statistics;');
    db.close();
    const noTables = cli(['--data-dir', data, 'import', 'ltth', other]);
    expect(noTables.code).toBe(1);
    expect(noTables.stderr).toMatch(/has neither a user_statistics nor a stream_stats table/);

    const missing = cli(['--data-dir', data, 'import', 'ltth', path.join(dir, 'nope.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.db does not exist/);

    const badName = cli(['--data-dir', data, 'import', 'ltth', other, '--profile', '../x']);
    expect(badName.code).toBe(2);
    expect(fs.existsSync(data)).toBe(false);
  });
});
