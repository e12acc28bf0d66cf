import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamTracker } from '../../src/app/stream-tracker.js';
import type { ConnectedEvent, StreamEvent } from '../../src/domain/events.js';
import { RecordingGenerator } from '../../src/sources/replay/recording-generator.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { InlineProgressWriter, RETRY_MS } from '../../src/storage/progress-writer.js';
import { connected, like, T0, user } from '../helpers/events.js';
import { PromisedStore } from '../helpers/promised-store.js';
import { waitFor } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

/** One run on a profile whose storage answers with promises, as PostgreSQL does. */
async function start(file: string) {
  const store = new PromisedStore(ProfileStore.open(file, { create: true }));
  const tracker = await StreamTracker.open(store, { saveIntervalMs: 20 });
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
      await tracker.settled();
    },
    async stop() {
      await tracker.close();
      await store.close();
    },
  };
}

function savedIn(file: string) {
  const store = ProfileStore.open(file, { readonly: true });
  try {
    return { current: store.loadCurrent(), sessions: store.listSessions() };
  } finally {
    store.close();
  }
}

describe('the tracker on a storage that answers with promises', () => {
  it('counts, resumes after a restart without counting twice, and saves one write at a time', async () => {
    const file = path.join(tempDir(), 'p.db');
    const generator = new RecordingGenerator({ seed: 5, durationSec: 180, intensity: 1.5 });
    const events = [...generator.events()];
    const header = events[0] as ConnectedEvent;
    const half = Math.floor(events.length / 2);

    const first = await start(file);
    await first.play(events.slice(0, half));
    await first.stop();
    const second = await start(file);
    await second.play([{ ...header, at: events[half]!.at }, ...events.slice(half - 300, half)]);
    expect(second.tracker.broadcast?.resumed).toBe(true);
    await second.play(events.slice(half));
    await second.stop();

    const { current, sessions } = savedIn(file);
    expect(current?.stats).toEqual(generator.truth.stats);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ stats: generator.truth.stats, endReason: 'ended' });
    for (const run of [first, second]) {
      expect(run.store.maxInFlight).toBe(1);
      expect(run.store.committed.at(-1)).toMatch(/^end \d+ /); // the end after the last save
    }
  });

  it('shows the saved stats once opened, and a reset reaches the storage before it answers', async () => {
    const file = path.join(tempDir(), 'p.db');
    const first = await start(file);
    await first.play([connected(), like({ count: 7 })]);
    await first.stop();

    const second = await start(file);
    expect(second.tracker.stats.likes).toBe(7);
    await second.tracker.reset();
    expect((await second.store.loadCurrent())?.stats.likes).toBe(0);
    await second.stop();
  });
});

describe('the inline writer on a storage that answers with promises', () => {
  it('settles only once the saves are committed, in the order they were handed over', async () => {
    const store = new PromisedStore(
      ProfileStore.open(path.join(tempDir(), 'p.db'), { create: true }),
    );
    const writer = new InlineProgressWriter(store);
    const tracker = await StreamTracker.open(store, { writer, saveIntervalMs: 60_000 });
    await tracker.connected(connected());
    for (let i = 1; i <= 5; i++) {
      tracker.event(like({ count: 1, user: user(i) }));
      tracker.flush(); // five saves handed over at once
    }
    expect(store.committed).toEqual([]);
    await writer.settle();
    expect(store.committed).toEqual([1, 2, 3, 4, 5].map((n) => `save likes=${n}`));
    expect(store.maxInFlight).toBe(1);
    await tracker.close();
    await store.close();
  });

  it('retries a save that failed, holding back the ones after it, and loses nothing', async () => {
    const file = path.join(tempDir(), 'p.db');
    const store = new PromisedStore(ProfileStore.open(file, { create: true }));
    const statuses: boolean[] = [];
    const writer = new InlineProgressWriter(store, {
      onStatus: (status) => statuses.push(status.ok),
    });
    const tracker = await StreamTracker.open(store, { writer, saveIntervalMs: 60_000 });
    await tracker.connected(connected());
    store.failNext(2);
    tracker.event(like({ count: 3 }));
    tracker.flush();
    await expect(writer.settle()).rejects.toMatchObject({ code: 'save_failed' });
    expect(tracker.storage).toMatchObject({ ok: false, error: { code: 'save_failed' } });
    tracker.event(like({ count: 4, user: user(2) }));
    tracker.flush(true); // queued behind the failing one
    const failedAt = Date.now();
    await waitFor(() => tracker.storage.ok, 3 * RETRY_MS + 5000);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(RETRY_MS - 50); // retried, not spun
    await writer.settle();
    expect(store.committed).toEqual(['save likes=3', 'save likes=7']);
    expect(statuses).toEqual([false, true]);
    await tracker.close();
    await store.close();
    expect(savedIn(file).current?.stats.likes).toBe(7);
  });

  it('close waits for the save in flight, and gives up when told while saves keep failing', async () => {
    const store = new PromisedStore(
      ProfileStore.open(path.join(tempDir(), 'p.db'), { create: true }),
    );
    const tracker = await StreamTracker.open(store, { saveIntervalMs: 60_000 });
    await tracker.connected(connected());
    tracker.event(like({ count: 2 }));
    tracker.flush();
    store.failNext(Number.MAX_SAFE_INTEGER); // the save in flight and every one after it
    const giveUp = new AbortController();
    setTimeout(() => giveUp.abort(), RETRY_MS + 500);
    await expect(tracker.close('stopped', giveUp.signal)).rejects.toMatchObject({
      code: 'unsaved_stats',
      message: expect.stringMatching(/could not be saved: could not save the stats/),
    });
    expect(store.committed).toEqual([]);
    await store.close();
  });
});
