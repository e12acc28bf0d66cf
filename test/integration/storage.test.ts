import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LivetallyError } from '../../src/domain/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/storage/migrations/index.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const STATS = {
  viewers: 100,
  likes: 500,
  totalCoins: 10000,
  followers: 50,
  shares: 25,
  gifts: 100,
};

function open(dir: string, name: string) {
  return ProfileStore.open(path.join(dir, `${name}.db`), { create: true });
}

function thrownBy(fn: () => unknown): LivetallyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LivetallyError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('stream stats persistence (the original five cases)', () => {
  it('keeps profiles isolated: one file each, nothing shared', () => {
    const dir = tempDir();
    const a = open(dir, 'streamer1');
    const b = open(dir, 'streamer2');
    a.saveStreamStats(STATS);
    b.saveStreamStats({ ...STATS, viewers: 200, totalCoins: 25000 });
    expect(a.loadStreamStats()).toEqual(STATS);
    expect(b.loadStreamStats()).toEqual({ ...STATS, viewers: 200, totalCoins: 25000 });
    a.resetStreamStats();
    expect(b.loadStreamStats()?.totalCoins).toBe(25000);
    a.close();
    b.close();
  });

  it('keeps the stats across a reopen (a restart)', () => {
    const dir = tempDir();
    const first = open(dir, 'p');
    first.saveStreamStats(STATS);
    first.close();
    const again = open(dir, 'p');
    expect(again.loadStreamStats()).toEqual(STATS);
    expect(again.loadCurrent()?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    again.close();
  });

  it('resets all six to zero', () => {
    const store = open(tempDir(), 'p');
    store.saveStreamStats(STATS);
    store.resetStreamStats();
    expect(store.loadStreamStats()).toEqual({
      viewers: 0,
      likes: 0,
      totalCoins: 0,
      followers: 0,
      shares: 0,
      gifts: 0,
    });
    store.close();
  });

  it('returns null from a new database', () => {
    const store = open(tempDir(), 'fresh');
    expect(store.loadStreamStats()).toBeNull();
    expect(store.loadCurrent()).toBeNull();
    store.close();
  });

  it('saves partial updates over earlier values', () => {
    const store = open(tempDir(), 'p');
    store.saveStreamStats(STATS);
    store.saveStreamStats({ ...STATS, likes: 750, gifts: 120 });
    expect(store.loadStreamStats()).toEqual({ ...STATS, likes: 750, gifts: 120 });
    store.close();
  });
});

describe('files', () => {
  it('creates profile files readable by their owner only', () => {
    const dir = tempDir();
    open(dir, 'p').close();
    expect(fs.statSync(path.join(dir, 'p.db')).mode & 0o777).toBe(0o600);
  });

  it('opens a file written by the original program with its values, then migrates it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.db');
    const legacy = new Database(file);
    legacy.exec(`CREATE TABLE IF NOT EXISTS stream_stats (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        viewers INTEGER DEFAULT 0, likes INTEGER DEFAULT 0, total_coins INTEGER DEFAULT 0,
        followers INTEGER DEFAULT 0, shares INTEGER DEFAULT 0, gifts INTEGER DEFAULT 0,
        updated_at DATETIME DEFAULT CURRENT_TIMESTAMP)`);
    legacy.exec(`CREATE TABLE viewer_profiles (name TEXT, xp INTEGER)`);
    legacy
      .prepare(
        `INSERT INTO stream_stats (id, viewers, likes, total_coins, followers, shares, gifts, updated_at)
         VALUES (1, 100, 500, 10000, 50, 25, 100, '2025-12-16 10:00:00')`,
      )
      .run();
    legacy.close();

    const notices: string[] = [];
    const store = ProfileStore.open(file, { onNotice: (m) => notices.push(m) });
    expect(store.loadStreamStats()).toEqual(STATS);
    expect(store.loadCurrent()?.updatedAt).toBe('2025-12-16T10:00:00.000Z');
    // the old numbers are also kept as the first history entry
    expect(store.listSessions()).toMatchObject([
      { endReason: 'imported', stats: STATS, startedAt: Date.UTC(2025, 11, 16, 10) },
    ]);
    store.close();

    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(check.prepare('SELECT count(*) AS n FROM viewer_profiles').get()).toEqual({ n: 0 });
    check.close();
    const backups = fs.readdirSync(dir).filter((f) => f.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(notices.join()).toContain(backups[0]);
    const backup = new Database(path.join(dir, backups[0]!), { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(0);
    expect(backup.prepare('SELECT likes FROM stream_stats').get()).toEqual({ likes: 500 });
    backup.close();
  });

  it('refuses a file from a newer livetally and leaves it untouched', () => {
    const dir = tempDir();
    const file = path.join(dir, 'future.db');
    const future = new Database(file);
    future.exec('CREATE TABLE stream_stats (id INTEGER PRIMARY KEY, likes INTEGER)');
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    const before = fs.readFileSync(file);
    const error = thrownBy(() => ProfileStore.open(file));
    expect(error.code).toBe('newer_database');
    expect(error.message).toMatch(/newer livetally/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['future.db']);
  });

  it.each([
    ['random bytes', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256))],
    ['a text file', Buffer.from('these are my notes, not a database\n'.repeat(50))],
    [
      'an SQLite header followed by garbage',
      Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(8176, 0xab)]),
    ],
  ])('refuses %s with a clear message, byte for byte untouched', (_name, bytes) => {
    const dir = tempDir();
    const file = path.join(dir, 'broken.db');
    fs.writeFileSync(file, bytes);
    const error = thrownBy(() => ProfileStore.open(file));
    expect(error.code).toBe('corrupt_database');
    expect(error.message).toMatch(/broken\.db is not a readable livetally database/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['broken.db']);
  });

  it('opens read-only without writing, beside a writer', () => {
    const dir = tempDir();
    const file = path.join(dir, 'p.db');
    const writer = ProfileStore.open(file, { create: true });
    writer.saveStreamStats(STATS);
    const reader = ProfileStore.open(file, { readonly: true });
    expect(reader.loadStreamStats()).toEqual(STATS);
    expect(() => reader.saveStreamStats(STATS)).toThrow(/read-only/);
    writer.saveStreamStats({ ...STATS, likes: 1 });
    expect(reader.loadStreamStats()?.likes).toBe(1);
    reader.close();
    writer.close();
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3… in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('give the same schema whether a file starts new or from the original table', () => {
    const dir = tempDir();
    const fresh = path.join(dir, 'fresh.db');
    ProfileStore.open(fresh, { create: true }).close();
    const old = path.join(dir, 'old.db');
    const legacy = new Database(old);
    legacy.exec(MIGRATIONS[0]!.sql);
    legacy.close();
    ProfileStore.open(old).close();
    const schema = (file: string) => {
      const db = new Database(file, { readonly: true });
      const rows = db
        .prepare(
          "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all();
      db.close();
      return rows;
    };
    expect(schema(old)).toEqual(schema(fresh));
  });

  it('upgrade a version-2 file: samples labelled by bucket end, an open entry ends at its latest sample', () => {
    const file = path.join(tempDir(), 'v2.db');
    const v2 = new Database(file);
    v2.exec(MIGRATIONS[0]!.sql + MIGRATIONS[1]!.sql + 'PRAGMA user_version = 2;');
    const start = 1_795_201_200_000;
    v2.exec(`INSERT INTO sessions (id, streamer, room_id, started_at, ended_at, end_reason, likes, updated_at)
               VALUES (1, 'alice', 'r1', ${start}, ${start + 25_000.75}, 'ended', 7, ${start + 99e6}),
                      (2, 'alice', 'r2', ${start + 60_000}, NULL, NULL, 3, ${start + 99e6});
             INSERT INTO session_samples VALUES (1, ${start}, 1, 2, 0, 0, 0, 0),
                                                (1, ${start + 10_000}, 1, 7, 0, 0, 0, 0),
                                                (2, ${start + 60_000}, 1, 1, 0, 0, 0, 0),
                                                (2, ${start + 70_000}, 1, 3, 0, 0, 0, 0);`);
    v2.close();
    const store = ProfileStore.open(file);
    expect(store.sessionSeries(1).map((p) => [p.t - start, p.likes])).toEqual([
      [10_000, 2],
      [20_000, 7],
    ]);
    expect(store.closeInterrupted()).toBe(1);
    expect(store.getSession(1)).toMatchObject({ endedAt: start + 25_000, endReason: 'ended' });
    // closed by the broadcast's clock (its latest sample), not the wall clock of updated_at
    expect(store.getSession(2)).toMatchObject({
      endedAt: start + 70_000,
      endReason: 'interrupted',
    });
    store.close();
  });
});
