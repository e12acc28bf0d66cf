import { io as connectSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ActivityView,
  ConnectionView,
  RosterResponse,
  StatsResponse,
  StatsView,
} from '../../src/shared/api-types.js';
import { connected, gift, user, viewers } from '../helpers/events.js';
import { generateRecording, writeRecording } from '../helpers/recordings.js';
import {
  closeAllServers,
  socketTo,
  testServer,
  waitFor,
  type TestServer,
  type TestSocket,
} from '../helpers/server.js';
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
  return { status: response.statusCode, body: response.body ? response.json() : null };
}

/** Three recordings of different LIVEs, and a server that can play them. */
async function threeLives(speed: number, durationSec = 120) {
  const replayDir = tempDir();
  const lives = {
    alice: generateRecording(
      replayDir,
      { seed: 71, durationSec, streamer: 'alice', roomId: 'room-a', startAt: START },
      'alice.ndjson',
    ),
    bob: generateRecording(
      replayDir,
      { seed: 72, durationSec, streamer: 'bob', roomId: 'room-b', startAt: START },
      'bob.ndjson',
    ),
    carol: generateRecording(
      replayDir,
      { seed: 73, durationSec, streamer: 'carol', roomId: 'room-c', startAt: START },
      'carol.ndjson',
    ),
  };
  writeRecording(replayDir, 'slow.ndjson', [
    connected({ streamer: 'slow', roomId: 'room-s', at: START }),
    viewers(5, START),
    gift({ at: START + 1, user: user(1), diamonds: 10, streakable: false, repeatEnd: true }),
    viewers(6, START + 3_600_000),
  ]);
  const server = await testServer({
    replayDir,
    speed,
    saveIntervalMs: 100,
    now: () => START + 6 * 3_600_000, // 01:00 UTC the next day
    timeZone: 'UTC',
  });
  await server.service.createProfile('second');
  await server.service.createProfile('Third');
  return { server, lives };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function idle(server: TestServer): boolean {
  return server.service.connection.isIdle && server.service.fleet.counting.length === 0;
}

describe('several LIVEs at once', () => {
  it('counts each profile exactly as it counts alone, while they all run together', async () => {
    const { server, lives } = await threeLives(25);
    const states: string[][] = [];
    const connectedAtOnce = async () => {
      const now = await Promise.all(
        ['default', 'second', 'Third'].map((p) => server.service.fleet.view(p)),
      );
      states.push(now.map((v) => v.connection.state));
      return now.every((v) => v.connection.state === 'connected');
    };
    expect((await call(server, 'POST', '/api/connection', { streamer: 'alice' })).status).toBe(200);
    const second = await call(server, 'POST', '/api/profiles/second/connection', {
      streamer: 'bob',
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ state: 'connected', streamer: 'bob' });
    // Names are matched without regard to case, as everywhere.
    const third = await call(server, 'POST', '/api/profiles/third/connection', {
      streamer: 'carol',
    });
    expect(third.status).toBe(200);
    await waitFor(connectedAtOnce, 10_000);
    await waitFor(() => idle(server), 60_000);

    const expected = { default: lives.alice, second: lives.bob, Third: lives.carol };
    for (const [profile, live] of Object.entries(expected)) {
      const answer = await call(server, 'GET', `/api/profiles/${profile}/stats`);
      expect(answer.status).toBe(200);
      const body = answer.body as StatsResponse;
      expect(body.profile).toBe(profile);
      expect(body.connection.state).toBe('disconnected');
      expect(body.saved?.stats, profile).toEqual(live.truth.stats);
      expect(body.saved?.streamer).toBe(
        live === lives.alice ? 'alice' : live === lives.bob ? 'bob' : 'carol',
      );
    }
    // The active profile's routes are untouched by the others.
    const active = (await call(server, 'GET', '/api/stats')).body as StatsResponse;
    expect(active.saved?.stats).toEqual(lives.alice.truth.stats);
    // Each file holds only its own broadcast.
    for (const profile of ['second', 'Third']) {
      const reads = await server.service.fleet.reading(profile, async (r) =>
        r.read((history) =>
          history.summary({ period: 'day', zone: 'UTC', start: -Infinity, end: Infinity }),
        ),
      );
      expect(reads).toHaveLength(1);
      expect(reads[0]!.sessions).toBe(1);
    }
  }, 90_000);

  it('answers for the active profile exactly what the unnamed routes answer', async () => {
    const { server } = await threeLives(0);
    const named = await call(server, 'GET', '/api/profiles/default/stats');
    const plain = await call(server, 'GET', '/api/stats');
    expect(named).toEqual(plain);
    const reset = await call(server, 'POST', '/api/profiles/DEFAULT/stats/reset');
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({
      viewers: 0,
      likes: 0,
      totalCoins: 0,
      followers: 0,
      shares: 0,
      gifts: 0,
    });
  });

  it('refuses unknown profiles (404), bad names (400) and changes to a counting one (409)', async () => {
    const replayDir = tempDir();
    // A LIVE that holds still after its first gift: its file stays open while we ask.
    writeRecording(replayDir, 'slow.ndjson', [
      connected({ streamer: 'slow', roomId: 'room-s', at: START }),
      viewers(5, START),
      gift({ at: START + 1, user: user(1), diamonds: 10, streakable: false, repeatEnd: true }),
      viewers(6, START + 3_600_000),
    ]);
    const server = await testServer({ replayDir, speed: 1, saveIntervalMs: 100 });
    await server.service.createProfile('second');

    for (const [method, url] of [
      ['GET', '/api/profiles/nobody/stats'],
      ['POST', '/api/profiles/nobody/stats/reset'],
      ['DELETE', '/api/profiles/nobody/connection'],
      ['GET', '/api/profiles/nobody/leaderboard'],
    ] as const) {
      const answer = await call(server, method, url);
      expect(answer.status, url).toBe(404);
      expect(answer.body.error.code, url).toBe('profile_not_found');
    }
    const unknown = await call(server, 'POST', '/api/profiles/nobody/connection', {
      streamer: 'slow',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('profile_not_found');
    const bad = await call(server, 'GET', `/api/profiles/${encodeURIComponent('.hidden')}/stats`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_profile_name');
    const noBody = await call(server, 'POST', '/api/profiles/second/connection', {});
    expect(noBody.status).toBe(400);
    // No recording for that streamer: refused, and nothing is left open.
    const noRecording = await call(server, 'POST', '/api/profiles/second/connection', {
      streamer: 'ghost',
    });
    expect(noRecording.status).toBe(404);
    expect(noRecording.body.error.code).toBe('unknown_streamer');
    await waitFor(() => server.service.fleet.counting.length === 0);
    const notConnected = await call(server, 'DELETE', '/api/profiles/second/connection');
    expect(notConnected.status).toBe(409);
    expect(notConnected.body.error.code).toBe('not_connected');

    expect(
      (await call(server, 'POST', '/api/profiles/second/connection', { streamer: 'slow' })).status,
    ).toBe(200);
    await waitFor(async () => (await server.service.fleet.view('second')).stats.totalCoins === 10);
    const twice = await call(server, 'POST', '/api/profiles/second/connection', {
      streamer: 'slow',
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_connected');
    const remove = await call(server, 'DELETE', '/api/profiles/second');
    expect(remove.status).toBe(409);
    expect(remove.body.error.code).toBe('profile_counting');
    const activate = await call(server, 'POST', '/api/profiles/second/activate');
    expect(activate.status).toBe(409);
    expect(activate.body.error.code).toBe('profile_counting');
    expect(server.service.profileName).toBe('default');

    // Disconnecting lets go of it: the final save is in the file, and it may go.
    const off = await call(server, 'DELETE', '/api/profiles/second/connection');
    expect(off.status).toBe(200);
    expect((off.body as ConnectionView).state).toBe('disconnected');
    await waitFor(() => server.service.fleet.counting.length === 0);
    const after = (await call(server, 'GET', '/api/profiles/second/stats')).body as StatsResponse;
    expect(after.stats.totalCoins).toBe(0); // cleared, as after any disconnect
    expect(after.saved?.stats.totalCoins).toBe(10);
    expect((await call(server, 'DELETE', '/api/profiles/second')).status).toBe(204);
    expect((await call(server, 'GET', '/api/profiles/second/stats')).status).toBe(404);
  });

  it('keeps other profiles counting when the active profile is switched', async () => {
    const replayDir = tempDir();
    writeRecording(replayDir, 'slow.ndjson', [
      connected({ streamer: 'slow', roomId: 'room-s', at: START }),
      gift({ at: START + 1, diamonds: 7, streakable: false, repeatEnd: true }),
      viewers(6, START + 3_600_000),
    ]);
    const server = await testServer({ replayDir, speed: 1, saveIntervalMs: 100 });
    await server.service.createProfile('second');
    await server.service.createProfile('third');
    await call(server, 'POST', '/api/profiles/second/connection', { streamer: 'slow' });
    await waitFor(async () => (await server.service.fleet.view('second')).stats.totalCoins === 7);
    const switched = await call(server, 'POST', '/api/profiles/third/activate');
    expect(switched.status).toBe(200);
    const second = (await call(server, 'GET', '/api/profiles/second/stats')).body as StatsResponse;
    expect(second.connection.state).toBe('connected');
    expect(second.stats.totalCoins).toBe(7);
    // Stopping the server ends and saves every LIVE that counts.
    await server.close();
    const saved = server.workspace.readCurrent('second');
    expect(saved?.stats.totalCoins).toBe(7);
    const file = server.workspace.openForReading('second')!;
    try {
      const [entry] = file.listSessions();
      expect(entry).toMatchObject({ stats: { totalCoins: 7 }, endReason: 'stopped' });
      expect(entry!.endedAt).not.toBeNull();
    } finally {
      file.close();
    }
  });
});

describe('realtime for one profile', () => {
  function follow(url: string, profile: string): TestSocket {
    return connectSocket(`${url}/profile`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      query: { profile },
    }) as unknown as TestSocket;
  }

  it("gives a socket following a profile that profile's events and no other's", async () => {
    const { server } = await threeLives(25, 60);
    const url = await server.listen();
    const following = follow(url, 'second');
    const plain = socketTo(url);
    const got = { second: [] as StatsView[], plain: [] as StatsView[] };
    const activity: ActivityView[] = [];
    const connections: ConnectionView[] = [];
    following.on('stats', (view) => got.second.push(view));
    following.on('connection', (view) => connections.push(view));
    following.on('activity', (item) => activity.push(item));
    plain.on('stats', (view) => got.plain.push(view));
    await waitFor(() => got.second.length > 0 && got.plain.length > 0);
    expect(got.second[0]!.profile).toBe('second');

    // The active profile counts a busy LIVE; "second" one that holds still after one gift.
    await call(server, 'POST', '/api/connection', { streamer: 'alice' });
    await call(server, 'POST', '/api/profiles/second/connection', { streamer: 'slow' });
    await waitFor(() => server.service.connection.isIdle, 60_000);
    await waitFor(() => got.second.at(-1)?.stats.totalCoins === 10);
    await waitFor(() => activity.length > 0);

    expect(new Set(got.second.map((v) => v.profile))).toEqual(new Set(['second']));
    expect(Math.max(...got.second.map((v) => v.stats.likes))).toBe(0); // alice's likes: none
    expect(new Set(got.plain.map((v) => v.profile))).toEqual(new Set(['default']));
    expect(Math.max(...got.plain.map((v) => v.stats.likes))).toBeGreaterThan(0);
    expect(connections.map((c) => c.streamer)).not.toContain('alice');
    expect(connections.at(-1)).toMatchObject({ state: 'connected', streamer: 'slow' });
    expect(activity).toHaveLength(1);
    expect(activity[0]).toMatchObject({ kind: 'gift' });
    following.close();
    plain.close();
  }, 90_000);

  it("sends the dashboard's test alerts to the active profile's followers only", async () => {
    const server = await testServer();
    await server.service.createProfile('second');
    const url = await server.listen();
    const active = follow(url, 'DEFAULT');
    const other = follow(url, 'second');
    const got = { active: [] as ActivityView[], other: [] as ActivityView[] };
    active.on('activity', (item) => got.active.push(item));
    other.on('activity', (item) => got.other.push(item));
    const ready = { active: false, other: false };
    active.on('stats', () => (ready.active = true));
    other.on('stats', () => (ready.other = true));
    await waitFor(() => ready.active && ready.other);
    const sent = await server.app.inject({
      method: 'POST',
      url: '/api/test-alert',
      headers: { host: server.host, 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'follow' }),
    });
    expect(sent.statusCode).toBe(200);
    await waitFor(() => got.active.length > 0);
    expect(got.active[0]).toMatchObject({ kind: 'follow', test: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(got.other).toEqual([]);
    active.close();
    other.close();
  });

  it('refuses to follow a profile that does not exist', async () => {
    const server = await testServer();
    const url = await server.listen();
    const socket = follow(url, 'nobody');
    const error = await new Promise<Error & { data?: { code: string } }>((resolve) =>
      socket.on('connect_error', resolve),
    );
    expect(error.message).toContain('no profile named "nobody"');
    expect(error.data?.code).toBe('profile_not_found');
    socket.close();
  });
});

describe('the roster', () => {
  it('lists every profile with its connection, counters and coins of today', async () => {
    const { server, lives } = await threeLives(30, 60);
    await call(server, 'POST', '/api/profiles/second/connection', { streamer: 'bob' });
    await waitFor(() => idle(server), 60_000);
    // A LIVE that holds still after its first gift, still counting while the roster is read.
    await call(server, 'POST', '/api/profiles/Third/connection', { streamer: 'slow' });
    await waitFor(async () => (await server.service.fleet.view('Third')).stats.totalCoins === 10);
    await until(
      async () => (await server.service.fleet.stats('Third')).saved?.stats.totalCoins === 10,
    );
    // Today in the server's zone (UTC) is the day after bob's LIVE: none of its coins.
    const roster = (await call(server, 'GET', '/api/profiles/roster')).body as RosterResponse;
    expect(roster.tz).toBe('UTC');
    expect(roster.day).toBe('2026-11-21');
    expect(roster.profiles.map((p) => p.name)).toEqual(['default', 'second', 'Third']);
    const byName = Object.fromEntries(roster.profiles.map((p) => [p.name, p]));
    expect(byName['default']).toMatchObject({ active: true, todayCoins: 0 });
    expect(byName['second']).toMatchObject({
      active: false,
      todayCoins: 0,
      connection: { state: 'disconnected' },
    });
    expect(byName['Third']).toMatchObject({
      active: false,
      connection: { state: 'connected', streamer: 'slow' },
      stats: { totalCoins: 10, gifts: 1, viewers: 5 },
    });
    // In Los Angeles it is still the day bob's LIVE started on.
    const la = (await call(server, 'GET', '/api/profiles/roster?tz=America/Los_Angeles'))
      .body as RosterResponse;
    expect(la.day).toBe('2026-11-20');
    const laByName = Object.fromEntries(la.profiles.map((p) => [p.name, p]));
    expect(laByName['second']?.todayCoins).toBe(lives.bob.truth.stats.totalCoins);
    expect(laByName['Third']?.todayCoins).toBe(10);
    const badZone = await call(server, 'GET', '/api/profiles/roster?tz=Mars/Base');
    expect(badZone.status).toBe(400);
  }, 60_000);
});
