import { io as connectSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsView } from '../../src/shared/api-types.js';
import { PromisedSpace } from '../helpers/promised-space.js';
import { generateRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer, waitFor, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(closeAllServers);

const START = Date.UTC(2026, 10, 20, 19, 0, 0);

async function call(server: TestServer, method: string, url: string, body?: unknown) {
  const response = await server.app.inject({
    method: method as 'GET',
    url,
    headers: {
      host: server.host,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = String(response.headers['content-type'] ?? '');
  return {
    status: response.statusCode,
    body: type.includes('json') ? response.json() : response.body,
  };
}

/** Drops what says when a file was written on this machine: it differs from run to run. */
function timeless(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(timeless);
  if (typeof value !== 'object' || value === null) return value;
  const kept = Object.entries(value).filter(
    ([k]) =>
      !['updatedAt', 'updatedAtMs', 'modifiedAt', 'modifiedAtMs', 'sizeBytes', 'at'].includes(k),
  );
  return Object.fromEntries(kept.map(([k, v]) => [k, timeless(v)]));
}

/**
 * Two LIVEs counted at once (the active profile and one beside it), then every answer
 * about them, a reset, a switch and a delete: what a streamer sees, in order.
 */
async function session(server: TestServer) {
  const seen: Record<string, unknown> = {};
  const ask = async (label: string, method: string, url: string, body?: unknown) => {
    const answer = await call(server, method, url, body);
    seen[label] = timeless(answer);
    return answer;
  };
  await ask('create', 'POST', '/api/profiles', { name: 'second' });
  await ask('connect', 'POST', '/api/connection', { streamer: 'alice' });
  await ask('connect second', 'POST', '/api/profiles/second/connection', { streamer: 'bob' });
  await waitFor(
    () => server.service.connection.isIdle && server.service.fleet.counting.length === 0,
    60_000,
  );
  await ask('stats', 'GET', '/api/stats');
  await ask('stats second', 'GET', '/api/profiles/second/stats');
  await ask('sessions', 'GET', '/api/sessions');
  const sessions = (seen['sessions'] as { body: { sessions: { id: number }[] } }).body.sessions;
  const id = sessions[0]!.id;
  await ask('session', 'GET', `/api/sessions/${id}`);
  await ask('export json', 'GET', `/api/sessions/${id}/export?format=json`);
  await ask('export csv', 'GET', `/api/sessions/${id}/export?format=csv`);
  await ask('no session', 'GET', '/api/sessions/999/export?format=json');
  await ask('leaderboard', 'GET', '/api/leaderboard?metric=coins&window=session');
  await ask('leaderboard second', 'GET', '/api/profiles/second/leaderboard?window=session');
  await ask('summary', 'GET', '/api/summary?period=day&tz=UTC');
  await ask('roster', 'GET', '/api/profiles/roster?tz=UTC');
  await ask('profiles', 'GET', '/api/profiles');
  await ask('reset second', 'POST', '/api/profiles/second/stats/reset');
  await ask('stats second after reset', 'GET', '/api/profiles/second/stats');
  await ask('activate', 'POST', '/api/profiles/SECOND/activate');
  await ask('delete default', 'DELETE', '/api/profiles/default');
  await ask('delete active', 'DELETE', '/api/profiles/second');
  await ask('profiles after', 'GET', '/api/profiles');
  return seen;
}

describe('the server on a storage engine that answers with promises', () => {
  it('answers every call exactly as on SQLite files', async () => {
    const replayDir = tempDir();
    const alice = generateRecording(
      replayDir,
      { seed: 81, durationSec: 90, streamer: 'alice', roomId: 'room-a', startAt: START },
      'alice.ndjson',
    );
    const bob = generateRecording(
      replayDir,
      { seed: 82, durationSec: 90, streamer: 'bob', roomId: 'room-b', startAt: START },
      'bob.ndjson',
    );
    const options = {
      replayDir,
      speed: 0,
      saveIntervalMs: 50,
      now: () => START + 3_600_000,
      timeZone: 'UTC',
    };
    const onFiles = await session(await testServer(options));
    let space: PromisedSpace | undefined;
    const promised = await session(
      await testServer({
        ...options,
        space: (workspace) => (space = new PromisedSpace(workspace)),
      }),
    );

    // The promised engine was the one counting: both LIVEs saved through it.
    expect(space?.written.filter((s) => s.committed.length > 0)).toHaveLength(2);
    expect(promised).toEqual(onFiles);
    // And the answers are the right ones, not merely the same.
    const stats = (label: string) =>
      (promised[label] as { body: { saved: { stats: unknown } } }).body.saved.stats;
    expect(stats('stats')).toEqual(alice.truth.stats);
    expect(stats('stats second')).toEqual(bob.truth.stats);
    expect(promised['no session']).toMatchObject({
      status: 404,
      body: { error: { code: 'session_not_found' } },
    });
    expect(promised['delete active']).toMatchObject({
      status: 409,
      body: { error: { code: 'profile_active' } },
    });
    expect(promised['profiles after']).toMatchObject({
      body: { active: 'second', profiles: [{ name: 'second', active: true }] },
    });
  }, 120_000);

  it('follows a profile by name over realtime, idle ones read through the engine', async () => {
    let space: PromisedSpace | undefined;
    const server = await testServer({
      space: (workspace) => (space = new PromisedSpace(workspace)),
    });
    await server.service.createProfile('Other');
    const url = await server.listen();
    const socket = connectSocket(`${url}/profile`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      query: { profile: 'other' },
    });
    try {
      const first = await new Promise<StatsView>((resolve) => socket.once('stats', resolve));
      expect(first).toMatchObject({ profile: 'Other', connection: { state: 'disconnected' } });
      expect(space).toBeDefined();
    } finally {
      socket.close();
    }
    const refused = connectSocket(`${url}/profile`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      query: { profile: 'nobody' },
    });
    try {
      const error = await new Promise<Error & { data?: { code?: string } }>((resolve) =>
        refused.once('connect_error', resolve),
      );
      expect(error.data?.code).toBe('profile_not_found');
    } finally {
      refused.close();
    }
  });
});
