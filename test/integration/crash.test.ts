import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/domain/events.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { cli, spawnCli } from '../helpers/cli.js';
import { connected, like, T0, user } from '../helpers/events.js';
import { generateRecording, writeRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function killDuringReplay(data: string, file: string, speed: string, afterMs: number) {
  const child = spawnCli(['--data-dir', data, 'replay', file, '--speed', speed]);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Wait until it is counting, then let it run.
  while (!stderr.includes('counting @')) {
    if (child.exitCode !== null) throw new Error(`replay ended early: ${stderr}`);
    await sleep(20);
  }
  const countingSince = Date.now();
  await sleep(afterMs);
  const killedAt = Date.now();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.exitCode !== null) throw new Error('the replay ended before it could be killed');
  child.kill('SIGKILL');
  await exited;
  return { countingSince, killedAt };
}

function inspect(data: string) {
  const file = path.join(data, 'user_configs', 'default.db');
  const db = new Database(file, { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  const session = db.prepare('SELECT likes FROM sessions').get() as { likes: number };
  db.close();
  const store = ProfileStore.open(file); // also opens for writing again without complaint
  const current = store.loadCurrent();
  store.close();
  return { integrity, current, session };
}

describe('a replay killed with SIGKILL', () => {
  it('loses at most about the last save interval of events, and the file stays intact', async () => {
    const data = tempDir();
    // 400 likes per second of recording time, one like each, played in real time
    const events: StreamEvent[] = [connected()];
    for (let i = 0; i < 400 * 20; i++) {
      events.push(like({ count: 1, at: T0 + Math.floor(i * 2.5), user: user(i % 50) }));
    }
    const file = writeRecording(tempDir(), 'steady.ndjson', events);
    const { countingSince, killedAt } = await killDuringReplay(data, file, '1', 3000);

    const { integrity, current, session } = inspect(data);
    expect(integrity).toBe('ok');
    const lastSave = Date.parse(current?.updatedAt ?? '');
    // the last save happened less than ~1 s (the save interval) before the kill …
    expect(killedAt - lastSave).toBeLessThan(1000 + 400);
    // … and holds what the replay had counted by then (400 per second of counting)
    const played = ((lastSave - countingSince) / 1000) * 400;
    expect(current?.stats.likes).toBeGreaterThan(played - 400);
    expect(current?.stats.likes).toBeLessThan(((killedAt - countingSince) / 1000) * 400 + 400);
    // the session row was written in the same transaction
    expect(session.likes).toBe(current?.stats.likes);
  });

  it('keeps the file intact when killed during a full-speed replay', async () => {
    const data = tempDir();
    const { file } = generateRecording(tempDir(), {
      seed: 21,
      durationSec: 1800,
      intensity: 3,
      audience: 20_000,
    });
    const { killedAt } = await killDuringReplay(data, file, '0', 1200);
    const { integrity, current, session } = inspect(data);
    expect(integrity).toBe('ok');
    expect(current?.stats.likes).toBeGreaterThan(0);
    expect(killedAt - Date.parse(current?.updatedAt ?? '')).toBeLessThan(1000 + 400);
    expect(session.likes).toBe(current?.stats.likes);
    expect(fs.existsSync(path.join(data, 'livetally.lock'))).toBe(true); // left behind …
    expect(cli(['--data-dir', data, 'reset']).code).toBe(0); // … and taken over by the next writer
  }, 60_000);
});
