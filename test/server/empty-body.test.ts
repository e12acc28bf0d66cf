import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { T0, connected, like } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer, waitFor, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { rawRequest, type RawRequest } from './raw-http.js';

/**
 * DESIGN (Unattended operation): a POST or DELETE without a body is accepted whatever its
 * Content-Type says — stream decks and automation tools send `application/json` with an
 * empty body. Routes that need a body say which one.
 */

afterEach(closeAllServers);

type NoBody = Pick<RawRequest, 'headers' | 'body' | 'noContentLength'>;

/** What tools send when they send nothing. */
const NO_BODY: [string, NoBody][] = [
  [
    'JSON, Content-Length: 0',
    { headers: { 'content-type': 'application/json', 'content-length': '0' } },
  ],
  ['JSON, no Content-Length', { headers: { 'content-type': 'application/json' } }],
  [
    'JSON; charset, Content-Length: 0',
    { headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '0' } },
  ],
  [
    'JSON, chunked and empty',
    {
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: '0\r\n\r\n',
      noContentLength: true,
    },
  ],
  ['JSON, null', { headers: { 'content-type': 'application/json' }, body: 'null' }],
  ['JSON, whitespace only', { headers: { 'content-type': 'application/json' }, body: ' \r\n\t ' }],
  ['text/plain, empty', { headers: { 'content-type': 'text/plain', 'content-length': '0' } }],
  [
    'form, empty',
    { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' } },
  ],
  ['not a media type, empty', { headers: { 'content-type': 'json', 'content-length': '0' } }],
  [
    'octet-stream, chunked and empty',
    {
      headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      body: '0\r\n\r\n',
      noContentLength: true,
    },
  ],
];

async function server() {
  const replayDir = tempDir();
  // A LIVE that stays connected: its second event is an hour away at real speed.
  writeRecording(replayDir, 'alice.ndjson', [
    connected(),
    like({ count: 25 }),
    like({ count: 1, at: T0 + 3_600_000 }),
  ]);
  const s = await testServer({ replayDir, speed: 1 });
  await s.listen();
  return s;
}

function send(s: TestServer, method: string, target: string, noBody: NoBody) {
  return rawRequest(Number(new URL(s.url).port), {
    method,
    target,
    ...noBody,
    headers: { host: s.host, ...noBody.headers },
  });
}

async function connectAlice(s: TestServer) {
  await s.service.connect('alice');
  await waitFor(() => s.service.view().stats.likes === 25);
}

describe('requests without a body', () => {
  it.each(NO_BODY)('POST /api/stats/reset accepts %s', async (_label, noBody) => {
    const s = await server();
    await connectAlice(s);
    const response = await send(s, 'POST', '/api/stats/reset', noBody);
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ likes: 0 });
    expect(s.service.view().stats.likes).toBe(0);
  });

  it.each(NO_BODY)('DELETE /api/connection accepts %s', async (_label, noBody) => {
    const s = await server();
    await connectAlice(s);
    const response = await send(s, 'DELETE', '/api/connection', noBody);
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ state: 'disconnected' });
    expect(s.service.connection.current.state).toBe('disconnected');
  });

  it.each(NO_BODY)(
    'POST /api/profiles/:name/activate and DELETE /api/profiles/:name accept %s',
    async (_label, noBody) => {
      const s = await server();
      await s.service.createProfile('other');
      await s.service.createProfile('gone');
      const activate = await send(s, 'POST', '/api/profiles/other/activate', noBody);
      expect(activate.status, activate.body).toBe(200);
      expect((await s.service.profiles()).active).toBe('other');
      const remove = await send(s, 'DELETE', '/api/profiles/gone', noBody);
      expect(remove.status, remove.body).toBe(204);
      expect(fs.existsSync(path.join(s.dataDir, 'user_configs', 'gone.db'))).toBe(false);
    },
  );

  it.each(NO_BODY)(
    'routes that need a body say which one, for %s, and change nothing',
    async (_label, noBody) => {
      const s = await server();
      const connect = await send(s, 'POST', '/api/connection', noBody);
      expect(connect.status).toBe(400);
      const connectError = (
        JSON.parse(connect.body) as { error: { code: string; message: string } }
      ).error;
      expect(connectError.code).toBe('missing_body');
      expect(connectError.message).toMatch(/needs a JSON body with "streamer"/);
      expect(connectError.message).not.toMatch(/JSON is not valid|not valid JSON/);

      const create = await send(s, 'POST', '/api/profiles', noBody);
      expect(create.status).toBe(400);
      const createError = (JSON.parse(create.body) as { error: { code: string; message: string } })
        .error;
      expect(createError.code).toBe('missing_body');
      expect(createError.message).toMatch(/needs a JSON body with "name"/);

      expect(s.service.connection.current.state).toBe('disconnected');
      expect(
        fs.readdirSync(path.join(s.dataDir, 'user_configs')).filter((f) => f.endsWith('.db')),
      ).toEqual(['default.db']);
    },
  );

  it('still refuses a body that is there but is not JSON, or not the one needed', async () => {
    const s = await server();
    const json = { 'content-type': 'application/json' };
    const broken = await send(s, 'POST', '/api/profiles', { headers: json, body: '{"name"' });
    expect(JSON.parse(broken.body)).toMatchObject({ error: { code: 'invalid_json' } });
    const wrong = await send(s, 'POST', '/api/profiles', { headers: json, body: '{"nom":"x"}' });
    expect(JSON.parse(wrong.body)).toMatchObject({ error: { code: 'invalid_request' } });
    const xml = await send(s, 'POST', '/api/stats/reset', {
      headers: { 'content-type': 'application/xml' },
      body: '<reset/>',
    });
    expect(xml.status).toBe(415);
    const created = await send(s, 'POST', '/api/profiles', {
      headers: json,
      body: '{"name":"ok"}',
    });
    expect(created.status).toBe(201);
  });
});
