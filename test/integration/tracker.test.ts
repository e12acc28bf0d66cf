import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamTracker } from '../../src/app/stream-tracker.js';
import type { BroadcastEvent, ConnectedEvent, StreamEvent } from '../../src/domain/events.js';
import { zeroStats } from '../../src/domain/stats.js';
import { RecordingGenerator } from '../../src/sources/replay/recording-generator.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { WorkerProgressWriter, type ProgressWriter } from '../../src/storage/progress-writer.js';
import {
  combo,
  connected,
  follow,
  gift,
  like,
  share,
  T0,
  user,
  viewers,
} from '../helpers/events.js';
import { tempDir } from '../helpers/temp-dir.js';

/** One run of livetally on a profile file: a store and a tracker, like a process. */
async function start(file: string, writer?: (store: ProfileStore) => ProgressWriter) {
  const store = ProfileStore.open(file, { create: true });
  const tracker = await StreamTracker.open(store, {
    saveIntervalMs: 50,
    writer: writer?.(store),
  });
  let now = T0;
  const clock = () => now;
  return {
    store,
    tracker,
    async play(events: readonly StreamEvent[]) {
      for (const event of events) {
        now = Math.max(now, event.at);
        if (event.type === 'connected') await tracker.connected(event, clock);
        else tracker.event(event);
      }
      await tracker.settled(); // message ids that needed a look-up in the file
    },
    async stop() {
      await tracker.close();
      store.close();
    },
  };
}

const saved = (file: string) => {
  const store = ProfileStore.open(file, { readonly: true });
  try {
    return { current: store.loadCurrent(), sessions: store.listSessions() };
  } finally {
    store.close();
  }
};

describe('the stream tracker', () => {
  it('resumes the same broadcast after a restart without counting anything twice', async () => {
    const file = path.join(tempDir(), 'p.db');
    const generator = new RecordingGenerator({ seed: 5, durationSec: 180, intensity: 1.5 });
    const events = [...generator.events()];
    const header = events[0] as ConnectedEvent;
    const half = Math.floor(events.length / 2);

    const first = await start(file);
    await first.play(events.slice(0, half));
    await first.stop(); // stopped mid-broadcast (Ctrl+C), open combos are counted

    // Restarted: TikTok sends its recent messages again, then the broadcast goes on.
    const second = await start(file);
    await second.play([{ ...header, at: events[half]!.at }, ...events.slice(half - 300, half)]);
    expect(second.tracker.broadcast?.resumed).toBe(true);
    await second.play(events.slice(half));
    await second.stop();

    const { current, sessions } = saved(file);
    expect(current?.stats).toEqual(generator.truth.stats);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ stats: generator.truth.stats, endReason: 'ended' });
  });

  it('starts a new broadcast of the same streamer from zero and keeps the last one in history', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    await run.play([connected({ roomId: 'r1' }), like({ count: 5 }), share()]);
    await run.tracker.disconnect();
    await run.play([connected({ roomId: 'r2', at: T0 + 3_600_000 })]);
    expect(run.tracker.stats).toEqual(zeroStats());
    await run.play([like({ count: 2, at: T0 + 3_600_001 })]);
    await run.stop();
    const { current, sessions } = saved(file);
    expect(current).toMatchObject({ roomId: 'r2', stats: { ...zeroStats(), likes: 2 } });
    expect(sessions.map((s) => [s.roomId, s.stats.likes, s.stats.shares])).toEqual([
      ['r2', 2, 0],
      ['r1', 5, 1],
    ]);
  });

  it('zeroes memory and file as soon as another streamer is connected', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    await run.play([connected(), like({ count: 50 })]);
    await run.tracker.disconnect();
    await run.play([connected({ streamer: 'bob', streamerId: '200', roomId: 'b1' })]);
    expect(run.tracker.stats).toEqual(zeroStats());
    const { current, sessions } = saved(file);
    expect(current).toMatchObject({ streamer: 'bob', stats: zeroStats() });
    expect(sessions.find((s) => s.streamer === 'alice')?.stats.likes).toBe(50);
    await run.stop();
  });

  it('treats a renamed handle with the same user id as the same streamer', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    await run.play([connected(), like({ count: 9 })]);
    await run.tracker.disconnect();
    await run.play([connected({ streamer: 'alice_new' })]);
    expect(run.tracker.stats.likes).toBe(9);
    await run.stop();
  });

  it('on disconnect saves, then clears memory while the file keeps the values', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    await run.play([
      connected(),
      viewers(40),
      like({ count: 10 }),
      ...combo(3, {}, { end: false }),
    ]);
    await run.tracker.disconnect();
    expect(run.tracker.isConnected).toBe(false);
    expect(run.tracker.stats).toEqual(zeroStats());
    const { current, sessions } = saved(file);
    expect(current?.stats).toEqual({
      ...zeroStats(),
      viewers: 40,
      likes: 10,
      gifts: 3,
      totalCoins: 3,
    });
    expect(sessions[0]?.endReason).toBe('disconnected');
    await run.stop();
  });

  it('continues from the last values when the same streamer reconnects', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    const before = [like({ count: 10 }), follow(user(1)), share()];
    await run.play([connected(), ...before]);
    await run.tracker.disconnect();
    // after the reconnect TikTok re-sends recent messages; a combo closed at the
    // disconnect goes on and ends; the follower follows again
    await run.play([connected(), ...before, follow(user(1)), like({ count: 1 })]);
    expect(run.tracker.stats).toMatchObject({ likes: 11, followers: 1, shares: 1 });
    await run.stop();
  });

  it('counts only the rest of a combo that was counted at a disconnect and then went on', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    await run.play([connected(), ...combo(4, { groupId: 'g' }, { end: false })]);
    await run.tracker.disconnect(); // counts 4
    await run.play([connected(), gift({ groupId: 'g', repeatCount: 10, repeatEnd: true })]);
    await run.stop();
    expect(saved(file).current?.stats).toMatchObject({ gifts: 10, totalCoins: 10 });
  });

  it('resets memory and file at once while connected, without recounting re-sent events', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    const earlier = [like({ count: 10 }), share(), follow(user(5))];
    await run.play([connected(), ...earlier]);
    const zero = await run.tracker.reset();
    expect(zero).toEqual(zeroStats());
    expect(saved(file).current?.stats).toEqual(zeroStats()); // not at the next periodic save
    await run.play([...earlier, like({ count: 2 }), follow(user(5)), follow(user(6))]);
    expect(run.tracker.stats).toMatchObject({ likes: 2, shares: 0, followers: 1 });
    await run.stop();
    const { sessions } = saved(file);
    expect(sessions.map((s) => [s.endReason, s.stats.likes])).toEqual([
      ['stopped', 2],
      ['reset', 10],
    ]);
  });

  it('resets while disconnected; reconnecting to the same broadcast starts a new entry from zero', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    const earlier = [like({ count: 10 }), share()];
    await run.play([connected(), ...earlier]);
    await run.tracker.disconnect();
    await run.tracker.reset();
    expect(saved(file).current?.stats).toEqual(zeroStats());
    await run.play([connected(), ...earlier, share()]);
    expect(run.tracker.stats).toMatchObject({ likes: 0, shares: 1 });
    await run.stop();
    expect(saved(file).sessions).toHaveLength(2);
  });

  it('keeps the reset baseline of likes across a restart during the same broadcast', async () => {
    const file = path.join(tempDir(), 'p.db');
    const first = await start(file);
    await first.play([connected(), like({ count: 5, roomTotal: 2311 })]);
    await first.tracker.reset();
    await first.play([like({ count: 9, roomTotal: 2320 })]);
    expect(first.tracker.stats.likes).toBe(9);
    await first.stop();
    const second = await start(file);
    await second.play([connected(), like({ count: 5, roomTotal: 2330 })]);
    expect(second.tracker.broadcast?.resumed).toBe(true);
    await second.stop();
    expect(saved(file).current?.stats.likes).toBe(19);
  });

  it('keeps the reset baseline when reset while disconnected and the broadcast comes back', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    await run.play([connected(), like({ count: 5, roomTotal: 1000 })]);
    await run.tracker.disconnect();
    await run.tracker.reset();
    await run.play([connected(), like({ count: 3, roomTotal: 1015 })]);
    expect(run.tracker.stats.likes).toBe(15);
    await run.stop();
  });

  it('a reconnect with re-sent messages leaves the time series as one clean pass', async () => {
    const generator = new RecordingGenerator({ seed: 8, durationSec: 200, intensity: 1.5 });
    const events = [...generator.events()];
    const cleanFile = path.join(tempDir(), 'clean.db');
    const clean = await start(cleanFile);
    await clean.play(events);
    await clean.stop();

    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    const cut = Math.floor(events.length * 0.6);
    await run.play(events.slice(0, cut));
    // The connection drops and comes back; TikTok sends its recent messages again.
    await run.play([events[0]!, ...events.slice(cut - 300, cut), ...events.slice(cut)]);
    await run.stop();
    const series = (f: string) => {
      const store = ProfileStore.open(f, { readonly: true });
      try {
        return JSON.stringify(store.sessionSeries(1));
      } finally {
        store.close();
      }
    };
    expect(saved(file).current?.stats).toEqual(generator.truth.stats);
    expect(series(file)).toBe(series(cleanFile));
  });

  it('counts events held during a look-up in the order they came', async () => {
    const file = path.join(tempDir(), 'p.db');
    const first = await start(file);
    const sent = like({ count: 5 });
    await first.play([connected(), sent, viewers(5)]);
    await first.stop();
    const second = await start(file);
    await second.play([connected(), sent, viewers(10, T0 + 1), viewers(20, T0 + 2), share()]);
    await second.stop();
    expect(saved(file).current?.stats).toMatchObject({ likes: 5, viewers: 20, shares: 1 });
  });

  it('shows the saved stats after a start, before any connection', async () => {
    const file = path.join(tempDir(), 'p.db');
    const first = await start(file);
    await first.play([connected(), like({ count: 33 })]);
    await first.stop();
    const second = await start(file);
    expect(second.tracker.isConnected).toBe(false);
    expect(second.tracker.stats.likes).toBe(33);
    await second.stop();
  });

  it('saves periodically, not on every event, and coalesces a burst into few saves', async () => {
    const file = path.join(tempDir(), 'p.db');
    let writes = 0;
    const run = await start(file, (store) => {
      const writer = new WorkerProgressWriter(store.file);
      const write = writer.write.bind(writer);
      writer.write = (link, changes) => {
        writes++;
        write(link, changes);
      };
      return writer;
    });
    await run.play([connected()]);
    for (let i = 0; i < 2000; i++) run.tracker.event(like({ count: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 300)); // several save intervals
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2);
    expect((await run.tracker.saved())?.stats.likes).toBe(2000);
    await run.stop();
  });

  it('holds events that arrive while a broadcast is being opened, and counts them after', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    const opening = run.tracker.connected(connected(), () => T0);
    run.tracker.event(like({ count: 4 })); // the connection delivers before the tracker is ready
    await opening;
    expect(run.tracker.stats.likes).toBe(4);
    await run.stop();
  });

  it('ignores events when nothing is connected', async () => {
    const file = path.join(tempDir(), 'p.db');
    const run = await start(file);
    run.tracker.event(like({ count: 4 }) as BroadcastEvent);
    expect(run.tracker.stats.likes).toBe(0);
    await run.stop();
    expect(saved(file).current).toBeNull();
  });
});
