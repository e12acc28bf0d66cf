import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, DEMO } from '../helpers/cli.js';
import { snapshotDir } from '../helpers/dir-snapshot.js';
import { connected, like } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';

interface StatsJson {
  profile: string;
  stats: Record<string, number> | null;
}

/** Every read-only command, as a streamer would run them. */
const READ_ONLY = (profile: string) => [
  ['stats'],
  ['stats', '--json'],
  ['stats', '--profile', profile],
  ['stats', '--profile', profile, '--json'],
  ['sessions'],
  ['sessions', '--profile', profile, '--json'],
  ['export', '--format', 'csv'],
  ['export', '--profile', profile, '--format', 'json'],
  ['profiles', 'list'],
  ['profiles', 'list', '--json'],
  ['status'],
  ['status', '--json'],
];

/** A profile file exactly as the original program created it. */
function originalSchemaProfile(file: string): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE IF NOT EXISTS stream_stats (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      viewers INTEGER DEFAULT 0, likes INTEGER DEFAULT 0, total_coins INTEGER DEFAULT 0,
      followers INTEGER DEFAULT 0, shares INTEGER DEFAULT 0, gifts INTEGER DEFAULT 0,
      updated_at DATETIME DEFAULT CURRENT_TIMESTAMP)`);
  db.prepare(
    `INSERT INTO stream_stats VALUES (1, 100, 500, 10000, 50, 25, 100, '2025-12-16 10:00:00')`,
  ).run();
  db.close();
}

describe('read-only commands', () => {
  it('write nothing at all: not a file, not a lock, not a migration, not a default profile', () => {
    const data = tempDir();
    expect(cli(['--data-dir', data, 'replay', DEMO]).code).toBe(0);
    expect(cli(['--data-dir', data, 'profiles', 'create', 'second']).code).toBe(0);
    originalSchemaProfile(path.join(data, 'user_configs', 'old.db'));
    const before = snapshotDir(data);
    const commands = [
      ...READ_ONLY('old'), // the ones without --profile read the active one: default
      ['stats', '--profile', 'second'],
      ['export', '--profile', 'second', '--format', 'csv'],
    ];
    for (const args of commands) {
      const result = cli(['--data-dir', data, ...args]);
      // `status` answers 1 when no server runs: that is its answer, not a failure.
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(args[0] === 'status' ? 1 : 0);
    }
    expect(snapshotDir(data)).toEqual(before);
  });

  it('show a file of the original program with its values, and say a writer will upgrade it', () => {
    const data = tempDir();
    fs.mkdirSync(path.join(data, 'user_configs'), { recursive: true });
    originalSchemaProfile(path.join(data, 'user_configs', 'old.db'));
    const before = snapshotDir(data);
    const result = cli(['--data-dir', data, 'stats', '--profile', 'old', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      profile: 'old',
      updatedAt: '2025-12-16T10:00:00.000Z',
      stats: { viewers: 100, likes: 500, totalCoins: 10000, followers: 50, shares: 25, gifts: 100 },
    });
    expect(result.stderr).toContain('the next writing command (start, replay, reset) upgrades it');
    const sessions = cliJson<{ sessions: { endReason: string; stats: { likes: number } }[] }>([
      '--data-dir',
      data,
      'sessions',
      '--profile',
      'old',
    ]);
    expect(sessions.sessions).toMatchObject([{ endReason: 'imported', stats: { likes: 500 } }]);
    expect(snapshotDir(data)).toEqual(before);
    // a writer then upgrades it, keeping a backup
    expect(cli(['--data-dir', data, 'reset', '--profile', 'old']).code).toBe(0);
    expect(fs.readdirSync(path.join(data, 'user_configs')).some((f) => f.endsWith('.bak'))).toBe(
      true,
    );
  });

  it('on a brand-new data directory create nothing, and `--profile default` works there', () => {
    const data = path.join(tempDir(), 'fresh');
    for (const args of READ_ONLY('default')) {
      const result = cli(['--data-dir', data, ...args]);
      // `status` answers 1 when no server runs: that is its answer, not a failure.
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(args[0] === 'status' ? 1 : 0);
    }
    expect(fs.existsSync(data)).toBe(false);
    expect(cliJson<StatsJson>(['--data-dir', data, 'stats', '--profile', 'default'])).toEqual({
      profile: 'default',
      streamer: null,
      roomId: null,
      updatedAt: null,
      updatedAtMs: null,
      stats: null,
    });
    const list = cliJson<{ active: string; profiles: { name: string; active: boolean }[] }>([
      '--data-dir',
      data,
      'profiles',
      'list',
    ]);
    expect(list).toMatchObject({
      active: 'default',
      profiles: [{ name: 'default', active: true }],
    });
    expect(fs.existsSync(data)).toBe(false);
  });
});

describe('--profile default on a brand-new data directory', () => {
  it('behaves like no --profile for writing commands too', () => {
    const file = writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 9 })]);
    const replayed = tempDir();
    const replay = cli(['--data-dir', replayed, 'replay', '--profile', 'default', file]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(
      cliJson<StatsJson>(['--data-dir', replayed, 'stats', '--profile', 'DEFAULT']),
    ).toMatchObject({ profile: 'default', stats: { likes: 9 } });
    const reset = tempDir();
    expect(cli(['--data-dir', reset, 'reset', '--profile', 'default']).code).toBe(0);
    expect(fs.existsSync(path.join(reset, 'user_configs', 'default.db'))).toBe(true);
  });

  it('does not let another profile take the name "default" in another case', () => {
    const data = tempDir();
    const taken = cli(['--data-dir', data, 'profiles', 'create', 'DEFAULT']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('a profile named "default" already exists');
    expect(fs.readdirSync(path.join(data, 'user_configs'))).toEqual(
      expect.arrayContaining(['default.db']),
    );
    expect(fs.existsSync(path.join(data, 'user_configs', 'DEFAULT.db'))).toBe(false);
  });
});
