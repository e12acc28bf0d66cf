import { describe, expect, it } from 'vitest';
import {
  BroadcastTally,
  DEFAULT_TALLY_OPTIONS,
  type StatsSample,
  type TallyChanges,
  type TallySeed,
} from '../../src/domain/broadcast-tally.js';
import type { BroadcastEvent } from '../../src/domain/events.js';
import type { StreakRecord } from '../../src/domain/gift-streaks.js';
import { MessageDedupe } from '../../src/domain/message-dedupe.js';
import { messageKey } from '../../src/domain/message-key.js';
import { zeroStats } from '../../src/domain/stats.js';
import { RecordingGenerator } from '../../src/sources/replay/recording-generator.js';

/**
 * What a profile file keeps of a broadcast, applied the way storage applies a save. Lets the
 * domain be checked against crashes: whatever was not drained before the "kill" is lost.
 */
class SimulatedFile {
  stats = zeroStats();
  peak = 0;
  followers = new Set<string>();
  streaks = new Map<string, StreakRecord>();
  keys = new Set<string>();
  samples = new Map<number, StatsSample>();
  room: TallyChanges['room'] | undefined;

  save(changes: TallyChanges): void {
    this.stats = { ...changes.stats };
    this.peak = changes.peakViewers;
    for (const id of changes.newFollowers) this.followers.add(id);
    for (const s of changes.streaks.upserts) this.streaks.set(s.key, s);
    for (const key of changes.streaks.removed) this.streaks.delete(key);
    const k = changes.messageKeys;
    for (let i = 0; i < k.length; i += 2) this.keys.add(`${k[i]}:${k[i + 1]}`);
    for (const s of changes.samples) this.samples.set(s.t, s);
    this.room = changes.room;
  }

  stored(id: string): boolean {
    const out = new Uint32Array(2);
    messageKey(id, out);
    return this.keys.has(`${out[0]}:${out[1]}`);
  }

  seed(): TallySeed {
    const messages = new MessageDedupe(DEFAULT_TALLY_OPTIONS.dedupe);
    for (const key of this.keys) {
      const [hi, lo] = key.split(':').map(Number);
      messages.rememberStored(hi!, lo!);
    }
    return {
      stats: this.stats,
      peakViewers: this.peak,
      followers: this.followers,
      streaks: [...this.streaks.values()],
      messages,
      ...this.room,
      lastSampleAt: this.samples.size ? Math.max(...this.samples.keys()) : undefined,
    };
  }

  series(): string {
    return [...this.samples.values()]
      .sort((a, b) => a.t - b.t)
      .map((s) => JSON.stringify(s))
      .join('\n');
  }
}

/** Plays events the way the tracker does: a clock from the events, ticks each second. */
function play(
  tally: BroadcastTally,
  events: readonly BroadcastEvent[],
  file: SimulatedFile,
  options: { drainEvery: number; stopAfter?: number },
): void {
  let now = 0;
  let nextTick = 0;
  const stop = options.stopAfter ?? events.length;
  for (let i = 0; i < stop; i++) {
    const event = events[i]!;
    now = Math.max(now, event.at);
    if (now >= nextTick) {
      tally.tick(now);
      nextTick = now + 1000;
    }
    if (tally.apply(event, now) === 'lookup') {
      const id = (event as { msgId: string }).msgId;
      expect(tally.apply(event, now, file.stored(id))).not.toBe('lookup');
    }
    if (i % options.drainEvery === options.drainEvery - 1) file.save(tally.drainChanges(now));
  }
  if (options.stopAfter !== undefined) return; // killed: nothing more is saved
  tally.closeStreaks(now);
  file.save(tally.drainChanges(now));
}

function recording(seed: number) {
  const generator = new RecordingGenerator({ seed, durationSec: 300, intensity: 1.5 });
  const events = [...generator.events()].filter((e) => e.type !== 'connected');
  return { events: events as BroadcastEvent[], truth: generator.truth };
}

const small = {
  ...DEFAULT_TALLY_OPTIONS,
  dedupe: { ...DEFAULT_TALLY_OPTIONS.dedupe, windowCapacity: 500 },
};

describe('a broadcast counted again (a crash, a re-import)', () => {
  const { events, truth } = recording(41);
  const clean = new SimulatedFile();
  play(new BroadcastTally(small), events, clean, { drainEvery: 700 });

  it('a clean pass counts the ground truth', () => {
    expect(clean.stats).toEqual(truth.stats);
    expect(clean.samples.size).toBeGreaterThan(30);
  });

  it('the same broadcast twice: the same counters and a byte-identical time series', () => {
    const file = new SimulatedFile();
    play(new BroadcastTally(small), events, file, { drainEvery: 700 });
    play(new BroadcastTally(small, file.seed()), events, file, { drainEvery: 300 });
    expect(file.stats).toEqual(truth.stats);
    expect(file.series()).toBe(clean.series());
  });

  it.each([0.1, 0.37, 0.5, 0.83])(
    'killed after %s of it, then played whole again: as one clean pass',
    (fraction) => {
      const file = new SimulatedFile();
      const stopAfter = Math.floor(events.length * fraction);
      play(new BroadcastTally(small), events, file, { drainEvery: 700, stopAfter });
      play(new BroadcastTally(small, file.seed()), events, file, { drainEvery: 450 });
      expect(file.stats).toEqual(truth.stats);
      expect(file.series()).toBe(clean.series());
    },
  );
});
