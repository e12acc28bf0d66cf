import Database from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RecordingGenerator,
  recordingLines,
} from '../../src/sources/replay/recording-generator.js';
import { cli, cliJson, DEMO, spawnCli } from '../helpers/cli.js';
import { testServer, waitFor } from '../helpers/server.js';
import { mountTinyDisk, skipBecause } from '../helpers/tiny-disk.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** The bundled demo's numbers (see cli.test.ts: the demo is this generator's output). */
function demoTruth() {
  const generator = new RecordingGenerator({ seed: 2026, durationSec: 240 });
  for (const line of recordingLines(generator)) void line;
  return generator.truth.stats;
}

function replay(dataDir: string, speed: string) {
  const child = spawnCli(['--data-dir', dataDir, 'replay', DEMO, '--speed', speed]);
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output, exited };
}

/** The exit code, or 'running' when the process has not ended within `ms`. */
function exitWithin(run: { exited: Promise<number | null> }, ms: number) {
  return Promise.race([
    run.exited,
    new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms)),
  ]);
}

describe('a replay while saving fails (the disk is full)', () => {
  it('stops at SIGTERM within its deadline, says what was not saved, exits 1 and lets go of the lock', async () => {
    const disk = mountTinyDisk(4096);
    if (typeof disk === 'string') return skipBecause(disk);
    const run = replay(disk.dir, '20');
    await waitFor(() => run.output.stderr.includes('counting @'), 20_000);
    disk.fill();
    await waitFor(() => run.output.stderr.includes('could not save the stats'), 20_000);

    const stoppedAt = Date.now();
    run.child.kill('SIGTERM');
    const code = await exitWithin(run, 15_000);
    expect(code).toBe(1);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(run.output.stderr).toMatch(/the stats counted since [\d:]+ could not be saved/);
    expect(run.output.stderr).toMatch(/the disk holding .* is full/);
    expect(run.output.stderr).not.toContain('unexpected error');
    expect(fs.existsSync(path.join(disk.dir, 'livetally.lock'))).toBe(false);

    disk.free();
    const db = new Database(path.join(disk.dir, 'user_configs', 'default.db'), {
      readonly: true,
    });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 60_000);

  it('keeps everything it counted and saves it once space returns', async () => {
    const disk = mountTinyDisk(4096);
    if (typeof disk === 'string') return skipBecause(disk);
    const run = replay(disk.dir, '20');
    await waitFor(() => run.output.stderr.includes('counting @'), 20_000);
    disk.fill();
    await waitFor(() => run.output.stderr.includes('could not save the stats'), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // several failed saves
    disk.free();
    expect(await exitWithin(run, 45_000)).toBe(0);
    expect(run.output.stderr).toContain('saving works again');
    const stats = cliJson<{ stats: unknown }>(['--data-dir', disk.dir, 'stats']);
    expect(stats.stats).toEqual(demoTruth());
    const sessions = cliJson<{ sessions: { stats: unknown; endReason: string }[] }>([
      '--data-dir',
      disk.dir,
      'sessions',
    ]);
    expect(sessions.sessions).toMatchObject([{ stats: demoTruth(), endReason: 'ended' }]);
  }, 60_000);

  it('refuses writing commands with a plain "disk is full", creating nothing', () => {
    const disk = mountTinyDisk(4096);
    if (typeof disk === 'string') return skipBecause(disk);
    expect(cli(['--data-dir', disk.dir, 'replay', DEMO]).code).toBe(0);
    disk.fill();
    for (const args of [['profiles', 'create', 'newcomer'], ['reset']]) {
      const result = cli(['--data-dir', disk.dir, ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /the disk holding .* is full .*; free some space and try again/,
      );
      expect(result.stderr).not.toContain('unexpected error');
    }
    expect(fs.existsSync(path.join(disk.dir, 'user_configs', 'newcomer.db'))).toBe(false);
    expect(fs.existsSync(path.join(disk.dir, 'livetally.lock'))).toBe(false);
    disk.free();
    expect(cliJson<{ stats: unknown }>(['--data-dir', disk.dir, 'stats']).stats).toEqual(
      demoTruth(),
    );
  }, 60_000);
});

describe('goals while the disk is full', () => {
  it('a goal that cannot be written answers 507 disk_full, in plain words, and changes nothing', async () => {
    const disk = mountTinyDisk(4096);
    if (typeof disk === 'string') return skipBecause(disk);
    const server = await testServer({ dataDir: disk.dir });
    const create = (target: number) =>
      server.app.inject({
        method: 'POST',
        url: '/api/goals',
        headers: { host: server.host },
        payload: { metric: 'likes', target },
      });
    const first = await create(100);
    expect(first.statusCode, first.body).toBe(201);
    disk.fill();
    // SQLite may still find room in pages it holds; a few more goals fill those too.
    let refused: Awaited<ReturnType<typeof create>> | undefined;
    for (let i = 0; i < 200 && !refused; i += 1) {
      const response = await create(200 + i);
      if (response.statusCode !== 201) refused = response;
    }
    expect(refused?.statusCode).toBe(507);
    expect(refused?.json()).toMatchObject({
      error: { code: 'disk_full', message: expect.stringMatching(/is full/) },
    });
    const before = (await server.service.goals()).goals.length;
    disk.free();
    expect((await server.service.goals()).goals.length).toBe(before);
    await server.close();
  }, 60_000);
});
