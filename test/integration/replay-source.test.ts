import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BroadcastEvent, ConnectedEvent } from '../../src/domain/events.js';
import { ReplaySource } from '../../src/sources/replay/replay-source.js';
import type { SourceSink } from '../../src/sources/source.js';
import { connected, like, share, T0 } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';

function collector() {
  const seen: { connected: ConnectedEvent[]; events: BroadcastEvent[]; clock: number[] } = {
    connected: [],
    events: [],
    clock: [],
  };
  let clock: () => number = () => 0;
  const sink: SourceSink = {
    connected(info, c) {
      seen.connected.push(info);
      clock = c;
    },
    event(event) {
      seen.events.push(event);
      seen.clock.push(clock());
    },
  };
  return { seen, sink };
}

describe('the replay source', () => {
  it('reads CRLF line endings, skips blank lines, and numbers lines as an editor does', async () => {
    const file = path.join(tempDir(), 'r.ndjson');
    const lines = [
      JSON.stringify(connected()),
      '',
      '   ',
      JSON.stringify(like({ count: 1 })),
      'nope',
    ];
    fs.writeFileSync(file, lines.join('\r\n'));
    const invalid: [number, string][] = [];
    const { seen, sink } = collector();
    const summary = await new ReplaySource({
      file,
      speed: 0,
      onInvalid: (line, error) => invalid.push([line, error]),
    }).run(sink);
    expect(seen.events).toHaveLength(1);
    expect(invalid).toEqual([[5, 'not valid JSON']]);
    expect(summary).toMatchObject({ reason: 'finished', events: 2, invalid: 1 });
  });

  it('reads lines longer than a read chunk and lines split across chunks', async () => {
    const text = '🎉'.repeat(600);
    const events = [connected()];
    const file = writeRecording(tempDir(), 'r.ndjson', [
      ...events,
      ...Array.from({ length: 3000 }, () => ({
        ...share(),
        user: { id: 'u', handle: 'h', nickname: text.slice(0, 250) },
      })),
    ]);
    expect(fs.statSync(file).size).toBeGreaterThan(1024 * 1024); // more than one chunk
    const { seen, sink } = collector();
    await new ReplaySource({ file, speed: 0 }).run(sink);
    expect(seen.events).toHaveLength(3000);
    expect(seen.events.every((e) => 'user' in e && e.user?.nickname.length === 250)).toBe(true);
  });

  it('gives timers, sockets and pushes a turn every few milliseconds while catching up', async () => {
    // 400 events that each take 1 ms to count: far less than one read chunk.
    const file = writeRecording(tempDir(), 'r.ndjson', [
      connected(),
      ...Array.from({ length: 400 }, () => like({ count: 1 })),
    ]);
    const { sink } = collector();
    const slowSink: SourceSink = {
      connected: sink.connected,
      event(event) {
        const until = performance.now() + 1;
        while (performance.now() < until);
        sink.event(event);
      },
    };
    // Counted in turns, not milliseconds, so a loaded machine cannot make it flaky: 400 ms
    // of work handed back every ~10 ms gives dozens of turns; one batch for the whole file,
    // none.
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    try {
      await new ReplaySource({ file, speed: 0 }).run(slowSink);
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it('drives a clock from the recording: event times at full speed', async () => {
    const file = writeRecording(tempDir(), 'r.ndjson', [
      connected(),
      like({ count: 1, at: T0 + 1000 }),
      like({ count: 1, at: T0 + 500 }), // out of order: the clock does not go back
      like({ count: 1, at: T0 + 9000 }),
    ]);
    const { seen, sink } = collector();
    await new ReplaySource({ file, speed: 0 }).run(sink);
    expect(seen.clock).toEqual([T0 + 1000, T0 + 1000, T0 + 9000]);
  });

  it('paces events by their times at a given speed', async () => {
    const file = writeRecording(tempDir(), 'r.ndjson', [
      connected(),
      like({ count: 1, at: T0 }),
      like({ count: 1, at: T0 + 2000 }),
      like({ count: 1, at: T0 + 4000 }),
    ]);
    const { sink } = collector();
    const started = performance.now();
    await new ReplaySource({ file, speed: 10 }).run(sink);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(380); // 4 s of recording at 10×
    expect(elapsed).toBeLessThan(3000);
  });

  it('at any speed, counts each event at its own recording time; between events the clock moves on, short of the next', async () => {
    const file = writeRecording(tempDir(), 'r.ndjson', [
      connected(),
      like({ count: 1, at: T0 + 100 }),
      like({ count: 1, at: T0 + 2100 }),
      like({ count: 1, at: T0 + 3000 }),
    ]);
    const { seen, sink } = collector();
    let clock: () => number = () => 0;
    const waiting: number[] = [];
    const timer = setInterval(() => waiting.push(clock()), 5);
    await new ReplaySource({ file, speed: 10 }).run({
      connected(info, c) {
        clock = c;
        return sink.connected(info, c);
      },
      event: (event) => sink.event(event),
    });
    clearInterval(timer);
    expect(seen.clock).toEqual([T0 + 100, T0 + 2100, T0 + 3000]);
    const between = waiting.filter((t) => t > T0 + 100 && t < T0 + 2100);
    expect(between.length).toBeGreaterThan(3); // time went on while it waited …
    expect(waiting.every((t) => Number.isInteger(t))).toBe(true);
    expect(Math.max(...waiting)).toBeLessThanOrEqual(T0 + 3000); // … never past an event not yet played
  });

  it('stops promptly when asked, even while waiting for the next event', async () => {
    const file = writeRecording(tempDir(), 'r.ndjson', [
      connected(),
      like({ count: 1, at: T0 }),
      like({ count: 1, at: T0 + 60_000 }),
    ]);
    const { seen, sink } = collector();
    const source = new ReplaySource({ file, speed: 1 });
    const running = source.run(sink);
    setTimeout(() => source.stop(), 100);
    const summary = await running;
    expect(summary.reason).toBe('stopped');
    expect(seen.events).toHaveLength(1);
  });

  it('can play a recording again as a new broadcast (re-dated, another room)', async () => {
    const file = writeRecording(tempDir(), 'r.ndjson', [
      connected(),
      like({ count: 1, at: T0 + 5 }),
    ]);
    const { seen, sink } = collector();
    await new ReplaySource({ file, speed: 0, startAt: T0 + 3_600_000, roomId: 'loop-2' }).run(sink);
    expect(seen.connected[0]).toMatchObject({ roomId: 'loop-2', at: T0 + 3_600_000 });
    expect(seen.events[0]?.at).toBe(T0 + 3_600_005);
  });

  it('refuses an empty recording and a bad speed', async () => {
    const file = path.join(tempDir(), 'empty.ndjson');
    fs.writeFileSync(file, '\n\n');
    await expect(new ReplaySource({ file, speed: 0 }).run(collector().sink)).rejects.toThrow(
      /the recording is empty/,
    );
    expect(() => new ReplaySource({ file, speed: -1 })).toThrow(/speed/);
  });
});
