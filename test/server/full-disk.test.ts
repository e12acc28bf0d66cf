import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsResponse } from '../../src/shared/api-types.js';
import { spawnCli } from '../helpers/cli.js';
import { generateRecording } from '../helpers/recordings.js';
import { waitFor } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { mountTinyDisk, skipBecause, type TinyDisk } from '../helpers/tiny-disk.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** `livetally start` on the tiny disk, counting a 10-minute recording at 5× speed. */
async function startOn(disk: TinyDisk) {
  const replayDir = tempDir();
  generateRecording(replayDir, { seed: 61, durationSec: 600, streamer: 'alice' }, 'alice.ndjson');
  const child = spawnCli([
    '--data-dir',
    disk.dir,
    'start',
    '--port',
    '0',
    '--replay-dir',
    replayDir,
    '--speed',
    '5',
  ]);
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\//.exec(output.stdout)?.[0], 20_000);
  return { child, output, exited, url };
}

/** A request that must be answered within 3 s (it hung before). */
async function call(url: string, method = 'GET', body?: unknown) {
  const response = await fetch(url, {
    method,
    signal: AbortSignal.timeout(3000),
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether process `pid` has `file` (or its -wal / -shm) open (Linux: /proc/PID/fd). */
function holdsOpen(pid: number, file: string): boolean {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone (or no /proc)
  }
  return fds.some((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(file);
    } catch {
      return false;
    }
  });
}

const stats = async (url: string) => (await call(`${url}api/stats`)).json as StatsResponse;

describe('livetally start while saving fails (the disk is full)', () => {
  it('keeps answering, shows why in /api/stats, refuses what needs the file, and saves all once space returns', async () => {
    const disk = mountTinyDisk(8192);
    if (typeof disk === 'string') return skipBecause(disk);
    const server = await startOn(disk);
    const { url } = server;
    expect((await call(`${url}api/profiles`, 'POST', { name: 'other' })).status).toBe(201);
    expect((await call(`${url}api/connection`, 'POST', { streamer: 'alice' })).status).toBe(200);
    await until(async () => ((await stats(url)).stats.likes > 0 ? true : undefined));

    disk.fill();
    const failing = await until(async () => {
      const view = await stats(url);
      return view.storage.ok ? undefined : view;
    });
    expect(failing.storage.error?.code).toBe('disk_full');
    expect(failing.storage.error?.message).toMatch(/the disk holding .* is full/);
    expect(failing.storage.unsavedSince).toBeGreaterThan(Date.now() - 60_000);
    expect(failing.connection.state).toBe('connected'); // counting goes on in memory

    // Everything answers at once; what needs the file is refused, saying why.
    const activate = await call(`${url}api/profiles/other/activate`, 'POST');
    expect(activate.status).toBe(503);
    expect(activate.json).toMatchObject({ error: { code: 'storage_failing' } });
    const reset = await call(`${url}api/stats/reset`, 'POST');
    expect(reset.status).toBe(507);
    expect(reset.json).toMatchObject({ error: { code: 'disk_full' } });
    expect((await call(`${url}api/sessions`)).status).toBe(200);
    expect((await stats(url)).profile).toBe('default');

    // Space comes back: what was counted meanwhile reaches the file.
    const countedBefore = (await stats(url)).stats.likes;
    disk.free();
    const saved = await until(async () => {
      const view = await stats(url);
      return view.storage.ok && (view.saved?.stats.likes ?? 0) >= countedBefore ? view : undefined;
    });
    expect(saved.storage).toEqual({ ok: true, error: null, unsavedSince: null });
    expect(server.output.stderr).toContain('saving works again');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 90_000);

  it('stops at SIGTERM within its deadline with exit 1 and what was not saved, holding the lock until it let go', async () => {
    const disk = mountTinyDisk(8192);
    if (typeof disk === 'string') return skipBecause(disk);
    const server = await startOn(disk);
    const lock = path.join(disk.dir, 'livetally.lock');
    expect((await call(`${server.url}api/connection`, 'POST', { streamer: 'alice' })).status).toBe(
      200,
    );
    disk.fill();
    await waitFor(() => server.output.stderr.includes('could not save the stats'), 20_000);

    const stoppedAt = Date.now();
    server.child.kill('SIGTERM');
    // The lock stays for as long as the process has the profile's file open: no second
    // writer can start beside it.
    const profile = path.join(disk.dir, 'user_configs', 'default.db');
    let lockMissingWhileOpen = false;
    let sawItOpen = false; // the check above is not vacuous
    while (server.child.exitCode === null && Date.now() - stoppedAt < 20_000) {
      // In this order: open after the lock was seen gone is open without the lock.
      const lockGone = !fs.existsSync(lock);
      const open = holdsOpen(server.child.pid!, profile);
      sawItOpen ||= open;
      if (lockGone && open) lockMissingWhileOpen = true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(sawItOpen).toBe(true);
    expect(lockMissingWhileOpen).toBe(false);
    expect(server.child.exitCode).toBe(1);
    expect(Date.now() - stoppedAt).toBeLessThan(12_000);
    expect(server.output.stderr).toMatch(/the stats counted since [\d:]+ could not be saved/);
    expect(server.output.stderr).toMatch(/the disk holding .* is full/);
    expect(fs.existsSync(lock)).toBe(false);
  }, 90_000);
});
