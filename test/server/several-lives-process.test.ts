import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionView, StatsResponse } from '../../src/shared/api-types.js';
import { cli } from '../helpers/cli.js';
import { api, cleanUp, folder, quietRecording, startLivetally } from '../e2e/support/livetally.js';

afterAll(cleanUp);

function entries(dataDir: string, profile: string) {
  const db = new Database(path.join(dataDir, 'user_configs', `${profile}.db`), { readonly: true });
  try {
    return db.prepare('SELECT streamer, ended_at, end_reason FROM sessions').all() as {
      streamer: string;
      ended_at: string | number | null;
      end_reason: string | null;
    }[];
  } finally {
    db.close();
  }
}

describe('several LIVEs in a real livetally start', () => {
  it('on Ctrl+C ends and saves every LIVE that counts, and exits 0', async () => {
    const dataDir = folder();
    const replayDir = folder();
    const alice = quietRecording(replayDir, 'alice', 911, 20);
    const bob = quietRecording(replayDir, 'bob', 912, 20);
    expect(cli(['--data-dir', dataDir, 'profiles', 'create', 'second']).code).toBe(0);
    const server = await startLivetally({ dataDir, replayDir, speed: 20 });
    await api(server, 'POST', '/api/connection', { body: { streamer: 'alice' } });
    const answer = await api<ConnectionView>(server, 'POST', '/api/profiles/second/connection', {
      body: { streamer: 'bob' },
    });
    expect(answer.state).toBe('connected');
    const settled = async (route: string, stats: unknown) => {
      const started = Date.now();
      for (;;) {
        const view = await api<StatsResponse>(server, 'GET', route);
        if (JSON.stringify(view.stats) === JSON.stringify(stats)) return;
        if (Date.now() - started > 30_000) throw new Error(`${route} did not settle`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await settled('/api/stats', alice.stats);
    await settled('/api/profiles/second/stats', bob.stats);

    expect(await server.stop()).toBe(0);
    for (const [profile, streamer] of [
      ['default', 'alice'],
      ['second', 'bob'],
    ] as const) {
      const [entry] = entries(dataDir, profile);
      expect(entry, profile).toMatchObject({ streamer, end_reason: 'stopped' });
      expect(entry!.ended_at, profile).not.toBeNull();
    }
    const stats = cli(['--data-dir', dataDir, 'stats', '--profile', 'second', '--json']);
    expect(JSON.parse(stats.stdout)).toMatchObject({ streamer: 'bob', stats: bob.stats });
  }, 60_000);
});
