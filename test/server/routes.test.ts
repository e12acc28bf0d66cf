import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ConnectionView,
  ProfilesResponse,
  StatsResponse,
} from '../../src/shared/api-types.js';
import { generateRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer, waitFor, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(closeAllServers);

async function withReplays() {
  const replayDir = tempDir();
  const alice = generateRecording(
    replayDir,
    { seed: 31, durationSec: 60, streamer: 'alice' },
    'alice.ndjson',
  );
  const server = await testServer({ replayDir });
  return { server, alice };
}

function api(server: TestServer) {
  const request = async (
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await server.app.inject({
      method: method as 'GET',
      url,
      headers: {
        host: server.host,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      payload:
        body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = response.body;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, json: json as never, text, headers: response.headers };
  };
  return {
    request,
    get: (url: string) => request('GET', url),
    post: (url: string, body?: unknown, headers?: Record<string, string>) =>
      request('POST', url, body ?? {}, headers),
    delete: (url: string) => request('DELETE', url),
    stats: async () => (await request('GET', '/api/stats')).json as StatsResponse,
  };
}

async function waitUntilDisconnected(server: TestServer) {
  await waitFor(
    () =>
      server.service.connection.current.state === 'disconnected' &&
      server.service.connection.isIdle,
  );
}

describe('HTTP API', () => {
  it('GET /api/health says ok with the version', async () => {
    const server = await testServer();
    expect((await api(server).get('/api/health')).json).toEqual({ ok: true, version: 'test' });
  });

  it('GET /api/stats on a fresh data directory: default profile, zeros, nothing saved', async () => {
    const server = await testServer();
    expect(await api(server).stats()).toEqual({
      profile: 'default',
      connection: {
        state: 'disconnected',
        streamer: null,
        roomId: null,
        error: null,
        retryInMs: null,
        source: null,
        lastEnd: null,
      },
      stats: { viewers: 0, likes: 0, totalCoins: 0, followers: 0, shares: 0, gifts: 0 },
      peakViewers: 0,
      broadcast: null,
      storage: { ok: true, error: null, unsavedSince: null },
      saved: null,
    });
  });

  describe('connection', () => {
    it('connects to a recording, counts it, and on disconnect keeps the saved numbers', async () => {
      const { server, alice } = await withReplays();
      const client = api(server);
      const connected = await client.post('/api/connection', { streamer: '@alice' });
      expect(connected.status).toBe(200);
      expect(connected.json).toMatchObject({
        state: 'connected',
        streamer: 'alice',
        source: 'replay',
      });
      await waitUntilDisconnected(server); // the file ends: the source disconnects
      const stats = await client.stats();
      expect(stats.stats.likes).toBe(0); // the live view is cleared …
      expect(stats.saved?.stats).toEqual(alice.truth.stats); // … the file keeps every number
      expect(stats.saved?.streamer).toBe('alice');
    });

    it('refuses to connect twice', async () => {
      const replayDir = tempDir();
      generateRecording(
        replayDir,
        { seed: 32, durationSec: 120, streamer: 'alice' },
        'alice.ndjson',
      );
      const server = await testServer({ replayDir, speed: 1 });
      const client = api(server);
      expect((await client.post('/api/connection', { streamer: 'alice' })).status).toBe(200);
      const again = await client.post('/api/connection', { streamer: 'alice' });
      expect(again.status).toBe(409);
      expect(again.json).toEqual({
        error: {
          code: 'already_connected',
          message: 'already connected to @alice; disconnect first',
        },
      });
      const disconnected = await client.delete('/api/connection');
      expect(disconnected.status).toBe(200);
      expect((disconnected.json as ConnectionView).state).toBe('disconnected');
    });

    it('refuses to disconnect when not connected', async () => {
      const server = await testServer();
      const response = await api(server).delete('/api/connection');
      expect(response.status).toBe(409);
      expect(response.json).toMatchObject({ error: { code: 'not_connected' } });
    });

    it.each([
      ['no body', undefined, 400, 'missing_body'],
      ['bad JSON', '{"streamer":', 400, 'invalid_json'],
      ['a missing field', {}, 400, 'invalid_request'],
      ['a number', { streamer: 42 }, 400, 'invalid_request'],
      ['a path', { streamer: '../../etc/passwd' }, 400, 'invalid_streamer'],
      ['an unknown streamer', { streamer: 'nobody' }, 404, 'unknown_streamer'],
    ])('answers %s with %i %s and changes nothing', async (_name, body, status, code) => {
      const { server } = await withReplays();
      const client = api(server);
      const response =
        body === undefined
          ? await client.request('POST', '/api/connection', undefined)
          : await client.request('POST', '/api/connection', body);
      expect(response.status).toBe(status);
      expect(response.json).toMatchObject({ error: { code } });
      expect(typeof (response.json as { error: { message: string } }).error.message).toBe('string');
      expect((await client.stats()).connection.state).toBe('disconnected');
    });

    it('refuses a body that is not JSON, and one that is too large', async () => {
      const { server } = await withReplays();
      const client = api(server);
      const text = await client.request('POST', '/api/connection', 'streamer=alice', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(text.status).toBe(415);
      const huge = await client.post('/api/connection', { streamer: 'a'.repeat(100_000) });
      expect(huge.status).toBe(413);
      expect(huge.json).toMatchObject({ error: { code: 'body_too_large' } });
    });
  });

  describe('reset', () => {
    it('zeroes the stats in memory and in the file at once', async () => {
      const { server } = await withReplays();
      const client = api(server);
      await client.post('/api/connection', { streamer: 'alice' });
      await waitUntilDisconnected(server);
      expect((await client.stats()).saved?.stats.likes).toBeGreaterThan(0);
      const reset = await client.post('/api/stats/reset');
      expect(reset.status).toBe(200);
      expect(reset.json).toEqual({
        viewers: 0,
        likes: 0,
        totalCoins: 0,
        followers: 0,
        shares: 0,
        gifts: 0,
      });
      expect((await client.stats()).saved?.stats).toEqual(reset.json);
    });
  });

  describe('profiles', () => {
    it('lists, creates, switches and deletes', async () => {
      const server = await testServer();
      const client = api(server);
      expect((await client.get('/api/profiles')).json).toMatchObject({
        active: 'default',
        profiles: [{ name: 'default', active: true }],
      });
      const created = await client.post('/api/profiles', { name: 'Gaming' });
      expect(created.status).toBe(201);
      expect((created.json as ProfilesResponse).profiles.map((p) => p.name)).toEqual([
        'default',
        'Gaming',
      ]);
      const switched = await client.post('/api/profiles/gaming/activate');
      expect(switched.status).toBe(200);
      expect((switched.json as StatsResponse).profile).toBe('Gaming');
      expect((await client.get('/api/profiles')).json).toMatchObject({ active: 'Gaming' });
      const deleted = await client.delete('/api/profiles/default');
      expect(deleted.status).toBe(204);
      expect(fs.existsSync(path.join(server.dataDir, 'user_configs', 'default.db'))).toBe(false);
    });

    it.each([
      ['POST', '/api/profiles', { name: '.hidden' }, 400, 'invalid_profile_name'],
      ['POST', '/api/profiles', { name: 'x/y' }, 400, 'invalid_profile_name'],
      ['POST', '/api/profiles', { name: '' }, 400, 'invalid_request'],
      ['POST', '/api/profiles', { name: 'DEFAULT' }, 409, 'profile_exists'],
      ['POST', '/api/profiles/nobody/activate', {}, 404, 'profile_not_found'],
      ['POST', '/api/profiles/..%2F..%2Fetc/activate', {}, 400, 'invalid_profile_name'],
      ['DELETE', '/api/profiles/default', undefined, 409, 'profile_active'],
      ['DELETE', '/api/profiles/nobody', undefined, 404, 'profile_not_found'],
    ])('%s %s %j → %i %s, nothing created or removed', async (method, url, body, status, code) => {
      const server = await testServer();
      const client = api(server);
      const before = fs.readdirSync(path.join(server.dataDir, 'user_configs')).sort();
      const response = await client.request(method, url, body);
      expect(response.status).toBe(status);
      expect(response.json).toMatchObject({ error: { code } });
      expect(fs.readdirSync(path.join(server.dataDir, 'user_configs')).sort()).toEqual(before);
      expect((await client.stats()).profile).toBe('default');
    });

    it('tells what is allowed when a name is refused', async () => {
      const server = await testServer();
      const response = await api(server).post('/api/profiles', { name: 'my profile' });
      expect((response.json as { error: { message: string } }).error.message).toContain(
        "letters, digits, '.', '_' and '-'",
      );
    });
  });

  describe('leaderboard and sessions', () => {
    it('ranks the viewers of the current broadcast by the metric asked for', async () => {
      const { server, alice } = await withReplays();
      const client = api(server);
      await client.post('/api/connection', { streamer: 'alice' });
      await waitUntilDisconnected(server);
      const top = await client.get('/api/leaderboard?metric=coins&limit=5');
      expect(top.status).toBe(200);
      const body = top.json as { metric: string; viewers: { userId: string; coins: number }[] };
      expect(body.metric).toBe('coins');
      expect(body.viewers.length).toBeGreaterThan(0);
      expect(body.viewers.length).toBeLessThanOrEqual(5);
      const coins = body.viewers.map((v) => v.coins);
      expect(coins).toEqual([...coins].sort((a, b) => b - a));
      const best = [...alice.truth.coinsByUser.entries()].sort((a, b) => b[1] - a[1])[0]!;
      expect(body.viewers[0]).toMatchObject({ userId: best[0], coins: best[1] });
      const likes = (await client.get('/api/leaderboard?metric=likes')).json as {
        viewers: { likes: number }[];
      };
      expect(likes.viewers.length).toBe(10);
      expect(likes.viewers[0]!.likes).toBeGreaterThanOrEqual(likes.viewers[9]!.likes);
    });

    it.each([
      ['/api/leaderboard?metric=hearts', 'invalid_request'],
      ['/api/leaderboard?limit=0', 'invalid_request'],
      ['/api/leaderboard?limit=1000', 'invalid_request'],
      ['/api/sessions/abc', 'invalid_request'],
      ['/api/sessions/1/export?format=xml', 'invalid_request'],
    ])('GET %s → 400 %s', async (url, code) => {
      const server = await testServer();
      const response = await api(server).get(url);
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ error: { code } });
    });

    it('lists sessions, shows one with its time series, and exports it', async () => {
      const { server, alice } = await withReplays();
      const client = api(server);
      await client.post('/api/connection', { streamer: 'alice' });
      await waitUntilDisconnected(server);
      const list = (await client.get('/api/sessions')).json as {
        sessions: { id: number; stats: unknown }[];
      };
      expect(list.sessions).toHaveLength(1);
      expect(list.sessions[0]!.stats).toEqual(alice.truth.stats);
      const one = await client.get(`/api/sessions/${list.sessions[0]!.id}`);
      const detail = one.json as {
        session: { streamer: string };
        series: { t: number; likes: number }[];
      };
      expect(detail.session.streamer).toBe('alice');
      expect(detail.series.length).toBeGreaterThanOrEqual(5); // 60 s in 10 s buckets
      expect(detail.series.at(-1)!.likes).toBe(alice.truth.stats.likes);
      const csv = await client.get(`/api/sessions/${list.sessions[0]!.id}/export?format=csv`);
      expect(csv.headers['content-type']).toContain('text/csv');
      // UTF-8 with a byte order mark: Excel opens it as written.
      expect(csv.text.split('\r\n')[0]).toBe(
        '\uFEFFtime,viewers,likes,total_coins,followers,shares,gifts',
      );
      const json = await client.get(`/api/sessions/${list.sessions[0]!.id}/export`);
      expect(json.headers['content-disposition']).toContain('livetally-session-1.json');
      expect((json.json as { viewers: unknown[] }).viewers.length).toBeGreaterThan(0);
      expect((await client.get('/api/sessions/99')).status).toBe(404);
    });
  });

  it('answers unknown routes with the error shape', async () => {
    const server = await testServer();
    const response = await api(server).get('/api/nope');
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ error: { code: 'not_found' } });
  });

  it('describes itself in OpenAPI, generated from the same schemas', async () => {
    const server = await testServer();
    const doc = (await api(server).get('/api/openapi.json')).json as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const [route, method] of [
      ['/api/health', 'get'],
      ['/api/stats', 'get'],
      ['/api/stats/reset', 'post'],
      ['/api/connection', 'post'],
      ['/api/connection', 'delete'],
      ['/api/profiles', 'get'],
      ['/api/profiles', 'post'],
      ['/api/profiles/{name}/activate', 'post'],
      ['/api/profiles/{name}', 'delete'],
      ['/api/leaderboard', 'get'],
      ['/api/sessions', 'get'],
      ['/api/sessions/{id}', 'get'],
      ['/api/sessions/{id}/export', 'get'],
    ] as const) {
      expect(doc.paths[route]?.[method], `${method} ${route}`).toBeDefined();
    }
    expect(JSON.stringify(doc.paths['/api/connection']?.['post'])).toContain('streamer');
  });
});
