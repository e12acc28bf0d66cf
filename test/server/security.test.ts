import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsResponse } from '../../src/shared/api-types.js';
import { connected, like } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import {
  closeAllServers,
  socketTo,
  testServer,
  waitFor,
  type TestServer,
} from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(closeAllServers);

async function seeded(options: { token?: string; bindHost?: string } = {}) {
  const replayDir = tempDir();
  writeRecording(replayDir, 'alice.ndjson', [connected(), like({ count: 25 })]);
  const server = await testServer({ replayDir, ...options });
  // Put something in the file that an attack could destroy: the recording plays to its end.
  await server.service.connect('alice');
  await waitFor(() => server.service.connection.isIdle);
  return server;
}

async function savedLikes(server: TestServer): Promise<number | undefined> {
  return (await server.service.saved())?.stats.likes;
}

function profileFiles(server: TestServer): string[] {
  return fs.readdirSync(path.join(server.dataDir, 'user_configs')).sort();
}

const attacks = [
  ['POST', '/api/stats/reset', undefined],
  ['POST', '/api/profiles', { name: 'evil' }],
  ['DELETE', '/api/profiles/default', undefined],
  ['POST', '/api/connection', { streamer: 'alice' }],
] as const;

describe('security', () => {
  it.each(attacks)(
    'refuses %s %s from a foreign Origin with 403, changing nothing',
    async (method, url, body) => {
      const server = await seeded();
      const before = profileFiles(server);
      for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:9999', 'file://']) {
        const response = await server.app.inject({
          method,
          url,
          headers: { host: server.host, origin, 'content-type': 'application/json' },
          payload: JSON.stringify(body ?? {}),
        });
        expect(response.statusCode, origin).toBe(403);
        expect(response.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
      }
      expect(await savedLikes(server)).toBe(25);
      expect(profileFiles(server)).toEqual(before);
      expect(server.service.connection.current.state).toBe('disconnected');
    },
  );

  it('accepts state changes from its own pages and from tools without an Origin', async () => {
    const server = await seeded();
    const own = await server.app.inject({
      method: 'POST',
      url: '/api/profiles',
      headers: {
        host: server.host,
        origin: `http://${server.host}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ name: 'mine' }),
    });
    expect(own.statusCode).toBe(201);
    const curl = await server.app.inject({
      method: 'POST',
      url: '/api/stats/reset',
      headers: { host: server.host },
    });
    expect(curl.statusCode).toBe(200);
  });

  it.each(['evil.example', 'evil.example:8787', '127.0.0.1.evil.example:8787', '127.0.0.1:1'])(
    'refuses a foreign Host %s (DNS rebinding) with 403, reads and writes alike',
    async (host) => {
      const server = await seeded();
      for (const [method, url] of [
        ['GET', '/api/stats'],
        ['POST', '/api/stats/reset'],
      ] as const) {
        const response = await server.app.inject({ method, url, headers: { host } });
        expect(response.statusCode).toBe(403);
        expect(response.json()).toMatchObject({ error: { code: 'forbidden_host' } });
      }
      expect(await savedLikes(server)).toBe(25);
    },
  );

  it('requires the token for every API call when bound off loopback, changing nothing without it', async () => {
    const token = 'correct-horse-battery';
    const server = await seeded({ bindHost: '0.0.0.0', token });
    for (const [method, url] of [
      ['GET', '/api/stats'],
      ['GET', '/api/health'],
      ...attacks.map(([m, u]) => [m, u] as const),
    ] as const) {
      for (const presented of [undefined, 'wrong', `${token}x`]) {
        const response = await server.app.inject({
          method,
          url,
          headers: {
            host: server.host,
            ...(presented ? { authorization: `Bearer ${presented}` } : {}),
          },
        });
        expect(response.statusCode, `${method} ${url} ${presented}`).toBe(401);
        expect(response.json()).toMatchObject({ error: { code: 'unauthorized' } });
      }
    }
    expect(await savedLikes(server)).toBe(25);
    const ok = await server.app.inject({
      method: 'GET',
      url: '/api/stats',
      headers: { host: server.host, authorization: `Bearer ${token}` },
    });
    expect(ok.statusCode).toBe(200);
    const byQuery = await server.app.inject({
      method: 'GET',
      url: `/api/stats?token=${token}`,
      headers: { host: server.host },
    });
    expect((byQuery.json() as StatsResponse).saved?.stats.likes).toBe(25);
  });

  it('refuses sockets from a foreign Origin and, off loopback, without the token', async () => {
    const server = await seeded({ bindHost: '0.0.0.0', token: 'sesame' });
    const url = await server.listen();
    const outcome = (socket: ReturnType<typeof socketTo>) =>
      new Promise<string>((resolve) => {
        socket.on('connect', () => resolve('connected'));
        socket.on('connect_error', (error) => resolve(`refused: ${error.message}`));
      });
    const foreign = socketTo(url, { token: 'sesame', origin: 'http://evil.example' });
    const noToken = socketTo(url, {});
    const good = socketTo(url, { token: 'sesame' });
    expect(await outcome(foreign)).toMatch(/^refused/);
    expect(await outcome(noToken)).toMatch(/^refused/);
    expect(await outcome(good)).toBe('connected');
    for (const s of [foreign, noToken, good]) s.close();
  });

  it('never returns or logs secrets', async () => {
    const server = await seeded({ bindHost: '0.0.0.0', token: 'top-secret-token' });
    const response = await server.app.inject({
      method: 'GET',
      url: '/api/stats',
      headers: { host: server.host, 'x-livetally-token': 'top-secret-token' },
    });
    expect(response.body).not.toContain('top-secret-token');
    const doc = await server.app.inject({
      method: 'GET',
      url: '/api/openapi.json',
      headers: { host: server.host, 'x-livetally-token': 'top-secret-token' },
    });
    expect(doc.body).not.toContain('top-secret-token');
  });
});
