import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';
import { LivetallyError } from '../../src/domain/errors.js';
import { RawReplaySource } from '../../src/sources/tiktok/index.js';
import {
  expectedTotals,
  gifts,
  opening,
  social,
  wholeBroadcast,
} from './fixtures/broadcast-script.js';
import { collectingSink } from './fixtures/collecting-sink.js';
import { openProfile } from './fixtures/profile-harness.js';
import { connectedLine, messageLine, writeCapture } from './fixtures/raw-capture-file.js';
import {
  ROOM,
  STREAMER_ID,
  T0,
  ann,
  giftMessage,
  likeMessage,
} from './fixtures/webcast-messages.js';

describe('replaying a raw capture', () => {
  it('gives exactly the totals the stats rules demand, re-sent messages included', async () => {
    const file = writeCapture(wholeBroadcast);
    const profile = await openProfile();
    const summary = await new RawReplaySource({ file, speed: 0 }).run(profile.tracker);
    const saved = await profile.finish();

    expect(summary).toMatchObject({ reason: 'finished', invalid: 0 });
    expect(summary.events).toBe(wholeBroadcast.length + 1);
    expect(saved?.stats).toEqual(expectedTotals);
    expect(saved).toMatchObject({ streamer: 'streamer', streamerId: STREAMER_ID, roomId: ROOM });
  });

  it('emits the normalized events field by field, follow and share once each', async () => {
    const file = writeCapture([...opening, ...gifts.slice(0, 4), ...social.slice(3, 8)]);
    const { events, sink } = collectingSink();
    await new RawReplaySource({ file, speed: 0 }).run(sink);

    expect(events.map((e) => e.type)).toEqual([
      'viewers',
      'join',
      'chat',
      'like',
      'share',
      'gift',
      'gift',
      'gift',
      'gift',
      'follow',
      'follow',
      'share',
      'share',
    ]);
    expect(events[0]).toEqual({ type: 'viewers', at: T0 + 1000, count: 120 });
    expect(events[3]).toEqual({
      type: 'like',
      at: T0 + 4000,
      msgId: '9100000000000000004',
      user: { id: '7000000000000000003', handle: 'cid', nickname: 'Cid' },
      count: 4,
    });
    expect(events[7]).toEqual({
      type: 'gift',
      at: T0 + 12_000,
      msgId: '9100000000000000012',
      user: { id: ann.id, handle: ann.handle, nickname: ann.nickname },
      giftId: '5655',
      giftName: 'Rose',
      diamonds: 1,
      repeatCount: 3,
      streakable: true,
      repeatEnd: true,
      groupId: '1718000000010',
    });
    expect(events[8]).toMatchObject({ giftId: '6369', streakable: false, repeatEnd: false });
    expect(events[8]).not.toHaveProperty('groupId');
    expect(events[2]).toMatchObject({ type: 'chat', text: 'hi 👋', user: { nickname: 'Bob 🎸' } });
  });

  it('reports bad lines with their line number, skips them, and counts the rest', async () => {
    const lines = [
      connectedLine(),
      messageLine(gifts[3]!, T0 + 1000),
      'not json',
      JSON.stringify({ at: T0 + 2000, method: 'WebcastLikeMessage', payload: '%%%' }),
      JSON.stringify({ at: 'soon', method: 'WebcastLikeMessage', payload: '' }),
      // Bytes that are not a valid WebcastLikeMessage (a truncated field).
      JSON.stringify({ at: T0 + 3000, method: 'WebcastLikeMessage', payload: 'Eg==' }),
      // A message type the library does not know: skipped silently, like live.
      JSON.stringify({ at: T0 + 4000, method: 'WebcastFutureMessage', payload: 'CAE=' }),
      JSON.stringify({ type: 'like', at: T0, msgId: '1', user: ann, count: 1 }),
      messageLine(
        likeMessage({ msgId: '77', at: T0 + 5000, from: ann, count: 2, total: 0 }),
        T0 + 5000,
      ),
    ];
    const file = writeCapture([], []);
    fs.writeFileSync(file, lines.join('\n'));
    const invalid: [number, string][] = [];
    const profile = await openProfile();
    const summary = await new RawReplaySource({
      file,
      speed: 0,
      onInvalid: (line, error) => invalid.push([line, error]),
    }).run(profile.tracker);
    const saved = await profile.finish();

    expect(invalid.map(([line]) => line)).toEqual([3, 4, 5, 6, 8]);
    expect(invalid[0]![1]).toBe('not valid JSON');
    expect(invalid[1]![1]).toMatch(/base64/);
    expect(invalid[2]![1]).toMatch(/"at"/);
    expect(invalid[3]![1]).toMatch(/not a valid WebcastLikeMessage/);
    expect(invalid[4]![1]).toMatch(/not "like" events/);
    expect(summary).toMatchObject({ reason: 'finished', lines: 9, invalid: 5 });
    expect(saved?.stats).toMatchObject({ gifts: 1, totalCoins: 29_999, likes: 2 });
  });

  it('refuses a capture that does not start with a connected line', async () => {
    const file = writeCapture([]);
    fs.writeFileSync(file, messageLine(gifts[3]!, T0) + '\n');
    const error = await new RawReplaySource({ file, speed: 0 })
      .run(collectingSink().sink)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivetallyError);
    expect(error).toMatchObject({ code: 'invalid_recording' });
    expect((error as Error).message).toMatch(/line 1: .*starts with a "connected" line/);
  });

  it('refuses an empty capture and a missing file', async () => {
    const file = writeCapture([]);
    fs.writeFileSync(file, '\n\n');
    await expect(
      new RawReplaySource({ file, speed: 0 }).run(collectingSink().sink),
    ).rejects.toMatchObject({
      code: 'invalid_recording',
    });
    await expect(
      new RawReplaySource({ file: `${file}.missing`, speed: 0 }).run(collectingSink().sink),
    ).rejects.toMatchObject({ code: 'recording_not_found' });
  });

  it('starts a new broadcast at a later connected line with another room', async () => {
    const secondRoom = '7400000000000000002';
    const lines = [
      connectedLine(),
      messageLine(gifts[3]!, T0 + 1000),
      connectedLine({ at: T0 + 60_000, roomId: secondRoom }),
      messageLine(
        giftMessage({
          msgId: '5',
          at: T0 + 61_000,
          from: ann,
          giftId: 1,
          name: 'GG',
          diamonds: 10,
          type: 2,
          repeatCount: 1,
          repeatEnd: 0,
        }),
        T0 + 61_000,
      ),
    ];
    const file = writeCapture([]);
    fs.writeFileSync(file, lines.join('\n'));
    const profile = await openProfile();
    await new RawReplaySource({ file, speed: 0 }).run(profile.tracker);
    const sessions = profile.store.listSessions();
    const saved = await profile.finish();

    expect(saved).toMatchObject({ roomId: secondRoom, stats: { gifts: 1, totalCoins: 10 } });
    expect(sessions.map((s) => s.roomId).sort()).toEqual([ROOM, secondRoom].sort());
  });

  it('drives the clock by the capture at speed 0 and paces it otherwise', async () => {
    const messages = [opening[0]!, opening[1]!, opening[2]!];
    const fast = collectingSink();
    await new RawReplaySource({ file: writeCapture(messages), speed: 0 }).run(fast.sink);
    expect(fast.clocks).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);

    const started = performance.now();
    // 3 s of capture at 30× take at least 100 ms.
    await new RawReplaySource({ file: writeCapture(messages), speed: 30 }).run(
      collectingSink().sink,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('stops early when asked, even in the middle of a pause', async () => {
    const source = new RawReplaySource({ file: writeCapture(wholeBroadcast), speed: 1 });
    const { events, sink } = collectingSink();
    const run = source.run(sink);
    setTimeout(() => source.stop(), 50);
    const summary = await run;
    expect(summary.reason).toBe('stopped');
    expect(events.length).toBeLessThan(3);
  });

  it('rejects a negative or non-numeric speed', () => {
    expect(() => new RawReplaySource({ file: 'x', speed: -1 })).toThrow(/speed/);
    expect(() => new RawReplaySource({ file: 'x', speed: Number.NaN })).toThrow(/speed/);
  });

  it('logs skipped messages at debug only', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    const file = writeCapture([
      giftMessage({
        msgId: '0',
        from: ann,
        giftId: 1,
        name: 'x',
        diamonds: 1,
        type: 2,
        repeatCount: 1,
        repeatEnd: 0,
      }),
    ]);
    const { events, sink } = collectingSink();
    await new RawReplaySource({ file, speed: 0, logger }).run(sink);
    expect(events).toEqual([]);
    expect(lines).toEqual(['debug: skipped a TikTok gift message: no message id']);
  });
});
