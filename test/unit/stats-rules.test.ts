import { describe, expect, it } from 'vitest';
import {
  BroadcastTally,
  DEFAULT_TALLY_OPTIONS,
  type Activity,
} from '../../src/domain/broadcast-tally.js';
import { InvalidEvent, parseEventLine, type BroadcastEvent } from '../../src/domain/events.js';
import { zeroStats, type StreamStats } from '../../src/domain/stats.js';
import { viewerAt } from '../../src/domain/viewer-ledger.js';
import {
  T0,
  chat,
  combo,
  follow,
  gift,
  join,
  like,
  share,
  streamEnd,
  user,
  viewers,
} from '../helpers/events.js';

/** A step is an event, or a pause of the clock (ms) with no events. */
type Step = BroadcastEvent | { wait: number };

function play(steps: Step[], options: { disconnect?: boolean } = {}) {
  const activity: Activity[] = [];
  const tally = new BroadcastTally(DEFAULT_TALLY_OPTIONS, undefined, (a) => activity.push(a));
  let now = T0;
  for (const step of steps) {
    if ('wait' in step) {
      now += step.wait;
      tally.tick(now);
    } else {
      now = Math.max(now, step.at);
      tally.apply(step, now);
    }
  }
  if (options.disconnect) tally.closeStreaks(now);
  return { tally, stats: tally.stats, activity };
}

const stats = (partial: Partial<StreamStats> = {}): StreamStats => ({ ...zeroStats(), ...partial });
const later = (ms: number) => T0 + ms;
const TIMEOUT = DEFAULT_TALLY_OPTIONS.streaks.timeoutMs;

interface Case {
  name: string;
  steps: Step[];
  disconnect?: boolean;
  expected: StreamStats;
  peak?: number;
}

const cases: Case[] = [
  // viewers: a gauge, with its peak
  {
    name: 'viewers follow the latest count, not a sum',
    steps: [viewers(10), viewers(250, later(1000)), viewers(120, later(2000))],
    expected: stats({ viewers: 120 }),
    peak: 250,
  },
  {
    name: 'zero viewers is a valid count',
    steps: [viewers(5), viewers(0, later(1))],
    expected: stats({ viewers: 0 }),
    peak: 5,
  },
  // likes: monotonic room total, else counts add up
  {
    name: 'likes take the room total',
    steps: [like({ count: 5, roomTotal: 100 }), like({ count: 3, roomTotal: 103 })],
    expected: stats({ likes: 103 }),
  },
  {
    name: 'a late like total lower than the current one never takes likes backwards',
    steps: [like({ count: 5, roomTotal: 500 }), like({ count: 5, roomTotal: 480 })],
    expected: stats({ likes: 500 }),
  },
  {
    name: 'likes without a room total add their count',
    steps: [like({ count: 5 }), like({ count: 7 })],
    expected: stats({ likes: 12 }),
  },
  {
    name: 'a room total after counted likes is taken when higher',
    steps: [like({ count: 5 }), like({ count: 2, roomTotal: 900 }), like({ count: 4 })],
    expected: stats({ likes: 904 }),
  },
  // gifts
  {
    name: 'a combo counts once, at its end, with its final repeat count',
    steps: combo(5, { diamonds: 1 }),
    expected: stats({ gifts: 5, totalCoins: 5 }),
  },
  {
    name: 'ticks of a combo count nothing before its end',
    steps: combo(4, {}, { end: false }),
    expected: stats(),
  },
  {
    name: 'coins are diamonds times the repeat count',
    steps: combo(3, { giftId: '5487', diamonds: 5 }),
    expected: stats({ gifts: 3, totalCoins: 15 }),
  },
  {
    name: 'a combo whose end arrives twice counts once (group id)',
    steps: [
      ...combo(6, { groupId: 'g1' }),
      gift({ groupId: 'g1', repeatCount: 6, repeatEnd: true }),
    ],
    expected: stats({ gifts: 6, totalCoins: 6 }),
  },
  {
    name: 'a combo whose end arrives twice counts once (no group id)',
    steps: [...combo(4), gift({ repeatCount: 4, repeatEnd: true })],
    expected: stats({ gifts: 4, totalCoins: 4 }),
  },
  {
    name: 'the same user sending single roses one after another counts each',
    steps: [...combo(1), ...combo(1), ...combo(1)],
    expected: stats({ gifts: 3, totalCoins: 3 }),
  },
  {
    name: 'two combos of the same gift with different group ids count separately',
    steps: [...combo(3, { groupId: 'a' }), ...combo(2, { groupId: 'b' })],
    expected: stats({ gifts: 5, totalCoins: 5 }),
  },
  {
    name: 'interleaved combos of two users each count once',
    steps: [
      gift({ user: user(1), repeatCount: 1 }),
      gift({ user: user(2), repeatCount: 1 }),
      gift({ user: user(1), repeatCount: 2 }),
      gift({ user: user(2), repeatCount: 2 }),
      gift({ user: user(2), repeatCount: 3, repeatEnd: true }),
      gift({ user: user(1), repeatCount: 2, repeatEnd: true }),
    ],
    expected: stats({ gifts: 5, totalCoins: 5 }),
  },
  {
    name: 'a combo that never ends is counted after the timeout with its highest count',
    steps: [...combo(7, {}, { end: false }), { wait: TIMEOUT + 1000 }],
    expected: stats({ gifts: 7, totalCoins: 7 }),
  },
  {
    name: 'a combo still ticking is not timed out',
    steps: [
      gift({ repeatCount: 1 }),
      { wait: TIMEOUT - 1000 },
      gift({ repeatCount: 2, at: later(TIMEOUT - 1000) }),
      { wait: TIMEOUT - 1000 },
    ],
    expected: stats(),
  },
  {
    name: 'a combo that never ends is counted when the source disconnects',
    steps: combo(9, {}, { end: false }),
    disconnect: true,
    expected: stats({ gifts: 9, totalCoins: 9 }),
  },
  {
    name: 'an end arriving after a timeout adds only what was not counted yet',
    steps: [
      ...combo(4, { groupId: 'g' }, { end: false }),
      { wait: TIMEOUT + 1000 },
      gift({ groupId: 'g', repeatCount: 6, repeatEnd: true, at: later(TIMEOUT + 2000) }),
    ],
    expected: stats({ gifts: 6, totalCoins: 6 }),
  },
  {
    name: 'an end arriving after a timeout with the same count adds nothing',
    steps: [
      ...combo(4, { groupId: 'g' }, { end: false }),
      { wait: TIMEOUT + 1000 },
      gift({ groupId: 'g', repeatCount: 4, repeatEnd: true, at: later(TIMEOUT + 2000) }),
    ],
    expected: stats({ gifts: 4, totalCoins: 4 }),
  },
  {
    name: 'a late tick of a finished combo counts nothing',
    steps: [...combo(5, { groupId: 'g' }), gift({ groupId: 'g', repeatCount: 3 })],
    disconnect: true,
    expected: stats({ gifts: 5, totalCoins: 5 }),
  },
  {
    name: 'a non-streakable gift counts on arrival',
    steps: [gift({ giftId: '6369', diamonds: 29999, streakable: false, repeatEnd: true })],
    expected: stats({ gifts: 1, totalCoins: 29999 }),
  },
  {
    name: 'a non-streakable gift with a repeat count counts every item',
    steps: [gift({ diamonds: 1000, streakable: false, repeatCount: 3 })],
    expected: stats({ gifts: 3, totalCoins: 3000 }),
  },
  {
    name: 'a stream end closes open combos',
    steps: [...combo(2, {}, { end: false }), streamEnd()],
    expected: stats({ gifts: 2, totalCoins: 2 }),
  },
  // followers
  {
    name: 'one follow per user per broadcast',
    steps: [follow(user(1)), follow(user(2)), follow(user(1))],
    expected: stats({ followers: 2 }),
  },
  {
    name: 'follow, unfollow and follow again counts once',
    steps: [follow(user(7)), follow(user(7), { at: later(60_000) })],
    expected: stats({ followers: 1 }),
  },
  // shares
  {
    name: 'each share event counts one',
    steps: [share(user(1)), share(user(1)), share(user(2))],
    expected: stats({ shares: 3 }),
  },
  // chat and joins change no counter
  {
    name: 'chat and joins change none of the six counters',
    steps: [chat(), join(), chat(user(2))],
    expected: stats(),
  },
];

describe('stats rules', () => {
  it.each(cases)('$name', ({ steps, disconnect, expected, peak }) => {
    const { tally, stats: result } = play(steps, { disconnect });
    expect(result).toEqual(expected);
    if (peak !== undefined) expect(tally.peakViewers).toBe(peak);
  });

  describe('duplicates', () => {
    it('an event with a message id already counted is never counted again', () => {
      const events: BroadcastEvent[] = [
        like({ count: 5 }),
        ...combo(3),
        share(),
        follow(user(3)),
        gift({ streakable: false, diamonds: 100 }),
      ];
      const once = play(events).stats;
      const twice = play([...events, ...events]).stats;
      expect(twice).toEqual(once);
      expect(once).toEqual(stats({ likes: 5, gifts: 4, totalCoins: 103, shares: 1, followers: 1 }));
    });

    it('a batch re-sent after a reconnect, mixed with new events, counts only the new ones', () => {
      const before: BroadcastEvent[] = [like({ count: 2 }), share(user(1)), ...combo(2)];
      const after: BroadcastEvent[] = [share(user(2)), like({ count: 3 })];
      const { stats: result } = play([...before, ...before.slice(1), ...after]);
      expect(result).toEqual(stats({ likes: 5, shares: 2, gifts: 2, totalCoins: 2 }));
    });

    it('a duplicate is recognised but does not touch per-viewer totals', () => {
      const c = chat(user(4));
      const { tally } = play([c, c, c]);
      const batch = tally.drainChanges(T0).viewers;
      expect(viewerAt(batch, 0)).toMatchObject({ userId: 'u4', comments: 1 });
    });
  });

  describe('absurd values', () => {
    it('counters stop at the largest safe integer instead of overflowing', () => {
      const tally = new BroadcastTally(DEFAULT_TALLY_OPTIONS, {
        stats: { ...zeroStats(), totalCoins: Number.MAX_SAFE_INTEGER - 10, gifts: 5 },
        peakViewers: 0,
        followers: [],
        streaks: [],
      });
      tally.apply(gift({ streakable: false, diamonds: 100_000, repeatCount: 100_000 }), T0);
      expect(tally.stats.totalCoins).toBe(Number.MAX_SAFE_INTEGER);
      expect(Number.isSafeInteger(tally.stats.totalCoins)).toBe(true);
    });
  });

  describe('activity for overlays', () => {
    it('announces gifts at their end, new follows and shares', () => {
      const { activity } = play([
        ...combo(3, { user: user(9), giftName: 'Rose' }),
        follow(user(9)),
        follow(user(9)),
        share(user(8)),
        like({ count: 1 }),
      ]);
      expect(activity.map((a) => a.kind)).toEqual(['gift', 'follow', 'share']);
      expect(activity[0]).toMatchObject({ kind: 'gift', count: 3, coins: 3, giftName: 'Rose' });
    });
  });

  describe('what storage is handed', () => {
    it('per-viewer totals since the last drain, new followers and new message ids', () => {
      const events: BroadcastEvent[] = [
        join(user(1), later(0)),
        chat(user(1)),
        like({ user: user(1), count: 4, at: later(5000) }),
        ...combo(2, { user: user(2), diamonds: 5 }),
        follow(user(2)),
        share(user(3)),
      ];
      const { tally } = play(events);
      const changes = tally.drainChanges(later(5000));
      const viewersById = Object.fromEntries(
        changes.viewers.userIds.map((id, i) => [id, viewerAt(changes.viewers, i)]),
      );
      expect(viewersById['u1']).toMatchObject({
        comments: 1,
        likes: 4,
        firstSeen: later(0),
        lastSeen: later(5000),
      });
      expect(viewersById['u2']).toMatchObject({ coins: 10, gifts: 2, follows: 1 });
      expect(viewersById['u3']).toMatchObject({ shares: 1 });
      expect(changes.newFollowers).toEqual(['u2']);
      expect(changes.messageKeys).toHaveLength(2 * (events.length - 1)); // joins are not deduplicated
      const next = tally.drainChanges(later(5000));
      expect(next.viewers.userIds).toEqual([]);
      expect(next.messageKeys).toHaveLength(0);
    });
  });
});

// A reset while connected: every counter starts again from zero, and likes follow the growth
// of the room total since the reset (base = the highest room total seen before it).
interface ResetCase {
  name: string;
  steps: (BroadcastEvent | 'reset')[];
  likes: number;
}
const resetCases: ResetCase[] = [
  {
    name: 'a room total after a reset counts only its growth since the reset',
    steps: [like({ count: 5, roomTotal: 2311 }), 'reset', like({ count: 9, roomTotal: 2320 })],
    likes: 9,
  },
  {
    name: 'a late, lower room total after a reset never drags likes back',
    steps: [like({ count: 5, roomTotal: 2311 }), 'reset', like({ count: 1, roomTotal: 2300 })],
    likes: 0,
  },
  {
    name: 'the base is the highest total seen before the reset, not the last one',
    steps: [
      like({ count: 5, roomTotal: 2311 }),
      like({ count: 1, roomTotal: 2290 }),
      'reset',
      like({ count: 1, roomTotal: 2315 }),
    ],
    likes: 4,
  },
  {
    name: 'likes without a room total add up after a reset, then the total takes over if higher',
    steps: [
      like({ count: 5, roomTotal: 2311 }),
      'reset',
      like({ count: 3 }),
      like({ count: 2, roomTotal: 2312 }),
      like({ count: 2, roomTotal: 2330 }),
    ],
    likes: 19,
  },
  {
    name: 'a second reset takes the highest total seen so far as its base',
    steps: [
      like({ count: 5, roomTotal: 100 }),
      'reset',
      like({ count: 5, roomTotal: 150 }),
      'reset',
      like({ count: 5, roomTotal: 170 }),
    ],
    likes: 20,
  },
  {
    name: 'without any room total before it, a reset has base 0 (the rule as DESIGN states it)',
    steps: [like({ count: 5 }), 'reset', like({ count: 1, roomTotal: 40 })],
    likes: 40,
  },
];

describe('reset during a broadcast', () => {
  it.each(resetCases)('$name', ({ steps, likes }) => {
    const tally = new BroadcastTally();
    for (const step of steps) {
      if (step === 'reset') tally.reset(T0);
      else tally.apply(step, Math.max(T0, step.at));
    }
    expect(tally.stats.likes).toBe(likes);
  });

  it('zeroes every counter and the peak, and keeps what was counted counted', () => {
    const tally = new BroadcastTally();
    const sent = share(user(1));
    for (const event of [viewers(40), like({ count: 5, roomTotal: 500 }), sent, follow(user(2))])
      tally.apply(event, T0);
    tally.reset(T0);
    expect(tally.stats).toEqual(stats());
    expect(tally.peakViewers).toBe(0);
    tally.apply(sent, T0); // re-sent after the reset: still a duplicate
    tally.apply(follow(user(2)), T0); // followed before the reset: not a new follower
    expect(tally.stats).toEqual(stats());
  });

  it('keeps the base across a restart: it is handed to storage and taken back from a seed', () => {
    const tally = new BroadcastTally();
    tally.apply(like({ count: 5, roomTotal: 2311 }), T0);
    tally.reset(T0);
    const saved = tally.drainChanges(T0);
    expect(saved.room).toMatchObject({ likeBase: 2311, roomTotalMax: 2311 });
    const resumed = new BroadcastTally(DEFAULT_TALLY_OPTIONS, {
      stats: saved.stats,
      peakViewers: saved.peakViewers,
      followers: [],
      streaks: [],
      ...saved.room,
    });
    resumed.apply(like({ count: 9, roomTotal: 2320 }), T0 + 1);
    expect(resumed.stats.likes).toBe(9);
  });
});

describe('likes without a usable viewer', () => {
  it('move likes by their room total; no viewer gets them', () => {
    const tally = new BroadcastTally();
    const anonymous = { ...like({ count: 3, roomTotal: 480 }), user: undefined };
    tally.apply(anonymous, T0);
    expect(tally.stats.likes).toBe(480);
    expect(tally.drainChanges(T0).viewers.userIds).toEqual([]);
  });
});

describe('opaque ids', () => {
  it('a combo whose ticks carry giftId 5655 and whose end carries "5655" counts once', () => {
    const lines = [
      { ...gift({ repeatCount: 1 }), giftId: 5655 },
      { ...gift({ repeatCount: 2 }), giftId: '5655' },
      { ...gift({ repeatCount: 2, repeatEnd: true }), giftId: 5655 },
      { ...gift({ repeatCount: 2, repeatEnd: true }), giftId: '5655' }, // a second end
    ].map((event) => parseEventLine(JSON.stringify(event)));
    const tally = new BroadcastTally();
    for (const event of lines) {
      if (event instanceof InvalidEvent) throw new Error(event.error);
      tally.apply(event as BroadcastEvent, T0);
    }
    expect(tally.stats).toEqual(stats({ gifts: 2, totalCoins: 2 }));
  });

  it('message id 7350000000000007919 and "7350000000000007919" are the same message', () => {
    const tally = new BroadcastTally();
    const base = like({ count: 4 });
    for (const msgId of ['7350000000000007', 7350000000000007]) {
      const event = parseEventLine(JSON.stringify({ ...base, msgId }));
      if (event instanceof InvalidEvent) throw new Error(event.error);
      tally.apply(event as BroadcastEvent, T0);
    }
    expect(tally.stats.likes).toBe(4);
  });
});

describe('the time series', () => {
  const bucket = DEFAULT_TALLY_OPTIONS.sampleIntervalMs;
  const t = (samples: { t: number; likes: number; viewers: number }[]) =>
    samples.map((s) => [s.t - T0, s.likes, s.viewers]);

  it('labels a sample with the end of its bucket and the values true then', () => {
    const tally = new BroadcastTally();
    tally.apply(like({ count: 1, at: later(0) }), later(0));
    tally.apply(like({ count: 1, at: later(bucket) }), later(bucket));
    tally.apply(like({ count: 1, at: later(3 * bucket + 1) }), later(3 * bucket + 1));
    expect(t(tally.drainChanges(later(3 * bucket + 1)).samples)).toEqual([
      [bucket, 1, 0],
      [2 * bucket, 2, 0],
      [4 * bucket, 3, 0], // the bucket still open: its values so far
    ]);
  });

  it('writes nothing for duplicates, for time passing, or for a drain with nothing new', () => {
    const tally = new BroadcastTally();
    const first = like({ count: 1, at: later(5) });
    tally.apply(first, later(5));
    expect(t(tally.drainChanges(later(5)).samples)).toEqual([[bucket, 1, 0]]);
    tally.apply(first, later(3 * bucket)); // re-sent much later
    tally.tick(later(5 * bucket));
    expect(tally.drainChanges(later(6 * bucket)).samples).toEqual([]);
  });

  it('never rewrites a bucket already written with values from an old-timestamped event', () => {
    const tally = new BroadcastTally();
    tally.apply(like({ count: 1, at: later(5) }), later(5));
    tally.apply(like({ count: 1, at: later(bucket + 5) }), later(bucket + 5));
    expect(t(tally.drainChanges(later(bucket + 5)).samples)).toEqual([
      [bucket, 1, 0],
      [2 * bucket, 2, 0],
    ]);
    // A new message stamped in the first bucket arrives late: it counts in the open bucket.
    tally.apply(like({ count: 1, at: later(7) }), later(bucket + 6));
    expect(t(tally.drainChanges(later(bucket + 6)).samples)).toEqual([[2 * bucket, 3, 0]]);
  });

  it('a viewer count older than the one shown changes nothing (a replay whose clock goes back)', () => {
    const tally = new BroadcastTally();
    tally.apply(viewers(50, later(3 * bucket)), later(3 * bucket));
    tally.drainChanges(later(3 * bucket));
    const resumed = new BroadcastTally(DEFAULT_TALLY_OPTIONS, {
      stats: tally.stats,
      peakViewers: tally.peakViewers,
      followers: [],
      streaks: [],
      ...tally.drainChanges(later(3 * bucket)).room,
      lastSampleAt: later(4 * bucket),
    });
    resumed.apply(viewers(90, later(bucket)), later(bucket));
    expect(resumed.stats.viewers).toBe(50);
    expect(resumed.peakViewers).toBe(50);
    expect(resumed.drainChanges(later(bucket)).samples).toEqual([]);
    resumed.apply(viewers(70, later(3 * bucket + 1)), later(3 * bucket + 1));
    expect(t(resumed.drainChanges(later(3 * bucket + 1)).samples)).toEqual([[4 * bucket, 0, 70]]);
  });
});

describe('a combo whose end never arrives', () => {
  const bucket = DEFAULT_TALLY_OPTIONS.sampleIntervalMs;

  it('is counted at its deadline, the same whether time passed in one step or many', () => {
    const events: BroadcastEvent[] = [
      ...combo(3, { at: later(1000) }, { end: false }).map((e, i) => ({
        ...e,
        at: later(1000 + i * 1000),
      })),
      like({ count: 1, at: later(25_000) }),
    ];
    const run = (ticks: number[]) => {
      const tally = new BroadcastTally();
      for (const event of events) {
        for (const t of ticks.filter((t) => t <= event.at && t > later(3000))) tally.tick(t);
        tally.apply(event, event.at);
      }
      return tally.drainChanges(later(25_000)).samples.map((s) => [s.t - T0, s.gifts, s.likes]);
    };
    const oneStep = run([]); // counted when the like arrives
    const manySteps = run([later(9000), later(18_000), later(18_500), later(24_000)]);
    expect(oneStep).toEqual([
      [2 * bucket, 3, 0], // its deadline: last tick (3 s) + 15 s = 18 s, in the second bucket
      [3 * bucket, 3, 1],
    ]);
    expect(manySteps).toEqual(oneStep);
  });
});
