import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, like } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer, waitFor, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { inBatches, rawRequest, upgradeHeaders, type RawResponse } from './raw-http.js';

/**
 * Off loopback every API call and socket needs the token, however its address is spelled.
 * Each request below goes over a real port exactly as written (no client normalises it):
 * percent-encodings, absolute form, dot segments, case, doubled slashes, `;`, backslashes,
 * null bytes — on every route. Each must be refused and change nothing stored.
 */

afterEach(closeAllServers);

const TOKEN = 'correct-horse-battery-staple';

interface Route {
  method: string;
  path: string;
  query?: string;
  body?: unknown;
}

/** Every route of the API; state-changing ones aim at something an attacker could destroy. */
const ROUTES: Route[] = [
  { method: 'GET', path: '/api/health' },
  { method: 'GET', path: '/api/stats' },
  { method: 'POST', path: '/api/stats/reset' },
  { method: 'POST', path: '/api/connection', body: { streamer: 'alice' } },
  { method: 'DELETE', path: '/api/connection' },
  { method: 'GET', path: '/api/profiles' },
  { method: 'POST', path: '/api/profiles', body: { name: 'evil' } },
  { method: 'GET', path: '/api/leaderboard', query: '?metric=likes&limit=5' },
  { method: 'GET', path: '/api/sessions' },
  { method: 'GET', path: '/api/sessions/1' },
  { method: 'GET', path: '/api/sessions/1/export', query: '?format=json' },
  { method: 'GET', path: '/api/openapi.json' },
  { method: 'GET', path: '/api/goals' },
  { method: 'POST', path: '/api/goals', body: { metric: 'likes', target: 1000 } },
  { method: 'PATCH', path: '/api/goals/GOAL', body: { target: 5 } },
  { method: 'DELETE', path: '/api/goals/GOAL' },
  { method: 'POST', path: '/api/test-alert', body: { kind: 'follow' } },
  { method: 'GET', path: '/api/summary', query: '?period=day' },
  { method: 'GET', path: '/api/viewers/u1' },
  { method: 'GET', path: '/api/sessions/1/recap' },
  { method: 'GET', path: '/api/sessions/1/gifts' },
  { method: 'GET', path: '/api/export/viewers', query: '?format=json' },
  { method: 'GET', path: '/api/export/summary', query: '?format=json' },
  { method: 'GET', path: '/api/profiles/roster' },
  { method: 'GET', path: '/api/profiles/victim/stats' },
  { method: 'POST', path: '/api/profiles/victim/stats/reset' },
  { method: 'GET', path: '/api/profiles/victim/leaderboard' },
  // `evil` is made by the POST above.
  { method: 'POST', path: '/api/profiles/evil/connection', body: { streamer: 'alice' } },
  { method: 'DELETE', path: '/api/profiles/evil/connection' },
  // Last: the routes above act on the active profile.
  { method: 'POST', path: '/api/profiles/victim/activate' },
  { method: 'DELETE', path: '/api/profiles/victim' },
];

/** The seeded goal's id, put where a route names `GOAL`. */
let goalId = '';
const routesNow = (): Route[] =>
  ROUTES.map((route) => ({ ...route, path: route.path.replace('GOAL', goalId) }));

const hex = (char: string) => char.charCodeAt(0).toString(16).padStart(2, '0');

/** `[family, target]` for every spelling of `route` an attacker might try. */
function spellings(route: Route, port: number): [string, string][] {
  const p = route.path;
  const q = route.query ?? '';
  const out: [string, string][] = [['as is', p + q]];
  const add = (family: string, target: string) => out.push([family, target]);
  const segments = p.split('/').slice(1); // ['api', 'stats', ...]
  const rest = p.slice('/api'.length); // '/stats', ...

  for (let i = 0; i < p.length; i++) {
    const char = p[i]!;
    if (!/[A-Za-z.]/.test(char)) continue;
    const before = p.slice(0, i);
    const after = p.slice(i + 1);
    add('encoded letter, lowercase hex', `${before}%${hex(char)}${after}${q}`);
    if (/[a-f]/.test(hex(char)))
      add('encoded letter, uppercase hex', `${before}%${hex(char).toUpperCase()}${after}${q}`);
  }
  add('every letter encoded', p.replace(/[A-Za-z]/g, (c) => `%${hex(c)}`) + q);
  for (const [index, segment] of segments.entries()) {
    const doubled = `%25${hex(segment[0]!)}${segment.slice(1)}`;
    const spelled = [...segments];
    spelled[index] = doubled;
    add('double encoding', `/${spelled.join('/')}${q}`);
  }
  for (let i = 1; i < p.length; i++) {
    if (p[i] !== '/') continue;
    add('encoded slash', `${p.slice(0, i)}%2F${p.slice(i + 1)}${q}`);
    add('encoded slash', `${p.slice(0, i)}%2f${p.slice(i + 1)}${q}`);
    add('double-encoded slash', `${p.slice(0, i)}%252f${p.slice(i + 1)}${q}`);
    add('doubled inner slash', `${p.slice(0, i)}/${p.slice(i)}${q}`);
    add('backslash', `${p.slice(0, i)}\\${p.slice(i + 1)}${q}`);
    add('encoded backslash', `${p.slice(0, i)}%5C${p.slice(i + 1)}${q}`);
  }
  for (const origin of [
    'http://x',
    `http://127.0.0.1:${port}`,
    `HTTP://127.0.0.1:${port}`,
    'https://x',
    'http://evil.example:1',
    'http://user:pass@x',
  ]) {
    add('absolute form', `${origin}${p}${q}`);
  }
  add('absolute form, encoded', `http://x/%61pi${rest}${q}`);
  add('absolute form, no path', `http://x${q || '?'}`); // routes to `/`
  add('leading //', `/${p}${q}`);
  add('leading ///', `//${p}${q}`);
  add('network-path form', `//x${p}${q}`);
  add('dot segment', `/.${p}${q}`);
  add('dot segment', `/api/.${rest}${q}`);
  add('dot-dot segment', `/api/../api${rest}${q}`);
  add('dot-dot segment', `/x/..${p}${q}`);
  add('encoded dot segment', `/%2e${p}${q}`);
  add('encoded dot-dot segment', `/x/%2e%2e${p}${q}`);
  add('upper case', `${p.toUpperCase()}${q}`);
  add('upper case', `/API${rest}${q}`);
  add('mixed case', `/Api${rest}${q}`);
  add('trailing slash', `${p}/${q}`);
  add('trailing slashes', `${p}//${q}`);
  add('trailing dot', `${p}.${q}`);
  add('trailing dot', `${p}/.${q}`);
  add('trailing dot-dot', `${p}/..${q}`);
  add('trailing encoded space', `${p}%20${q}`);
  add('trailing encoded tab', `${p}%09${q}`);
  add('fragment', `${p}#x${q}`);
  add('encoded fragment', `${p}%23${q}`);
  add('encoded query', `${p}%3F${q.slice(1)}`);
  add('; params', `${p};x${q}`);
  add('; params', `/api;jsessionid=1${rest}${q}`);
  add('encoded ;', `/api%3Bx${rest}${q}`);
  add('leading backslash', `\\${p.slice(1)}${q}`);
  add('all backslashes', `${p.replace(/\//g, '\\')}${q}`);
  add('null byte, encoded', `${p}%00${q}`);
  add('null byte, encoded', `/api%00${rest}${q}`);
  add('null byte, raw', `${p}\0${q}`);
  add('null byte, raw', `/api\0${rest}${q}`);
  return out;
}

function requestFor(route: Route, target: string, token: string | undefined, port: number) {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
  if (token) headers['authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (route.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(route.body);
  }
  return rawRequest(port, { method: route.method, target, headers, body });
}

/** A refusal: 400/401/403/404 with livetally's error shape and nothing else in it. */
function refused(response: RawResponse): boolean {
  if (![400, 401, 403, 404].includes(response.status)) return false;
  try {
    const body = JSON.parse(response.body) as { error?: { code?: unknown } };
    return Object.keys(body).join() === 'error' && typeof body.error?.code === 'string';
  } catch {
    return false;
  }
}

async function seeded(options: { pages?: boolean } = {}) {
  const replayDir = tempDir();
  writeRecording(replayDir, 'alice.ndjson', [connected(), like({ count: 25 })]);
  const server = await testServer({ replayDir, bindHost: '0.0.0.0', token: TOKEN, ...options });
  await server.service.connect('alice');
  await waitFor(() => server.service.connection.isIdle);
  await server.service.createProfile('victim');
  goalId = (
    await server.service.changeGoals((goals) => goals.create({ metric: 'likes', target: 50 }))
  ).id;
  await server.listen();
  return server;
}

function port(server: TestServer): number {
  return Number(new URL(server.url).port);
}

/** Everything an attack could change: the files, their bytes, the API's state. */
async function snapshot(server: TestServer) {
  const dir = path.join(server.dataDir, 'user_configs');
  const files = fs.readdirSync(dir).filter((name) => name.endsWith('.db'));
  return {
    files: files.sort(),
    savedLikes: (await server.service.saved())?.stats.likes,
    liveLikes: server.service.view().stats.likes,
    active: (await server.service.profiles()).active,
    connection: server.service.connection.current.state,
    sessions: (await server.service.sessions()).length,
    goals: (await server.service.goals()).goals.map((g) => `${g.id} ${g.target}`),
  };
}

describe('request targets off loopback', () => {
  it('refuses every spelling of every API route without the right token, changing nothing', async () => {
    const server = await seeded();
    const before = await snapshot(server);
    expect(before).toMatchObject({ savedLikes: 25, active: 'default', sessions: 1 });
    expect(before.files).toEqual(['default.db', 'victim.db']);

    const attempts = routesNow().flatMap((route) =>
      spellings(route, port(server)).flatMap(([family, target]) =>
        [undefined, 'wrong-token'].map((token) => ({ route, family, target, token })),
      ),
    );
    expect(attempts.length).toBeGreaterThan(1500);
    const responses = await inBatches(
      attempts.map((a) => () => requestFor(a.route, a.target, a.token, port(server))),
    );
    const leaks = attempts
      .map((a, i) => ({ ...a, response: responses[i]! }))
      .filter((a) => !refused(a.response))
      .map(
        (a) =>
          `${a.route.method} ${JSON.stringify(a.target)} (${a.family}, token ${a.token ?? 'none'})` +
          ` → ${a.response.status} ${a.response.body.slice(0, 60)}`,
      );
    expect(leaks).toEqual([]);
    // Every refusal names the token, except a 400 for what cannot be read as an address at
    // all (a raw null byte, a backslash where HTTP wants a path, a broken %-escape).
    const codes = new Set(
      responses.map((r) => (JSON.parse(r.body) as { error: { code: string } }).error.code),
    );
    expect(codes).toContain('unauthorized');
    expect(
      [...codes].filter((c) => !['bad_request', 'invalid_url', 'unauthorized'].includes(c)),
    ).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 300)); // a save that was started
    expect(await snapshot(server)).toEqual(before);
  }, 120_000); // about 1,900 requests: seconds when quiet, more on a loaded machine

  it('still serves every route with the token (the table above aims at real routes)', async () => {
    const server = await seeded();
    for (const route of routesNow()) {
      const response = await requestFor(
        route,
        route.path + (route.query ?? ''),
        TOKEN,
        port(server),
      );
      const code =
        response.status >= 400
          ? (JSON.parse(response.body) as { error: { code: string } }).error.code
          : '';
      expect(
        ['unauthorized', 'not_found', 'bad_request', 'invalid_request'],
        `${route.method} ${route.path} → ${response.status} ${code}`,
      ).not.toContain(code);
      expect(response.status, `${route.method} ${route.path}`).toBeLessThan(500);
    }
    expect((await server.service.profiles()).profiles.map((p) => p.name)).toContain('evil');
    expect((await server.service.profiles()).active).toBe('victim');
  });

  it('the table above names every route of the API', async () => {
    const server = await seeded();
    const response = await requestFor(
      { method: 'GET', path: '/api/openapi.json' },
      '/api/openapi.json',
      TOKEN,
      port(server),
    );
    const api = JSON.parse(response.body) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(api.paths).flatMap(([pattern, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${pattern}`),
    );
    expect(routes.length).toBeGreaterThan(20);
    const matches = (route: Route, pattern: string) =>
      new RegExp(`^${pattern.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(route.path);
    const missing = routes.filter((op) => {
      const [method, pattern] = op.split(' ') as [string, string];
      return !ROUTES.some((route) => route.method === method && matches(route, pattern));
    });
    expect(missing).toEqual([]);
  });

  it('serves the pages and their assets without the token, and nothing else', async () => {
    const server = await seeded({ pages: true });
    const get = (target: string, method = 'GET') =>
      rawRequest(port(server), { method, target, headers: { host: `127.0.0.1:${port(server)}` } });
    for (const page of ['/', '/overlay', '/overlay/alerts', '/?token=x', '/overlay?stats=likes']) {
      const response = await get(page);
      expect(response.status, page).toBe(200);
      expect(response.headers['content-type'], page).toMatch(/^text\/html/);
    }
    expect((await get('/', 'HEAD')).status).toBe(200);
    const asset = await get('/assets/dashboard.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    // Anything that is not a page needs the token, even where it would be a 404 anyway.
    for (const target of [
      '/favicon.ico',
      '/nothing',
      '/overlay/../api/stats',
      '/assets/../api/stats',
      '/overlay/%2e%2e/api/stats',
    ]) {
      const response = await get(target);
      expect(response.status, target).toBe(401);
    }
    // A page route reached with a path-like parameter serves no API data.
    for (const target of ['/assets/..%2fapi%2fstats', '/assets/%2e%2e%2f%2e%2e%2fapi%2fstats']) {
      const response = await get(target);
      expect(response.status, target).toBe(404);
      expect(response.body).not.toContain('"profile"');
    }
  });
});

describe('socket.io off loopback', () => {
  const PATHS: [string, boolean][] = [
    // [path, is the engine.io path]
    ['/socket.io/', true],
    ['/socket.i%6f/', false],
    ['/socket.i%6F/', false],
    ['/%73ocket.io/', false],
    ['/%2573ocket.io/', false],
    ['/socket%2eio/', false],
    ['/socket.io%2F', false],
    ['//socket.io/', false],
    ['/./socket.io/', false],
    ['/x/../socket.io/', false],
    ['/SOCKET.IO/', false],
    ['/Socket.io/', false],
    ['/socket.io;x/', false],
    ['\\socket.io\\', false],
    ['/socket.io\\', false],
    ['/socket.io%00/', false],
    ['http://x/socket.io/', false],
    ['http://127.0.0.1:PORT/socket.io/', false],
  ];
  const TOKENS: [string, { query: string; headers: Record<string, string> }, boolean][] = [
    ['no token', { query: '', headers: {} }, false],
    ['wrong ?token=', { query: '&token=wrong', headers: {} }, false],
    ['wrong Bearer', { query: '', headers: { authorization: 'Bearer wrong' } }, false],
    ['token with a suffix', { query: `&token=${TOKEN}x`, headers: {} }, false],
    ['right ?token=', { query: `&token=${TOKEN}`, headers: {} }, true],
    ['right X-Livetally-Token', { query: '', headers: { 'x-livetally-token': TOKEN } }, true],
  ];

  it.each(['polling', 'websocket'])(
    'opens a %s session only on its own path with the right token',
    async (transport) => {
      const server = await seeded();
      const p = port(server);
      const cases = PATHS.flatMap(([pathname, isEngine]) =>
        TOKENS.map(([label, token, right]) => ({
          pathname,
          label,
          token,
          open: isEngine && right,
        })),
      );
      const responses = await inBatches(
        cases.map((c) => () => {
          const target = `${c.pathname.replace('PORT', String(p))}?EIO=4&transport=${transport}${c.token.query}`;
          const headers = {
            host: `127.0.0.1:${p}`,
            ...c.token.headers,
            ...(transport === 'websocket' ? upgradeHeaders() : {}),
          };
          return rawRequest(p, { method: 'GET', target, headers });
        }),
        // Upgrades to other paths are closed after engine.io's one-second grace: run them together.
        transport === 'websocket' ? cases.length : 8,
      );
      const opened = (r: RawResponse) =>
        transport === 'websocket'
          ? r.status === 101
          : r.status === 200 && r.body.startsWith('0{"sid"');
      const wrong = cases
        .map((c, i) => ({ ...c, response: responses[i]! }))
        .filter((c) => opened(c.response) !== c.open)
        .map(
          (c) =>
            `${JSON.stringify(c.pathname)} ${c.label} → ${c.response.status} ${c.response.body.slice(0, 40)}`,
        );
      expect(wrong).toEqual([]);
      expect(cases.filter((c) => c.open)).toHaveLength(2);
    },
  );
});
