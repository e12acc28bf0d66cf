import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, cliJson, DEMO, spawnCli } from '../helpers/cli.js';
import { snapshotDir } from '../helpers/dir-snapshot.js';
import { tempDir } from '../helpers/temp-dir.js';
import { mountTinyDisk, skipBecause } from '../helpers/tiny-disk.js';
import type { ChildProcess } from 'node:child_process';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A data directory whose default profile holds the demo broadcast. */
function profileWithHistory(): { data: string; file: string } {
  const data = tempDir();
  expect(cli(['--data-dir', data, 'replay', DEMO]).code).toBe(0);
  return { data, file: path.join(data, 'user_configs', 'default.db') };
}

/**
 * Writing commands take (and drop) the lock in the data directory; the profiles folder is
 * what must stay as it was, to the byte and the timestamp.
 */
const profilesOf = (data: string) => path.join(data, 'user_configs');

/** Overwrites one page in the middle of the file, as a failing disk or a stray tool might. */
function damagePage(file: string, page = 39): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * page);
  } finally {
    fs.closeSync(fd);
  }
}

/** `livetally start`'s exit code, or 'running' if it did not exit within 15 s. */
async function startExit(data: string) {
  const child = spawnCli(['--data-dir', data, 'start', '--port', '0']);
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once('exit', resolve)),
    new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 15_000)),
  ]);
  return { code, stderr };
}

const COMMANDS = [
  ['stats'],
  ['stats', '--json'],
  ['sessions'],
  ['export', '--format', 'csv'],
  ['export', '--session', '1', '--format', 'json'],
  ['reset'],
  ['replay', DEMO],
];

describe('a profile damaged inside (one page overwritten)', () => {
  it('is refused by every command with a clear message, byte for byte untouched', async () => {
    const { data, file } = profileWithHistory();
    expect(fs.statSync(file).size).toBeGreaterThan(4096 * 40);
    damagePage(file);
    const before = snapshotDir(data);
    const files = snapshotDir(data, { folderTimes: false });
    for (const args of COMMANDS.slice(0, 5)) {
      const result = cli(['--data-dir', data, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(
        /default\.db is not a readable livetally database: it is damaged/,
      );
    }
    // Read-only commands touched nothing at all; writing ones take and drop the lock, and
    // their probe of the file creates and removes SQLite's side files next to it.
    expect(snapshotDir(data)).toEqual(before);
    for (const args of COMMANDS) {
      const result = cli(['--data-dir', data, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(
        /default\.db is not a readable livetally database: it is damaged/,
      );
      expect(result.stdout).toBe('');
    }
    const started = await startExit(data);
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(
      /default\.db is not a readable livetally database: it is damaged/,
    );
    expect(snapshotDir(data, { folderTimes: false })).toEqual(files);
  }, 60_000);

  it('notices damage done after livetally closed the file cleanly', () => {
    const { data, file } = profileWithHistory();
    // closed cleanly: the note lets the next open skip the full check …
    expect(fs.existsSync(`${file}-checked`)).toBe(true);
    expect(cli(['--data-dir', data, 'stats']).code).toBe(0);
    // … but a change by anything else (here: the same bytes written back) brings it back
    const bytes = fs.readFileSync(file);
    damagePage(file);
    fs.writeFileSync(file, bytes);
    expect(cli(['--data-dir', data, 'stats']).code).toBe(0);
    damagePage(file);
    expect(cli(['--data-dir', data, 'stats']).code).toBe(1);
  });
});

describe('a file that claims the current schema but lacks its tables', () => {
  it('is refused before anything is written, the journal mode included', () => {
    const data = tempDir();
    fs.mkdirSync(path.join(data, 'user_configs'), { recursive: true });
    const file = path.join(data, 'user_configs', 'default.db');
    const db = new Database(file);
    db.exec('CREATE TABLE x (a)');
    db.pragma('user_version = 2');
    db.close();
    const before = snapshotDir(profilesOf(data));
    for (const args of COMMANDS) {
      const result = cli(['--data-dir', data, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(
        'default.db says it is a livetally database (schema 2) but its table "stream_stats" is missing',
      );
      expect(result.stderr).not.toContain('unexpected error');
    }
    expect(snapshotDir(profilesOf(data))).toEqual(before);
    expect(fs.readFileSync(file)[18]).toBe(1); // still a rollback-journal file, not WAL
  });

  it('is refused when a table lacks a column', () => {
    const data = tempDir();
    fs.mkdirSync(path.join(data, 'user_configs'), { recursive: true });
    const file = path.join(data, 'user_configs', 'default.db');
    const db = new Database(file);
    db.exec('CREATE TABLE stream_stats (id INTEGER PRIMARY KEY, likes INTEGER)');
    db.close();
    const before = snapshotDir(profilesOf(data));
    const result = cli(['--data-dir', data, 'reset']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('its table "stream_stats" lacks the columns "viewers"');
    expect(snapshotDir(profilesOf(data))).toEqual(before);
  });
});

describe('a data directory on a read-only file system', () => {
  it('is read as it is, and writing commands say it is read-only', () => {
    const disk = mountTinyDisk(4096);
    if (typeof disk === 'string') return skipBecause(disk);
    expect(cli(['--data-dir', disk.dir, 'replay', DEMO]).code).toBe(0);
    const saved = cliJson<{ stats: unknown }>(['--data-dir', disk.dir, 'stats']).stats;
    disk.readOnly(true);
    expect(cliJson<{ stats: unknown }>(['--data-dir', disk.dir, 'stats']).stats).toEqual(saved);
    expect(cli(['--data-dir', disk.dir, 'sessions']).code).toBe(0);
    expect(cli(['--data-dir', disk.dir, 'export', '--format', 'csv']).code).toBe(0);
    for (const args of [['reset'], ['replay', DEMO], ['profiles', 'create', 'x']]) {
      const result = cli(['--data-dir', disk.dir, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(
        `livetally: the data directory ${disk.dir} is on a read-only file system`,
      );
      expect(result.stderr).not.toContain('unexpected error');
    }
  });
});

describe('a profile path taken by a folder or a symbolic link', () => {
  it('is refused by name with the reason, and the link is never followed', () => {
    const data = tempDir();
    const profiles = path.join(data, 'user_configs');
    fs.mkdirSync(path.join(profiles, 'bad.db'), { recursive: true });
    const outside = path.join(tempDir(), 'elsewhere.db');
    fs.writeFileSync(outside, 'not mine');
    fs.symlinkSync(outside, path.join(profiles, 'linked.db'));

    const folder = cli(['--data-dir', data, 'profiles', 'create', 'bad']);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`${path.join(profiles, 'bad.db')} is a folder`);
    const link = cli(['--data-dir', data, 'profiles', 'create', 'Linked']);
    expect(link.code).toBe(1);
    expect(link.stderr).toContain('is a symbolic link');
    const replay = cli(['--data-dir', data, 'replay', '--profile', 'linked', DEMO]);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain('is a symbolic link');
    expect(fs.readFileSync(outside, 'utf8')).toBe('not mine');
    expect(fs.readdirSync(path.dirname(outside))).toEqual(['elsewhere.db']);
  });
});
