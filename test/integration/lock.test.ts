import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLock } from '../../src/profiles/data-dir-lock.js';
import { cli } from '../helpers/cli.js';
import { connected, like } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';

const held: DataDirLock[] = [];
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
});

function recording() {
  return writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 7 })]);
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('one writer per data directory', () => {
  it('refuses a second writer with a message naming the holder', () => {
    const data = tempDir();
    held.push(DataDirLock.acquire(data, 'livetally start'));
    for (const args of [['replay', recording()], ['reset'], ['profiles', 'create', 'x']]) {
      const result = cli(['--data-dir', data, ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`pid ${process.pid} ("livetally start"`);
    }
    expect(fs.existsSync(path.join(data, 'user_configs', 'x.db'))).toBe(false);
  });

  it('lets read-only commands run beside a writer', () => {
    const data = tempDir();
    expect(cli(['--data-dir', data, 'replay', recording()]).code).toBe(0);
    held.push(DataDirLock.acquire(data, 'livetally start'));
    for (const args of [['stats'], ['sessions'], ['profiles', 'list']]) {
      expect(cli(['--data-dir', data, ...args, '--json']).code).toBe(0);
    }
    expect(cli(['--data-dir', data, 'stats']).stdout).toContain('7');
  });

  it('takes over a lock left by a process that died', () => {
    const data = tempDir();
    const pid = deadPid();
    fs.writeFileSync(
      path.join(data, 'livetally.lock'),
      JSON.stringify({ pid, command: 'livetally start', hostname: os.hostname(), startedAt: '' }),
    );
    const result = cli(['--data-dir', data, 'replay', recording()]);
    expect(result.code).toBe(0);
    expect(fs.existsSync(path.join(data, 'livetally.lock'))).toBe(false); // released at exit
  });

  it('takes over a lock whose pid now belongs to another process', () => {
    const data = tempDir();
    fs.writeFileSync(
      path.join(data, 'livetally.lock'),
      JSON.stringify({
        pid: process.pid, // alive, but not the process that wrote the lock
        command: 'livetally start',
        hostname: os.hostname(),
        startedAt: '',
        processStart: '1',
      }),
    );
    expect(DataDirLock.holder(data)).toBeNull();
    expect(cli(['--data-dir', data, 'replay', recording()]).code).toBe(0);
  });

  it('takes over a lock file left empty or garbled by a crash', () => {
    const data = tempDir();
    const file = path.join(data, 'livetally.lock');
    fs.writeFileSync(file, '{"pid": 12');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    expect(cli(['--data-dir', data, 'replay', recording()]).code).toBe(0);
  });

  it('releases the lock so the next writer can go', () => {
    const data = tempDir();
    const lock = DataDirLock.acquire(data, 'first');
    expect(() => DataDirLock.acquire(data, 'second')).toThrow(/pid \d+ \("first"/);
    lock.release();
    held.push(DataDirLock.acquire(data, 'second'));
  });
});
