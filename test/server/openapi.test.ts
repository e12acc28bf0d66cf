import type { OpenAPIV3 } from 'openapi-types';
import { afterEach, describe, expect, it } from 'vitest';
import { generateRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(closeAllServers);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

async function openapi() {
  const server = await testServer({ token: 'a-token-of-twenty-chars', bindHost: '0.0.0.0' });
  const response = await server.app.inject({
    url: '/api/openapi.json',
    headers: { host: server.host, authorization: 'Bearer a-token-of-twenty-chars' },
  });
  expect(response.statusCode).toBe(200);
  return { server, doc: response.json<OpenAPIV3.Document>() };
}

function operations(doc: OpenAPIV3.Document) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item?.[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
}

describe('the OpenAPI description', () => {
  it('names every operation once, and describes every response', async () => {
    const { doc } = await openapi();
    const all = operations(doc);
    expect(all.length).toBeGreaterThanOrEqual(13);
    const ids = all.map((o) => o.operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['getStats', 'connect', 'exportSession']));
    for (const { path, method, operation } of all) {
      for (const [code, response] of Object.entries(operation.responses)) {
        const { description } = response as OpenAPIV3.ResponseObject;
        expect(description, `${method} ${path} ${code}`).not.toBe('Default Response');
        expect(description.length, `${method} ${path} ${code}`).toBeGreaterThan(1);
      }
      // Every API call may need the token, and says so.
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
    // Only what a route can answer: reading the stats cannot conflict or be too large.
    expect(Object.keys(doc.paths['/api/stats']!.get!.responses).sort()).toEqual([
      '200',
      '401',
      '403',
      '500',
    ]);
    expect(doc.paths['/api/profiles/{name}']!.delete!.responses['409']).toMatchObject({
      description: expect.stringMatching(/open profile cannot be deleted/),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
  });

  it('tells how to present the token: bearer, header or query (none on loopback)', async () => {
    const { server, doc } = await openapi();
    expect(doc.components?.securitySchemes).toMatchObject({
      bearerToken: { type: 'http', scheme: 'bearer' },
      headerToken: { type: 'apiKey', in: 'header', name: 'X-Livetally-Token' },
      queryToken: { type: 'apiKey', in: 'query', name: 'token' },
    });
    expect(doc.security).toEqual([
      {},
      { bearerToken: [] },
      { headerToken: [] },
      { queryToken: [] },
    ]);
    // … and each way it describes works.
    const token = 'a-token-of-twenty-chars';
    for (const [url, headers] of [
      ['/api/stats', { authorization: `Bearer ${token}` }],
      ['/api/stats', { 'x-livetally-token': token }],
      [`/api/stats?token=${token}`, {}],
    ] as const) {
      const response = await server.app.inject({ url, headers: { host: server.host, ...headers } });
      expect(response.statusCode).toBe(200);
    }
    const without = await server.app.inject({ url: '/api/stats', headers: { host: server.host } });
    expect(without.statusCode).toBe(401);
  });

  it('gives the export its real content types, as the route sends them', async () => {
    const replayDir = tempDir();
    generateRecording(replayDir, { seed: 3, durationSec: 30, streamer: 'alice' }, 'alice.ndjson');
    const server = await testServer({ replayDir });
    const doc = (
      await server.app.inject({ url: '/api/openapi.json', headers: { host: server.host } })
    ).json<OpenAPIV3.Document>();
    const exported = doc.paths['/api/sessions/{id}/export']!.get!;
    const ok = exported.responses['200'] as OpenAPIV3.ResponseObject;
    expect(Object.keys(ok.content ?? {}).sort()).toEqual(['application/json', 'text/csv']);
    expect(exported.responses['404']).toMatchObject({ description: 'There is no such session' });

    await server.service.connect('alice');
    await server.service.disconnect();
    const csv = await server.app.inject({
      url: '/api/sessions/1/export?format=csv',
      headers: { host: server.host },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const json = await server.app.inject({
      url: '/api/sessions/1/export?format=json',
      headers: { host: server.host },
    });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const missing = await server.app.inject({
      url: '/api/sessions/99/export?format=csv',
      headers: { host: server.host },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'session_not_found' } });
  });
});
