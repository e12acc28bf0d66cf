import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import { TikTokSource, type TikTokSourceOptions } from '../../src/sources/tiktok/index.js';
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
import { openProfile } from './fixtures/profile-harness.js';
import { StatusLog } from './fixtures/status-log.js';
import { WatchingSink } from './fixtures/watching-sink.js';
import { ROOM, STREAMER_ID } from './fixtures/webcast-messages.js';

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
    signApiKey: 'key',
    timers,
    onStatus: statuses.listener,
    logger: createLogger('debug', (line) => logs.push(line)),
    ...fake.sourceOptions(),
    ...options,
  });
  return { source, timers, statuses, logs };
}

/** Lets real sockets and promises move while the fake clock stands still. */
const realPause = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));

const connects = () => fake.signRequests.filter((r) => r.path.endsWith('/connect')).length;

describe('a TikTok connection that goes silent (fake TikTok, fake clock)', () => {
  it('is dropped after 60 s without a frame and reconnected to the same broadcast', async () => {
    fake.signReplies.push({ kind: 'ok', initial: opening }, { kind: 'ok', initial: resent });
    const profile = await openProfile();
    const sink = new WatchingSink(profile.tracker);
    const { source, timers, statuses, logs } = liveSource();
    const run = source.run(sink);

    await statuses.next((s) => s.state === 'connected');
    await sink.waitForEvents(opening.length);
    const first = await fake.socket(1);
    const firstClosed = new Promise((resolve) => first.once('close', resolve));

    // Frames keep it alive: 50 s, a batch, 50 s more is only 50 s of silence.
    timers.advance(50_000);
    fake.send(gifts, '101');
    await sink.waitForEvents(opening.length + gifts.length);
    timers.advance(50_000);
    await realPause();
    expect(statuses.all.at(-1)?.state).toBe('connected');
    fake.send(social.slice(0, 5), '102');
    await sink.waitForEvents(opening.length + gifts.length + 5);

    // Then nothing: at 59.999 s still connected, at 60 s dropped.
    timers.advance(59_999);
    await realPause();
    expect(statuses.all.at(-1)?.state).toBe('connected');
    timers.advance(1);
    const silent = await statuses.next((s) => s.code === 'connection_silent');
    expect(silent).toEqual({
      state: 'reconnecting',
      code: 'connection_silent',
      message: 'no messages from TikTok for 60 s, reconnecting in 1 s',
      retryInMs: 1000,
    });
    await firstClosed; // the silent socket is closed, not left behind
    expect(logs.join('\n')).toContain('no messages from TikTok for 60 s, reconnecting in 1 s');
    expect(connects()).toBe(1);

    // The usual backoff, then straight back to the same room; re-sent messages count once.
    timers.advance(1000);
    await statuses.next((s) => s.state === 'connected');
    expect(connects()).toBe(2);
    await fake.socket(2);
    fake.send(social.slice(5), '103');
    fake.send([streamEnded], '104');
    expect(await run).toMatchObject({ reason: 'streamEnd' });
    expect(sink.connectedEvents.map((c) => c.roomId)).toEqual([ROOM, ROOM]);
    const sessions = profile.store.listSessions();
    const saved = await profile.finish();
    expect(saved?.stats).toEqual(expectedTotals);
    expect(sessions).toHaveLength(1);
  });

  it('leaves no watchdog timer behind when stopped', async () => {
    const { source, timers, statuses } = liveSource();
    const profile = await openProfile();
    const run = source.run(profile.tracker);
    await statuses.next((s) => s.state === 'connected');
    expect(timers.pending).toEqual([60_000]);
    source.stop();
    expect(await run).toEqual({ reason: 'stopped' });
    expect(timers.pending).toEqual([]);
    await profile.finish();
  });
});

describe('TikTok out of reach (every host refuses)', () => {
  it('says "cannot reach TikTok" once, and retries', async () => {
    const { source, statuses, logs } = liveSource({
      signServerUrl: 'http://127.0.0.1:1',
      connectionOverrides: {
        webConfigOverrides: { TIKTOK_HOST_WEB: '127.0.0.1:1', TIKTOK_HOST_WEBCAST: '127.0.0.1:1' },
        webClientOptions: { https: { rejectUnauthorized: false } },
      },
    });
    const run = source.run((await openProfile()).tracker);
    const failed = await statuses.next((s) => s.retryInMs !== undefined);
    expect(failed).toEqual({
      state: 'connecting',
      code: 'tiktok_unreachable',
      message: 'cannot reach TikTok (ECONNREFUSED): check the internet connection, retrying in 1 s',
      retryInMs: 1000,
    });
    source.stop();
    await run;
    const text = logs.join('\n');
    expect(text).not.toMatch(/could not find a LIVE|check the handle/);
    // The library's own words only at debug level, and never twice on one line.
    expect(text).toContain('Failed to retrieve Room ID from all sources');
    expect(text).not.toMatch(/(Failed to retrieve Room ID from all sources)[^\n]*\1/);
    expect(text).not.toMatch(/^warn: TikTok connection/m);
  });
});
