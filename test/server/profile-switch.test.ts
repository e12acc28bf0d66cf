import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { zeroStats } from '../../src/domain/stats.js';
import { generateRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer, waitFor } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(closeAllServers);

function fileState(dataDir: string, profile: string) {
  const db = new Database(path.join(dataDir, 'user_configs', `${profile}.db`), { readonly: true });
  try {
    const current = db.prepare('SELECT * FROM stream_stats').get() as
      Record<string, number> | undefined;
    const sessions = db.prepare('SELECT * FROM sessions').all() as Record<
      string,
      number | string
    >[];
    const viewers = db.prepare('SELECT count(*) AS n FROM session_viewers').get() as { n: number };
    return { current, sessions, viewers: viewers.n };
  } finally {
    db.close();
  }
}

describe('switching profiles during a live replay', () => {
  it('leaves each profile with exactly its own numbers', async () => {
    const replayDir = tempDir();
    const alice = generateRecording(
      replayDir,
      { seed: 51, durationSec: 240, streamer: 'alice' },
      'alice.ndjson',
    );
    const server = await testServer({ replayDir, speed: 40, saveIntervalMs: 100 });
    const { service } = server;
    await service.createProfile('second');

    // Counting into "default" …
    await service.connect('alice');
    await waitFor(() =>
      service.view().stats.likes > alice.truth.stats.likes / 4 ? true : undefined,
    );
    // … switch in the middle of the LIVE.
    await service.activateProfile('second');
    expect(service.connection.current.state).toBe('disconnected');
    expect(service.view()).toMatchObject({ profile: 'second', stats: zeroStats() });
    expect(await service.saved()).toBeNull();

    const first = fileState(server.dataDir, 'default');
    expect(first.current!['likes']).toBeGreaterThan(0);
    expect(first.current!['likes']).toBeLessThan(alice.truth.stats.likes);
    expect(first.sessions).toHaveLength(1);
    expect(first.sessions[0]).toMatchObject({
      likes: first.current!['likes'],
      total_coins: first.current!['total_coins'],
      end_reason: 'disconnected',
    });
    expect(fileState(server.dataDir, 'second')).toMatchObject({
      current: undefined,
      sessions: [],
      viewers: 0,
    });

    // The same LIVE, counted into "second" from its start, has every number of the recording …
    await service.connect('alice');
    await waitFor(() => service.connection.isIdle, 30_000);
    expect((await service.saved())?.stats).toEqual(alice.truth.stats);

    // … while "default" still has exactly what it had, untouched.
    expect(fileState(server.dataDir, 'default')).toEqual(first);
    await service.activateProfile('default');
    expect(service.view().stats).toEqual({
      viewers: first.current!['viewers'],
      likes: first.current!['likes'],
      totalCoins: first.current!['total_coins'],
      followers: first.current!['followers'],
      shares: first.current!['shares'],
      gifts: first.current!['gifts'],
    });
  });
});
