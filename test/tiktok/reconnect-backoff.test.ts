import { describe, expect, it } from 'vitest';
import {
  SignAPIError,
  ErrorReason,
  SignatureRateLimitError,
  UserOfflineError,
  WebcastRoomUserSeqMessage,
} from 'tiktok-live-connector';
import { createLogger } from '../../src/app/logger.js';
import { LivetallyError } from '../../src/domain/errors.js';
import {
  TikTokSource,
  tiktokSessionFromEnv,
  type TikTokSourceOptions,
} from '../../src/sources/tiktok/index.js';
import { collectingSink } from './fixtures/collecting-sink.js';
import { FakeTimers } from './fixtures/fake-timers.js';
import { scriptedConnections, type ScriptedAttempt } from './fixtures/scripted-connection.js';
import { StatusLog } from './fixtures/status-log.js';
import { roomUserMessage } from './fixtures/webcast-messages.js';

const ROOM_A = '7400000000000000010';
const ROOM_B = '7400000000000000020';

function networkError(): Error {
  return Object.assign(new Error('getaddrinfo ENOTFOUND www.tiktok.com'), { code: 'ENOTFOUND' });
}

/** The library's own 2.4.0 failure on a 429: a TypeError from inside SignatureRateLimitError. */
function brokenRateLimitError(): unknown {
  try {
    new SignatureRateLimitError(
      'You are being rate limited, slow down',
      'Too many connections started, try again later.',
      undefined as never,
    );
  } catch (error) {
    return error;
  }
  throw new Error('expected the 2.4.0 constructor to throw');
}

function setup(attempts: ScriptedAttempt[], options: Partial<TikTokSourceOptions> = {}) {
  const timers = new FakeTimers();
  const connections = scriptedConnections(attempts);
  const statuses = new StatusLog();
  const logs: string[] = [];
  const collected = collectingSink();
  const source = new TikTokSource({
    streamer: '@alice',
    timers,
    createConnection: connections.factory,
    onStatus: statuses.listener,
    logger: createLogger('debug', (line) => logs.push(line)),
    ...options,
  });
  const run = source.run(collected.sink);
  // Keep a rejection from being reported as unhandled before the test awaits it.
  run.catch(() => {});
  return { source, run, timers, connections, statuses, logs, ...collected };
}

/** The pause the source waits for now, after checking that it does not act a moment early. */
async function expectPause(s: ReturnType<typeof setup>, ms: number): Promise<void> {
  expect(s.timers.pending).toEqual([ms]);
  const attempts = s.connections.made.length;
  s.timers.advance(ms - 1);
  await settle();
  expect(s.connections.made.length).toBe(attempts);
  s.timers.advance(1);
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

const retrying = (s: { state: string; retryInMs?: number }) => s.retryInMs !== undefined;

describe('the live source: retries and backoff (fake clock)', () => {
  it('doubles the pause after each failure and honours the sign server retryAfter', async () => {
    const rateLimited = new SignatureRateLimitError(
      'You are being rate limited, slow down',
      'Too many connections started, try again later.',
      { headers: { 'retry-after': '42' } },
    );
    const s = setup([
      { fail: networkError() },
      { fail: networkError() },
      { fail: networkError() },
      { fail: rateLimited },
      { room: ROOM_A },
    ]);

    for (const pause of [1000, 2000, 4000]) {
      const status = await s.statuses.next(retrying);
      expect(status).toMatchObject({
        state: 'connecting',
        code: 'tiktok_unreachable',
        retryInMs: pause,
        message: `cannot reach TikTok (ENOTFOUND): check the internet connection, retrying in ${pause / 1000} s`,
      });
      await expectPause(s, pause);
    }
    const limited = await s.statuses.next(retrying);
    expect(limited).toEqual({
      state: 'connecting',
      code: 'rate_limited',
      message: 'rate limited by the sign server, retrying in 42 s',
      retryInMs: 42_000,
    });
    await expectPause(s, 42_000);
    await s.statuses.next((x) => x.state === 'connected');
    expect(s.connected).toHaveLength(1);
    s.source.stop();
    expect(await s.run).toEqual({ reason: 'stopped' });
  });

  it('recognises the 2.4.0 TypeError of a 429 as a rate limit and waits the fallback pause', async () => {
    const s = setup([{ fail: brokenRateLimitError() }, { room: ROOM_A }]);
    const status = await s.statuses.next(retrying);
    expect(status).toMatchObject({ code: 'rate_limited', retryInMs: 30_000 });
    expect(status.message).toBe('rate limited by the sign server, retrying in 30 s');
    await expectPause(s, 30_000);
    await s.statuses.next((x) => x.state === 'connected');
    s.source.stop();
    await s.run;
  });

  it('caps the pause, then gives up: before a first connect run() rejects', async () => {
    const s = setup(
      Array.from({ length: 5 }, () => ({ fail: networkError() })),
      {
        backoff: { initialMs: 1000, maxMs: 3000, maxRetries: 4 },
      },
    );
    for (const pause of [1000, 2000, 3000, 3000]) {
      await s.statuses.next(retrying);
      await expectPause(s, pause);
    }
    const error = await s.run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivetallyError);
    expect(error).toMatchObject({
      code: 'tiktok_unreachable',
      message:
        'cannot reach TikTok (ENOTFOUND): check the internet connection (gave up after 5 attempts)',
    });
    expect(s.statuses.all.at(-1)).toMatchObject({
      state: 'disconnected',
      code: 'tiktok_unreachable',
    });
    expect(s.timers.pending).toEqual([]);
  });

  it.each([
    [
      new UserOfflineError('The requested user is not online :('),
      'user_offline',
      '@alice is not live right now',
    ],
    [
      new SignAPIError(
        ErrorReason.SIGN_NOT_200,
        undefined,
        undefined,
        'Unexpected sign server status 401. Payload: {}',
      ),
      'sign_key_missing',
      /wants an API key \(HTTP 401\): get one at https:\/\/www\.eulerstream\.com/,
    ],
  ])('does not retry %s', async (failure, code, message) => {
    const s = setup([{ fail: failure }]);
    const error = await s.run.catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
    expect(s.connections.made).toHaveLength(1);
    expect(s.timers.pending).toEqual([]);
    expect(s.statuses.all.map((x) => x.state)).toEqual(['connecting', 'disconnected']);
  });

  it('after a drop reconnects to the same room, tells the sink again, and resets the backoff', async () => {
    const s = setup([
      { room: ROOM_A, ownerId: '6900000000000000001' },
      { fail: networkError() },
      { room: ROOM_A, ownerId: '6900000000000000001' },
      { room: ROOM_A, ownerId: '6900000000000000001' },
    ]);
    await s.statuses.next((x) => x.state === 'connected');
    s.connections.made[0]!.drop(1006);

    const lost = await s.statuses.next(retrying);
    expect(lost).toEqual({
      state: 'reconnecting',
      code: 'connection_lost',
      message: "lost the connection to @alice's LIVE (code 1006), reconnecting in 1 s",
      retryInMs: 1000,
    });
    await expectPause(s, 1000);
    expect(await s.statuses.next(retrying)).toMatchObject({
      state: 'reconnecting',
      retryInMs: 2000,
    });
    await expectPause(s, 2000);
    await s.statuses.next((x) => x.state === 'connected');

    // A successful connect starts the backoff over.
    s.connections.made[2]!.drop();
    expect(await s.statuses.next(retrying)).toMatchObject({ retryInMs: 1000 });
    await expectPause(s, 1000);
    await s.statuses.next((x) => x.state === 'connected');

    expect(s.connections.requestedRooms).toEqual([undefined, ROOM_A, ROOM_A, ROOM_A]);
    expect(s.connected.map((c) => [c.roomId, c.streamerId, c.streamer])).toEqual([
      [ROOM_A, '6900000000000000001', 'alice'],
      [ROOM_A, '6900000000000000001', 'alice'],
      [ROOM_A, '6900000000000000001', 'alice'],
    ]);
    s.source.stop();
    expect(await s.run).toEqual({ reason: 'stopped' });
    expect(s.connections.made[3]!.disconnects).toBe(1);
  });

  it('follows the streamer to a new LIVE when the known room has ended', async () => {
    const offline = () => ({ fail: new UserOfflineError('offline') });
    const s = setup([{ room: ROOM_A }, offline(), { room: ROOM_B }]);
    await s.statuses.next((x) => x.state === 'connected');
    s.connections.made[0]!.drop();
    await s.statuses.next(retrying);
    s.timers.advance(1000);
    await s.statuses.next((x) => x.state === 'connected');
    expect(s.connections.requestedRooms).toEqual([undefined, ROOM_A, undefined]);
    expect(s.connected.map((c) => c.roomId)).toEqual([ROOM_A, ROOM_B]);
    s.source.stop();
    await s.run;
  });

  it('ends as a stream end when the streamer is offline after a drop', async () => {
    const offline = () => ({ fail: new UserOfflineError('offline') });
    const s = setup([{ room: ROOM_A }, offline(), offline()]);
    await s.statuses.next((x) => x.state === 'connected');
    s.connections.made[0]!.drop();
    await s.statuses.next(retrying);
    s.timers.advance(1000);
    expect(await s.run).toEqual({
      reason: 'streamEnd',
      code: 'user_offline',
      detail: '@alice is not live right now',
    });
    expect(s.statuses.all.at(-1)).toEqual({
      state: 'disconnected',
      code: 'user_offline',
      message: '@alice is not live right now',
    });
  });

  it('stops on a stream end without reconnecting', async () => {
    const s = setup([{ room: ROOM_A }]);
    await s.statuses.next((x) => x.state === 'connected');
    s.connections.made[0]!.emit('streamEnd', { action: 4 });
    s.connections.made[0]!.drop(1000);
    expect(await s.run).toMatchObject({ reason: 'streamEnd', code: 'stream_ended' });
    expect(s.events).toEqual([{ type: 'streamEnd', at: s.timers.now(), reason: 'suspended' }]);
    expect(s.statuses.all.at(-1)).toEqual({
      state: 'disconnected',
      code: 'stream_ended',
      message: "@alice's LIVE was suspended by TikTok",
    });
    expect(s.timers.pending).toEqual([]);
  });

  it('stops at once during a pause', async () => {
    const s = setup([{ fail: networkError() }]);
    await s.statuses.next(retrying);
    s.source.stop();
    expect(await s.run).toEqual({ reason: 'stopped' });
    expect(s.timers.pending).toEqual([]);
    expect(s.statuses.all.at(-1)).toMatchObject({ state: 'disconnected', code: 'stopped' });
  });

  it('stops at once during a slow connect, and closes that connection once it is up', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const s = setup([{ room: ROOM_A, gate }]);
    await settle();
    s.source.stop();
    expect(await s.run).toEqual({ reason: 'stopped' });
    expect(s.connections.made[0]!.disconnects).toBe(0);
    open();
    await settle();
    expect(s.connections.made[0]!.disconnects).toBe(1);
    expect(s.connected).toEqual([]);
  });

  it('holds the initial batch until the sink knows the broadcast, and drops it if connect fails', async () => {
    const viewers = (total: number) =>
      WebcastRoomUserSeqMessage.decode(roomUserMessage({ msgId: '1', total }).payload);
    const s = setup([
      {
        fail: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      },
      { room: ROOM_A, during: (c) => c.emit('roomUser', viewers(77)) },
    ]);
    await s.statuses.next(retrying);
    s.timers.advance(1000);
    await s.statuses.next((x) => x.state === 'connected');
    expect(s.order).toEqual([`connected:${ROOM_A}`, 'viewers']);
    expect(s.events).toEqual([{ type: 'viewers', at: expect.any(Number), count: 77 }]);
    s.source.stop();
    await s.run;
  });

  it('captures the broadcast header first, then the messages; a new room gets a new header', async () => {
    const captured: string[] = [];
    const capture = {
      connected: (e: { roomId: string }) => captured.push(`connected:${e.roomId}`),
      message: (_at: number, method: string, payload: Uint8Array) =>
        captured.push(`${method}:${payload.length}`),
    };
    const s = setup(
      [
        { room: ROOM_A, during: (c) => c.onRawMessage?.('WebcastChatMessage', new Uint8Array(3)) },
        { room: ROOM_A },
        { fail: new UserOfflineError('offline') },
        { room: ROOM_B },
      ],
      { capture },
    );
    await s.statuses.next((x) => x.state === 'connected');
    s.connections.made[0]!.onRawMessage?.('WebcastLikeMessage', new Uint8Array(5));
    s.connections.made[0]!.drop();
    await s.statuses.next(retrying);
    s.timers.advance(1000);
    await s.statuses.next((x) => x.state === 'connected');
    s.connections.made[1]!.drop();
    await s.statuses.next(retrying);
    s.timers.advance(1000);
    await s.statuses.next((x) => x.state === 'connected');
    s.source.stop();
    await s.run;
    expect(captured).toEqual([
      `connected:${ROOM_A}`,
      'WebcastChatMessage:3',
      'WebcastLikeMessage:5',
      `connected:${ROOM_B}`,
    ]);
  });

  it('keeps secrets out of statuses and logs, even when an error echoes them', async () => {
    const key = 'euler_SECRET_KEY_123';
    const sessionId = 'sess-SECRET-456';
    const s = setup(
      [{ fail: new Error(`request to https://x/?apiKey=${key}&sessionid=${sessionId} failed`) }],
      { signApiKey: key, session: { sessionId, ttTargetIdc: 'useast1a' } },
    );
    const status = await s.statuses.next(retrying);
    expect(status.message).toContain('[secret]');
    s.source.stop();
    await s.run;
    const everything = JSON.stringify([s.statuses.all, s.logs]);
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(sessionId);
  });

  it('reads a TikTok login from the environment only when both cookies are there', () => {
    const env = { LIVETALLY_TIKTOK_SESSION_ID: ' abc ', LIVETALLY_TIKTOK_TARGET_IDC: 'useast1a' };
    expect(tiktokSessionFromEnv(env)).toEqual({ sessionId: 'abc', ttTargetIdc: 'useast1a' });
    expect(tiktokSessionFromEnv({ LIVETALLY_TIKTOK_SESSION_ID: 'abc' })).toBeUndefined();
  });

  it('refuses a handle that is not one, before any connection', () => {
    expect(() => new TikTokSource({ streamer: 'not a handle!' })).toThrow(LivetallyError);
    expect(new TikTokSource({ streamer: 'https://www.tiktok.com/@Alice.B_1/live' }).streamer).toBe(
      'Alice.B_1',
    );
  });
});
