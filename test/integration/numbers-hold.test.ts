import Database from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingGenerator } from '../../src/sources/replay/recording-generator.js';
import { cli, cliJson, DEMO, spawnCli } from '../helpers/cli.js';
import { generateRecording } from '../helpers/recordings.js';
import { waitFor } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface SessionJson {
  id: number;
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
  updatedAt: number;
  stats: Record<string, number>;
}

const sessions = (data: string) =>
  cliJson<{ sessions: SessionJson[] }>(['--data-dir', data, 'sessions']).sessions;
const stats = (data: string) =>
  cliJson<{ stats: Record<string, number> | null }>(['--data-dir', data, 'stats']).stats;

function replay(data: string, file: string): void {
  const result = cli(['--data-dir', data, 'replay', file]);
  expect(result.code, result.stderr).toBe(0);
}

function exportCsv(data: string): string {
  const result = cli(['--data-dir', data, 'export', '--session', '1', '--format', 'csv']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** Likes saved in the profile file so far (read beside the writer). */
function savedLikes(data: string): number {
  try {
    const db = new Database(path.join(data, 'user_configs', 'default.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT likes FROM stream_stats').get() as
        { likes: number } | undefined;
      return row?.likes ?? 0;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

/** Starts a paced replay and SIGKILLs it once it has saved some of the recording. */
async function killMidway(data: string, file: string, speed: number, minLikes: number) {
  const child = spawnCli(['--data-dir', data, 'replay', file, '--speed', String(speed)]);
  children.push(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitFor(() => savedLikes(data) >= minLikes || child.exitCode !== null, 60_000);
  expect(child.exitCode).toBeNull(); // still running: killed in the middle
  child.kill('SIGKILL');
  await exited;
  const likes = savedLikes(data);
  expect(likes).toBeGreaterThan(0);
  return likes;
}

describe('numbers that hold when a broadcast is counted again', () => {
  // The demo is the generator's output for seed 2026 over 240 s (see cli.test.ts).
  const demo = new RecordingGenerator({ seed: 2026, durationSec: 240 });
  const demoEvents = [...demo.events()].length;
  const demoTruth = demo.truth;

  it('the bundled demo replayed twice, or killed midway and replayed whole: the export is byte-identical to one clean pass', async () => {
    const clean = tempDir();
    replay(clean, DEMO);
    const expected = exportCsv(clean);
    expect(expected.split('\r\n').length).toBeGreaterThan(20);
    expect(demoEvents).toBeGreaterThan(20_000);

    const twice = tempDir();
    replay(twice, DEMO);
    replay(twice, DEMO);
    expect(exportCsv(twice)).toBe(expected);

    const killed = tempDir();
    const likes = await killMidway(killed, DEMO, 25, 2000);
    expect(likes).toBeLessThan(demoTruth.stats.likes);
    replay(killed, DEMO);
    expect(exportCsv(killed)).toBe(expected);
    for (const data of [clean, twice, killed]) {
      expect(stats(data)).toEqual(demoTruth.stats);
      expect(sessions(data)).toHaveLength(1);
    }
  }, 120_000);

  it('never counts a message twice over a whole broadcast, far beyond the recent ids', async () => {
    const dir = tempDir();
    const { file, truth } = generateRecording(dir, {
      seed: 86,
      durationSec: 600,
      intensity: 3,
      audience: 20_000,
    });
    expect(truth.events).toBeGreaterThan(100_000);

    const clean = tempDir();
    replay(clean, file);
    const expected = exportCsv(clean);

    const twice = tempDir();
    replay(twice, file);
    replay(twice, file);
    expect(stats(twice)).toEqual(truth.stats);

    const killed = tempDir();
    await killMidway(killed, file, 120, Math.floor(truth.stats.likes / 4));
    replay(killed, file);
    expect(stats(killed)).toEqual(truth.stats);
    expect(exportCsv(killed)).toBe(expected);
  }, 180_000);
});

describe('a broadcast left open by a crash', () => {
  async function crashedReplay() {
    const data = tempDir();
    const { file, truth } = generateRecording(tempDir(), { seed: 93, durationSec: 600 });
    await killMidway(data, file, 20, 200);
    const [open] = sessions(data);
    expect(open).toMatchObject({ endedAt: null, endReason: null });
    return { data, file, truth, open: open! };
  }

  it('is closed at its last save, as "interrupted", when a writer next opens the profile', async () => {
    const { data, open } = await crashedReplay();
    const server = spawnCli(['--data-dir', data, 'start', '--port', '0']);
    children.push(server);
    let stdout = '';
    server.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await waitFor(() => stdout.includes('livetally is running'), 30_000);
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);

    const [closed] = sessions(data);
    expect(closed).toMatchObject({ id: open.id, endReason: 'interrupted' });
    // its last save, by the recording's clock: after the start, within the recording
    expect(Number.isInteger(closed!.endedAt)).toBe(true);
    expect(closed!.endedAt).toBeGreaterThan(closed!.startedAt);
    expect(closed!.endedAt! - closed!.startedAt).toBeLessThan(600_000);
    expect(cli(['--data-dir', data, 'sessions']).stdout).toMatch(/interrupted/);
  }, 60_000);

  it('is reopened, not closed, when the same broadcast is resumed', async () => {
    const { data, file, truth } = await crashedReplay();
    replay(data, file);
    expect(sessions(data)).toMatchObject([{ id: 1, endReason: 'ended' }]); // the recording's own end
    expect(stats(data)).toEqual(truth.stats);
  }, 60_000);

  it('has a length by one clock: a reset by the wall clock does not stretch it', async () => {
    const { data } = await crashedReplay();
    expect(cli(['--data-dir', data, 'reset']).code).toBe(0);
    const [closed] = sessions(data);
    expect(closed!.endedAt! - closed!.startedAt).toBeLessThan(600_000);
    expect(closed!.endedAt! - closed!.startedAt).toBeGreaterThan(0);
    expect(cli(['--data-dir', data, 'sessions']).stdout).not.toMatch(/\d{2,}h\d\dm/);
  }, 60_000);
});
