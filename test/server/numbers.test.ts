import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastTally } from '../../src/domain/broadcast-tally.js';
import type { StreamEvent } from '../../src/domain/events.js';
import type { StatsResponse } from '../../src/shared/api-types.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { connected, gift, like, T0, user } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(closeAllServers);

async function until(predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

describe('a reset while connected', () => {
  it('restarts likes from zero: they follow the room total from the reset on, never jump back', async () => {
    const replayDir = tempDir();
    // A LIVE already at 100,000 likes; every like message carries the room total.
    const events: StreamEvent[] = [connected({ streamer: 'alice', roomId: 'r-9' })];
    let total = 100_000;
    for (let i = 0; i < 1200; i++) {
      total += 3;
      events.push(like({ count: 3, roomTotal: total, at: T0 + i * 50, user: user(i % 40) }));
    }
    writeRecording(replayDir, 'alice.ndjson', events);
    const server = await testServer({ replayDir, speed: 10 });
    const url = await server.listen();
    const stats = async () => (await getJson<StatsResponse>(`${url}/api/stats`)).body;

    await fetch(`${url}/api/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streamer: 'alice' }),
    });
    await until(async () => (await stats()).stats.likes > 100_000);
    const reset = await fetch(`${url}/api/stats/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      seen.push((await stats()).stats.likes);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(Math.max(...seen)).toBeLessThan(10_000); // never back at the room total
    await until(async () => (await stats()).connection.state === 'disconnected');

    const list = (
      await getJson<{ sessions: { endReason: string; stats: { likes: number } }[] }>(
        `${url}/api/sessions`,
      )
    ).body.sessions;
    expect(list.map((s) => s.endReason)).toEqual(['disconnected', 'reset']);
    const [after, before] = list;
    // Before the reset: the room total then; after: its growth since. Together: the total.
    expect(before!.stats.likes + after!.stats.likes).toBe(total);
    expect(after!.stats.likes).toBeGreaterThan(0);
  });
});

/** A file written by the original feature: the single-row table and its odd values. */
function originalFile(dataDir: string): string {
  const dir = path.join(dataDir, 'user_configs');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'default.db');
  const db = new Database(file);
  db.exec(`CREATE TABLE stream_stats (
      id INTEGER PRIMARY KEY CHECK (id = 1), viewers INTEGER DEFAULT 0, likes INTEGER DEFAULT 0,
      total_coins INTEGER DEFAULT 0, followers INTEGER DEFAULT 0, shares INTEGER DEFAULT 0,
      gifts INTEGER DEFAULT 0, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
    INSERT INTO stream_stats (id, viewers, likes, total_coins, followers, shares, gifts, updated_at)
      VALUES (1, 12, -7, 1.5, 'abc', 4, 9e99, '2025-06-01 18:30:00');`);
  db.close();
  return file;
}

describe('an older file with bad values', () => {
  it('is cleaned when migrated: sessions answer 200 and exports hold only whole numbers', async () => {
    const dataDir = tempDir();
    originalFile(dataDir);
    const server = await testServer({ dataDir });
    const url = await server.listen();
    const sessions = await getJson<{ sessions: { stats: Record<string, number> }[] }>(
      `${url}/api/sessions`,
    );
    expect(sessions.status).toBe(200);
    expect(sessions.body.sessions[0]!.stats).toEqual({
      viewers: 12,
      likes: 0,
      totalCoins: 1,
      followers: 0,
      shares: 4,
      gifts: Number.MAX_SAFE_INTEGER,
    });
    const csv = await (await fetch(`${url}/api/sessions/1/export?format=csv`)).text();
    const all = await (await fetch(`${url}/api/sessions/1/export?format=json`)).text();
    for (const text of [csv, all]) expect(text).not.toMatch(/NaN|e\+|Infinity|-7|1\.5|abc/);
  });

  it('is read defensively: values damaged after the upgrade never make an answer fail', async () => {
    const dataDir = tempDir();
    const file = originalFile(dataDir);
    ProfileStore.open(file).close(); // a writer upgrades it
    const db = new Database(file);
    db.exec(`UPDATE sessions SET likes = -7, total_coins = 1.5, followers = 'abc', gifts = 9e99,
               ended_at = 1795887509692.9187`);
    db.close();
    const server = await testServer({ dataDir });
    const url = await server.listen();
    const sessions = await getJson<{
      sessions: { endedAt: number; stats: Record<string, number> }[];
    }>(`${url}/api/sessions`);
    expect(sessions.status).toBe(200);
    expect(sessions.body.sessions[0]).toMatchObject({
      endedAt: 1795887509692,
      stats: { likes: 0, totalCoins: 1, followers: 0, gifts: Number.MAX_SAFE_INTEGER },
    });
  });
});

describe('per-viewer totals', () => {
  it('stop at the largest safe integer, and the leaderboard answers for every metric', async () => {
    const dataDir = tempDir();
    const dir = path.join(dataDir, 'user_configs');
    fs.mkdirSync(dir, { recursive: true });
    const store = ProfileStore.open(path.join(dir, 'default.db'), { create: true });
    const link = { streamer: 'alice', streamerId: '1', roomId: 'r', startedAt: T0 };
    const sessionId = store.startSession(link);
    // One viewer sends maximum-value gifts: 5e15 coins per save, twice.
    for (let round = 0; round < 2; round++) {
      const tally = new BroadcastTally();
      const whale = user('whale');
      for (let i = 0; i < 3; i++) {
        tally.apply(
          gift({ user: whale, streakable: false, diamonds: 100_000, repeatCount: 100_000 }),
          T0,
        );
        tally.apply(like({ user: whale, count: 100_000 }), T0);
      }
      const changes = tally.drainChanges(T0);
      changes.viewers.numbers[0] = 5e15; // coins of the only viewer
      changes.viewers.numbers[2] = 5e15; // likes
      store.saveProgress({ ...link, sessionId }, changes);
    }
    store.close();
    const server = await testServer({ dataDir });
    const url = await server.listen();
    for (const metric of ['coins', 'likes', 'comments', 'shares']) {
      const board = await getJson<{ viewers: { coins: number; likes: number }[] }>(
        `${url}/api/leaderboard?metric=${metric}`,
      );
      expect(board.status).toBe(200);
    }
    const coins = await getJson<{ viewers: { coins: number; likes: number }[] }>(
      `${url}/api/leaderboard?metric=coins`,
    );
    expect(coins.body.viewers[0]).toMatchObject({
      coins: Number.MAX_SAFE_INTEGER,
      likes: Number.MAX_SAFE_INTEGER,
    });
  });
});
