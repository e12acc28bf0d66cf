import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import {
  RawCaptureWriter,
  RawReplaySource,
  TikTokSource,
  type TikTokSourceOptions,
} from '../../src/sources/tiktok/index.js';
import {
  expectedTotals,
  gifts,
  opening,
  resent,
  social,
  streamEnded,
} from './fixtures/broadcast-script.js';
import { FakeTikTok } from './fixtures/fake-tiktok.js';
import { FakeTimers } from './fixtures/fake-timers.js';
import { openProfile, tempDir } from './fixtures/profile-harness.js';
import { StatusLog } from './fixtures/status-log.js';
import { WatchingSink } from './fixtures/watching-sink.js';
import { ROOM, STREAMER_ID, T0 } from './fixtures/webcast-messages.js';

const KEY = 'euler-key-SECRET-e2e';

let fake: FakeTikTok;
beforeEach(async () => {
  fake = await FakeTikTok.start();
  fake.live('alice', ROOM, STREAMER_ID);
});
afterEach(async () => {
  await fake.close();
});

function liveSource(options: Partial<TikTokSourceOptions> = {}) {
  const timers = new FakeTimers();
  const statuses = new StatusLog();
  const logs: string[] = [];
  const source = new TikTokSource({
    streamer: 'alice',
    signApiKey: KEY,
    timers,
    onStatus: statuses.listener,
    logger: createLogger('debug', (line) => logs.push(line)),
    ...fake.sourceOptions(),
    ...options,
  });
  return { source, timers, statuses, logs };
}

describe('the live source against a fake TikTok on 127.0.0.1 (real connection class)', () => {
  it('connects, counts, survives a drop with a re-sent batch, and stops at the stream end', async () => {
    fake.signReplies.push({ kind: 'ok', initial: opening }, { kind: 'ok', initial: resent });
    const captureFile = path.join(tempDir(), 'capture.ndjson');
    const capture = RawCaptureWriter.open(captureFile);
    const profile = await openProfile();
    const sink = new WatchingSink(profile.tracker);
    const { source, timers, statuses, logs } = liveSource({ capture });
    const run = source.run(sink);

    await statuses.next((s) => s.state === 'connected');
    await sink.waitForEvents(opening.length); // the sign server's initial batch
    await fake.socket(1);
    fake.send(gifts, '101');
    await sink.waitForEvents(opening.length + 6);
    fake.send(social.slice(0, 5), '102');
    await sink.waitForEvents(opening.length + 11);

    fake.sockets[0]!.close(4001, 'bye');
    const lost = await statuses.next((s) => s.code === 'connection_lost');
    expect(lost).toMatchObject({ state: 'reconnecting', retryInMs: 1000 });
    expect(fake.signRequests.filter((r) => r.path.endsWith('/connect'))).toHaveLength(1);
    timers.advance(1000);

    await statuses.next((s) => s.state === 'connected');
    await sink.waitForEvents(opening.length + 16); // the re-sent batch: five messages already counted
    await fake.socket(2);
    fake.send(social.slice(5), '103');
    await sink.waitForEvents(opening.length + 19);
    fake.send([streamEnded], '104');

    expect(await run).toMatchObject({ reason: 'streamEnd', code: 'stream_ended' });
    const sessions = profile.store.listSessions();
    const saved = await profile.finish();
    await capture.close();

    expect(saved?.stats).toEqual(expectedTotals);
    expect(saved).toMatchObject({ streamer: 'alice', streamerId: STREAMER_ID, roomId: ROOM });
    expect(sessions).toHaveLength(1);
    expect(sink.connectedEvents.map((c) => [c.roomId, c.streamerId])).toEqual([
      [ROOM, STREAMER_ID],
      [ROOM, STREAMER_ID],
    ]);
    expect(statuses.all.map((s) => s.code ?? s.state)).toEqual([
      'connecting',
      'connected',
      'connection_lost',
      'reconnecting',
      'connected',
      'stream_ended',
    ]);
    expect(statuses.all.at(-1)?.message).toBe("@alice's LIVE has ended");
    // The reconnect went straight to the known room: no second profile page lookup.
    expect(fake.webRequests.filter((p) => p === '/@alice/live')).toHaveLength(1);
    expect(fake.webRequests.filter((p) => p === '/webcast/room/info/')).toHaveLength(2);
    expect(fake.clientFrames).toContain('im_enter_room');
    expect(fake.clientFrames).toContain('ack');
    expect(fake.signRequests.map((r) => r.apiKey)).toEqual([KEY, KEY]);
    expect(JSON.stringify([statuses.all, logs])).not.toContain(KEY);

    // The capture holds every message the connection processed and replays to the same totals.
    const lines = fs.readFileSync(captureFile, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'connected',
      roomId: ROOM,
      streamer: 'alice',
    });
    expect(lines).toHaveLength(1 + opening.length + gifts.length + 5 + resent.length + 5 + 1);
    expect(JSON.parse(lines[1]!)).toEqual({
      at: expect.any(Number),
      method: opening[0]!.method,
      payload: Buffer.from(opening[0]!.payload).toString('base64'),
    });
    const replayed = await openProfile();
    await new RawReplaySource({ file: captureFile, speed: 0 }).run(replayed.tracker);
    expect((await replayed.finish())?.stats).toEqual(expectedTotals);
  });

  it('stops when asked and closes the connection', async () => {
    const { source, statuses } = liveSource();
    const profile = await openProfile();
    const run = source.run(profile.tracker);
    await statuses.next((s) => s.state === 'connected');
    const socket = await fake.socket(1);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    source.stop();
    expect(await run).toEqual({ reason: 'stopped' });
    await closed;
    expect(statuses.all.at(-1)).toMatchObject({ state: 'disconnected', code: 'stopped' });
    await profile.finish();
  });

  describe('failures, as the sign server and TikTok report them', () => {
    it('429 (a TypeError in 2.4.0): waits the retry-after the sign server sent, then connects', async () => {
      fake.signReplies.push({
        kind: 'status',
        status: 429,
        body: { message: 'Too many requests, please slow down', limit_label: 'minute' },
        headers: { 'retry-after': '42' },
      });
      const { source, timers, statuses } = liveSource();
      const profile = await openProfile();
      const run = source.run(profile.tracker);

      const limited = await statuses.next((s) => s.retryInMs !== undefined);
      expect(limited).toEqual({
        state: 'connecting',
        code: 'rate_limited',
        message: 'rate limited by the sign server, retrying in 42 s',
        retryInMs: 42_000,
      });
      timers.advance(41_999);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(fake.signRequests.filter((r) => r.path.endsWith('/connect'))).toHaveLength(1);
      timers.advance(1);
      await statuses.next((s) => s.state === 'connected');
      expect(fake.signRequests.filter((r) => r.path.endsWith('/connect'))).toHaveLength(2);
      source.stop();
      await run;
      await profile.finish();
    });

    it('429 with only x-ratelimit-reset: waits until the reset', async () => {
      fake.signReplies.push({
        kind: 'status',
        status: 429,
        body: { message: 'Too many requests, please slow down' },
        headers: { 'x-ratelimit-reset': String(T0 / 1000 + 90) },
      });
      const { source, statuses } = liveSource();
      const run = source.run((await openProfile()).tracker);
      expect(await statuses.next((s) => s.retryInMs !== undefined)).toMatchObject({
        code: 'rate_limited',
        message: 'rate limited by the sign server, retrying in 90 s',
        retryInMs: 90_000,
      });
      source.stop();
      await run;
    });

    it('429 without a retry-after: the fallback pause', async () => {
      fake.signReplies.push({ kind: 'status', status: 429, body: { message: 'slow' } });
      const { source, statuses } = liveSource();
      const run = source.run((await openProfile()).tracker);
      expect(await statuses.next((s) => s.retryInMs !== undefined)).toMatchObject({
        code: 'rate_limited',
        retryInMs: 30_000,
      });
      source.stop();
      await run;
    });

    it.each([
      [
        401,
        KEY,
        'sign_key_rejected',
        /^sign-server key rejected \(HTTP 401\): check the Euler Stream API key/,
      ],
      [403, KEY, 'sign_key_rejected', /^sign-server key rejected \(HTTP 403\)/],
      [
        401,
        undefined,
        'sign_key_missing',
        /wants an API key \(HTTP 401\): get one at https:\/\/www\.eulerstream\.com/,
      ],
      [402, KEY, 'sign_plan_required', /needs a paid Euler Stream plan \(HTTP 402\)/],
    ])(
      'HTTP %i from the sign server (key %s): %s, not retried',
      async (status, key, code, message) => {
        // The server echoes the key it got: it must still never reach a status or a log.
        fake.signReplies.push({
          kind: 'status',
          status,
          body: { message: `refused ${key ?? 'no key'}` },
        });
        const { source, statuses, logs, timers } = liveSource({ signApiKey: key });
        const error = await source.run((await openProfile()).tracker).catch((e: unknown) => e);
        expect(error).toMatchObject({ code });
        expect((error as Error).message).toMatch(message);
        expect(statuses.all.at(-1)).toMatchObject({ state: 'disconnected', code });
        expect(timers.pending).toEqual([]);
        expect(JSON.stringify([statuses.all, logs, (error as Error).message])).not.toContain(KEY);
      },
    );

    it('HTTP 500 from the sign server is retried', async () => {
      fake.signReplies.push({ kind: 'status', status: 500, body: { message: 'boom' } });
      const { source, timers, statuses } = liveSource();
      const profile = await openProfile();
      const run = source.run(profile.tracker);
      expect(await statuses.next((s) => s.retryInMs !== undefined)).toMatchObject({
        code: 'sign_server_error',
        message: expect.stringMatching(/failed \(HTTP 500\), retrying in 1 s$/),
      });
      timers.advance(1000);
      await statuses.next((s) => s.state === 'connected');
      source.stop();
      await run;
      await profile.finish();
    });

    it('an offline streamer: "@alice is not live right now", not retried', async () => {
      fake.offline('alice', ROOM, STREAMER_ID);
      const { source, statuses } = liveSource();
      await expect(source.run((await openProfile()).tracker)).rejects.toMatchObject({
        code: 'user_offline',
        message: '@alice is not live right now',
      });
      expect(statuses.all.at(-1)).toEqual({
        state: 'disconnected',
        code: 'user_offline',
        message: '@alice is not live right now',
      });
      expect(fake.signRequests.filter((r) => r.path.endsWith('/connect'))).toHaveLength(0);
    });

    it('an unknown handle: every room lookup fails, not retried', async () => {
      const { source } = liveSource({ streamer: 'nobody_here' });
      await expect(source.run((await openProfile()).tracker)).rejects.toMatchObject({
        code: 'streamer_not_found',
        message: expect.stringMatching(/^could not find a LIVE of @nobody_here on TikTok/),
      });
      expect(fake.webRequests).toEqual(['/@nobody_here/live', '/api-live/user/room/']);
      expect(fake.signRequests.map((r) => r.path)).toEqual([
        '/webcast/anchors/nobody_here/room_id',
      ]);
    });

    it('an unreachable sign server is retried', async () => {
      const { source, statuses } = liveSource({ signServerUrl: 'http://127.0.0.1:1' });
      const run = source.run((await openProfile()).tracker);
      expect(await statuses.next((s) => s.retryInMs !== undefined)).toMatchObject({
        code: 'sign_server_unreachable',
        message: 'cannot reach the sign server 127.0.0.1:1, retrying in 1 s',
      });
      source.stop();
      await run;
    });

    it('a refused WebSocket is retried', async () => {
      fake.signReplies.push({ kind: 'ok', pushServer: 'ws://127.0.0.1:1/webcast/im/' });
      const { source, statuses } = liveSource();
      const run = source.run((await openProfile()).tracker);
      expect(await statuses.next((s) => s.retryInMs !== undefined)).toMatchObject({
        code: 'tiktok_unreachable',
        message:
          'cannot reach TikTok (ECONNREFUSED): check the internet connection, retrying in 1 s',
      });
      source.stop();
      await run;
    });
  });
});
