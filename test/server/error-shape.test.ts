import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closeAllServers, testServer } from '../helpers/server.js';
import { rawRequest, type RawRequest } from './raw-http.js';

/**
 * DESIGN: every error is `{"error": {"code", "message"}}`. That includes the ones fastify
 * and Node's HTTP parser answer by themselves, before any route runs.
 */

afterEach(closeAllServers);

const errorShape = z.strictObject({
  error: z.strictObject({ code: z.string().regex(/^[a-z_]+$/), message: z.string().min(10) }),
});

const long = (char: string) => char.repeat(101);

type Case = [description: string, request: RawRequest, status: number, code: string];

const json = { 'content-type': 'application/json' };

const CASES: Case[] = [
  [
    'a broken %-escape (FST_ERR_BAD_URL)',
    { method: 'POST', target: '/api/profiles/%ff/activate' },
    400,
    'invalid_url',
  ],
  [
    'a %-escape that is not hex',
    { method: 'GET', target: '/api/sessions/%zz' },
    400,
    'invalid_url',
  ],
  [
    'a profile name over 100 characters (FST_ERR_MAX_PARAM_LENGTH)',
    { method: 'POST', target: `/api/profiles/${long('a')}/activate` },
    414,
    'path_too_long',
  ],
  [
    'deleting a profile named over 100 characters',
    { method: 'DELETE', target: `/api/profiles/${long('a')}` },
    414,
    'path_too_long',
  ],
  [
    'a session id over 100 characters',
    { method: 'GET', target: `/api/sessions/${long('1')}/export?format=csv` },
    414,
    'path_too_long',
  ],
  ['a method HTTP does not know', { method: 'BREW', target: '/api/stats' }, 400, 'bad_request'],
  ['a method no route has', { method: 'PROPFIND', target: '/api/stats' }, 404, 'not_found'],
  ['PUT on a GET route', { method: 'PUT', target: '/api/stats' }, 404, 'not_found'],
  [
    'QUERY without a Content-Type (FST_ERR_ROUTE_MISSING_CONTENT_TYPE)',
    { method: 'QUERY', target: '/api/stats', body: '{}' },
    400,
    'invalid_request',
  ],
  ['a null byte in the path', { method: 'GET', target: '/api/stats\0' }, 400, 'bad_request'],
  [
    'headers over 16 KB',
    { method: 'GET', target: '/api/stats', headers: { 'x-big': 'a'.repeat(20_000) } },
    431,
    'headers_too_large',
  ],
  [
    'a Content-Length that is not a number',
    {
      method: 'POST',
      target: '/api/stats/reset',
      headers: { ...json, 'content-length': 'abc' },
      noContentLength: true,
    },
    400,
    'bad_request',
  ],
  [
    'Content-Length and Transfer-Encoding together',
    {
      method: 'POST',
      target: '/api/profiles',
      headers: { ...json, 'content-length': '5', 'transfer-encoding': 'chunked' },
      body: '0\r\n\r\n',
    },
    400,
    'bad_request',
  ],
  [
    'a broken chunked body',
    {
      method: 'POST',
      target: '/api/profiles',
      headers: { ...json, 'transfer-encoding': 'chunked' },
      body: 'zz\r\nabc\r\n0\r\n\r\n',
      noContentLength: true,
    },
    400,
    'bad_request',
  ],
  [
    'no Host header',
    { method: 'GET', target: '/api/stats', headers: { host: '' } },
    403,
    'forbidden_host',
  ],
  [
    'a foreign Host',
    { method: 'GET', target: '/api/stats', headers: { host: 'evil.example' } },
    403,
    'forbidden_host',
  ],
  [
    'a state change from a foreign page',
    { method: 'POST', target: '/api/stats/reset', headers: { origin: 'http://evil.example' } },
    403,
    'forbidden_origin',
  ],
  [
    'invalid JSON (FST_ERR_CTP_INVALID_JSON_BODY)',
    { method: 'POST', target: '/api/profiles', headers: json, body: '{"name":' },
    400,
    'invalid_json',
  ],
  [
    'a __proto__ key',
    { method: 'POST', target: '/api/profiles', headers: json, body: '{"__proto__":{"x":1}}' },
    400,
    'invalid_json',
  ],
  [
    'a body over the limit (FST_ERR_CTP_BODY_TOO_LARGE)',
    {
      method: 'POST',
      target: '/api/profiles',
      headers: json,
      body: JSON.stringify({ name: 'a'.repeat(20_000) }),
    },
    413,
    'body_too_large',
  ],
  [
    'a body that is not JSON (FST_ERR_CTP_INVALID_MEDIA_TYPE)',
    {
      method: 'POST',
      target: '/api/profiles',
      headers: { 'content-type': 'application/xml' },
      body: '<name>x</name>',
    },
    415,
    'unsupported_media_type',
  ],
  [
    'a Content-Type that is not a media type',
    { method: 'POST', target: '/api/profiles', headers: { 'content-type': ';;;' }, body: '{}' },
    415,
    'unsupported_media_type',
  ],
  [
    'a query parameter out of range (FST_ERR_VALIDATION)',
    { method: 'GET', target: '/api/leaderboard?metric=nope' },
    400,
    'invalid_request',
  ],
  [
    'a session id that is not a number',
    { method: 'GET', target: '/api/sessions/abc' },
    400,
    'invalid_request',
  ],
  ['an unknown session', { method: 'GET', target: '/api/sessions/999' }, 404, 'session_not_found'],
  [
    'a bad profile name',
    { method: 'POST', target: '/api/profiles', headers: json, body: '{"name":"bad name!"}' },
    400,
    'invalid_profile_name',
  ],
  [
    'an unknown profile',
    { method: 'POST', target: '/api/profiles/nobody/activate' },
    404,
    'profile_not_found',
  ],
  ['an unknown path', { method: 'GET', target: '/nothing/here' }, 404, 'not_found'],
  [
    'an absolute-form target with a broken escape',
    { method: 'GET', target: 'http://x/api/sessions/%zz' },
    400,
    'invalid_url',
  ],
];

describe('error shape', () => {
  const table = CASES.map(
    ([description, request, status, code]) => [description, status, code, request] as const,
  );
  it.each(table)('%s → %i %s', async (_description, status, code, request) => {
    const server = await testServer();
    await server.listen();
    const port = Number(new URL(server.url).port);
    const headers: Record<string, string> = { host: server.host, ...request.headers };
    if (headers['host'] === '') delete headers['host'];
    const response = await rawRequest(port, { ...request, headers });
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = errorShape.parse(JSON.parse(response.body));
    expect(body.error.code).toBe(code);
    expect(body.error.message).not.toMatch(/\n\s+at |FST_|undefined/);
  });

  it('answers a token-less request off loopback with the shape (401)', async () => {
    const server = await testServer({ bindHost: '0.0.0.0', token: 'a-token-of-twenty-chars' });
    await server.listen();
    const response = await rawRequest(Number(new URL(server.url).port), {
      method: 'GET',
      target: '/api/stats',
      headers: { host: server.host },
    });
    expect(response.status).toBe(401);
    expect(errorShape.parse(JSON.parse(response.body)).error.code).toBe('unauthorized');
  });

  it('answers a body shorter than its Content-Length with the shape (FST_ERR_CTP_INVALID_CONTENT_LENGTH)', async () => {
    const server = await testServer();
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/profiles',
      headers: { host: server.host, 'content-type': 'application/json', 'content-length': '40' },
      payload: '{"name":"short"}',
    });
    expect(response.statusCode).toBe(400);
    expect(errorShape.parse(response.json()).error.code).toBe('invalid_content_length');
    expect((await server.service.profiles()).profiles.map((p) => p.name)).toEqual(['default']);
  });
});
