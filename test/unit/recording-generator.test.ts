import { describe, expect, it } from 'vitest';
import { BroadcastTally } from '../../src/domain/broadcast-tally.js';
import { InvalidEvent, validateEvent } from '../../src/domain/events.js';
import {
  RecordingGenerator,
  recordingLines,
} from '../../src/sources/replay/recording-generator.js';

describe('the seeded recording generator', () => {
  it('writes the same recording for the same seed, and another for another seed', () => {
    const a = [...recordingLines(new RecordingGenerator({ seed: 1, durationSec: 20 }))];
    const b = [...recordingLines(new RecordingGenerator({ seed: 1, durationSec: 20 }))];
    const c = [...recordingLines(new RecordingGenerator({ seed: 2, durationSec: 20 }))];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('writes only valid events, starting with the connected line', () => {
    const events = [...new RecordingGenerator({ seed: 3, durationSec: 30 }).events()];
    expect(events[0]?.type).toBe('connected');
    for (const event of events) expect(validateEvent(event)).not.toBeInstanceOf(InvalidEvent);
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'viewers',
      'like',
      'gift',
      'follow',
      'share',
      'chat',
      'join',
      'streamEnd',
    ]) {
      expect(types).toContain(type);
    }
  });

  // The generator decides what "really" happened (every tick sent, each user's first follow,
  // the room's like total) apart from the messages it writes, which include the awkward
  // parts: doubled combo ends, lost ends, out-of-order like totals, a re-sent batch.
  it.each([11, 12, 13, 14])(
    'its ground truth equals what the stats rules count (seed %i)',
    (seed) => {
      const generator = new RecordingGenerator({ seed, durationSec: 120, intensity: 1.5 });
      const tally = new BroadcastTally();
      let now = 0;
      let resent = 0;
      const seen = new Set<string>();
      for (const event of generator.events()) {
        if (event.type === 'connected') continue;
        now = Math.max(now, event.at);
        if ('msgId' in event) {
          if (seen.has(event.msgId)) resent++;
          seen.add(event.msgId);
        }
        tally.apply(event, now);
        tally.tick(now);
      }
      tally.closeStreaks(now);
      expect(resent).toBeGreaterThan(0);
      expect(tally.stats).toEqual(generator.truth.stats);
      expect(tally.peakViewers).toBe(generator.truth.peakViewers);
    },
  );
});
