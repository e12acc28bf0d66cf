import type { BroadcastEvent, GiftEvent, StreamUser } from './events.js';
import {
  DEFAULT_GIFT_STREAK_OPTIONS,
  GiftStreaks,
  type CountedGift,
  type GiftStreakOptions,
  type StreakChanges,
  type StreakRecord,
} from './gift-streaks.js';
import { MESSAGE_WINDOW_CAPACITY, MessageWindow } from './message-window.js';
import { addCounter, zeroStats, type StreamStats } from './stats.js';
import {
  COINS,
  COMMENTS,
  GIFTS,
  LIKES,
  SHARES,
  ViewerLedger,
  type ViewerBatch,
} from './viewer-ledger.js';

/** The counters at the end of one time bucket of the broadcast. */
export interface StatsSample extends StreamStats {
  t: number;
}

/** What overlays announce: a gift when its combo is counted, a new follow, a share. */
export type Activity =
  | {
      kind: 'gift';
      at: number;
      user: StreamUser;
      giftId: number;
      giftName: string;
      diamonds: number;
      count: number;
      coins: number;
    }
  | { kind: 'follow'; at: number; user: StreamUser }
  | { kind: 'share'; at: number; user: StreamUser };

/** What a resumed broadcast starts from. */
export interface TallySeed {
  stats: StreamStats;
  peakViewers: number;
  followers: Iterable<string>;
  messageIds: Iterable<string>;
  streaks: readonly StreakRecord[];
}

/** Everything that changed since the previous drain, for one storage transaction. */
export interface TallyChanges {
  stats: StreamStats;
  peakViewers: number;
  viewers: ViewerBatch;
  newFollowers: string[];
  newMessageIds: string[];
  streaks: StreakChanges;
  samples: StatsSample[];
}

export interface TallyOptions {
  /** How many recent message ids are remembered to recognise re-sent events. */
  dedupeCapacity: number;
  streaks: GiftStreakOptions;
  /** Width of the time buckets of the session's time series. */
  sampleIntervalMs: number;
}

export const DEFAULT_TALLY_OPTIONS: TallyOptions = {
  dedupeCapacity: MESSAGE_WINDOW_CAPACITY,
  streaks: DEFAULT_GIFT_STREAK_OPTIONS,
  sampleIntervalMs: 10_000,
};

export type ApplyOutcome = 'counted' | 'duplicate' | 'ignored';

/**
 * The stats rules of one broadcast, as a deterministic state machine: events and the
 * current time in, counters out. No I/O, no timers, no clock of its own.
 */
export class BroadcastTally {
  private readonly current: StreamStats;
  private peak: number;
  private readonly followers: Set<string>;
  private readonly messages: MessageWindow;
  private readonly streaks: GiftStreaks;
  private readonly ledger = new ViewerLedger();
  private newFollowers: string[] = [];
  private samples: StatsSample[] = [];
  private sampleBucket: number | undefined;
  /** Start of the next time bucket: one comparison per event instead of a division. */
  private nextSampleAt = -Infinity;
  private changed = false;
  private readonly counted: CountedGift[] = [];
  private revisionCounter = 0;

  constructor(
    private readonly options: TallyOptions = DEFAULT_TALLY_OPTIONS,
    seed?: TallySeed,
    private readonly onActivity: (activity: Activity) => void = () => {},
  ) {
    this.current = seed ? { ...seed.stats } : zeroStats();
    this.peak = Math.max(seed?.peakViewers ?? 0, this.current.viewers);
    this.followers = new Set(seed?.followers ?? []);
    this.messages = new MessageWindow(options.dedupeCapacity);
    if (seed) this.messages.load(seed.messageIds);
    this.streaks = new GiftStreaks(options.streaks);
    if (seed) this.streaks.restore(seed.streaks);
  }

  /** A copy of the six counters. */
  get stats(): StreamStats {
    return { ...this.current };
  }

  get peakViewers(): number {
    return this.peak;
  }

  /** Grows whenever a counter changes; cheap to poll for "did anything change?". */
  get revision(): number {
    return this.revisionCounter;
  }

  /** True when there is something storage has not seen yet. */
  get hasChanges(): boolean {
    return this.changed;
  }

  apply(event: BroadcastEvent, now: number): ApplyOutcome {
    if (now >= this.nextSampleAt) this.sampleUpTo(now);
    if (event.type === 'viewers') return this.onViewers(event.count);
    if (event.type === 'streamEnd') {
      this.closeStreaks(now);
      return 'counted';
    }
    if (event.type === 'join') {
      this.ledger.touch(event.user, event.at);
      this.changed = true;
      return 'counted';
    }
    if (!this.messages.add(event.msgId)) return 'duplicate';
    this.changed = true;
    switch (event.type) {
      case 'like': {
        const before = this.current.likes;
        this.current.likes =
          event.roomTotal !== undefined
            ? Math.max(before, event.roomTotal)
            : addCounter(before, event.count);
        this.ledger.add(this.ledger.touch(event.user, event.at), LIKES, event.count);
        if (this.current.likes !== before) this.revisionCounter++;
        return 'counted';
      }
      case 'gift':
        return this.onGift(event, now);
      case 'follow': {
        const slot = this.ledger.touch(event.user, event.at);
        if (this.followers.has(event.user.id)) return 'ignored';
        this.followers.add(event.user.id);
        this.newFollowers.push(event.user.id);
        this.ledger.markFollowed(slot);
        this.current.followers = addCounter(this.current.followers, 1);
        this.revisionCounter++;
        this.onActivity({ kind: 'follow', at: event.at, user: event.user });
        return 'counted';
      }
      case 'share': {
        this.ledger.add(this.ledger.touch(event.user, event.at), SHARES, 1);
        this.current.shares = addCounter(this.current.shares, 1);
        this.revisionCounter++;
        this.onActivity({ kind: 'share', at: event.at, user: event.user });
        return 'counted';
      }
      case 'chat': {
        this.ledger.add(this.ledger.touch(event.user, event.at), COMMENTS, 1);
        return 'counted';
      }
    }
  }

  /** Counts the combos whose end never came. Call it as time passes, even without events. */
  tick(now: number): void {
    this.sampleUpTo(now);
    const next = this.streaks.nextExpiry();
    if (next === undefined || now < next) return;
    this.streaks.expire(now, this.counted);
    this.changed = true;
    this.countGifts();
  }

  /** Counts every open combo: the source disconnected or the LIVE ended. */
  closeStreaks(now: number): void {
    if (this.streaks.openCount === 0) return;
    this.streaks.closeAll(now, this.counted);
    this.changed = true;
    this.countGifts();
  }

  drainChanges(now: number): TallyChanges {
    this.sampleUpTo(now);
    const samples = this.samples;
    if (this.sampleBucket !== undefined) samples.push({ t: this.sampleBucket, ...this.current });
    const changes: TallyChanges = {
      stats: { ...this.current },
      peakViewers: this.peak,
      viewers: this.ledger.drain(),
      newFollowers: this.newFollowers,
      newMessageIds: this.messages.drainNew(),
      streaks: this.streaks.drainChanges(),
      samples,
    };
    this.newFollowers = [];
    this.samples = [];
    this.changed = false;
    return changes;
  }

  private onViewers(count: number): ApplyOutcome {
    if (count === this.current.viewers) return 'ignored';
    this.current.viewers = count;
    if (count > this.peak) this.peak = count;
    this.changed = true;
    this.revisionCounter++;
    return 'counted';
  }

  private onGift(gift: GiftEvent, now: number): ApplyOutcome {
    this.streaks.onGift(gift, now, this.counted);
    this.ledger.touch(gift.user, gift.at);
    return this.countGifts() > 0 || gift.streakable ? 'counted' : 'ignored';
  }

  private countGifts(): number {
    const n = this.counted.length;
    for (const gift of this.counted) {
      this.current.gifts = addCounter(this.current.gifts, gift.count);
      this.current.totalCoins = addCounter(this.current.totalCoins, gift.coins);
      const slot = this.ledger.touch(gift.user, gift.at);
      this.ledger.add(slot, GIFTS, gift.count);
      this.ledger.add(slot, COINS, gift.coins);
      this.onActivity({
        kind: 'gift',
        at: gift.at,
        user: gift.user,
        giftId: gift.giftId,
        giftName: gift.giftName,
        diamonds: gift.diamonds,
        count: gift.count,
        coins: gift.coins,
      });
    }
    if (n > 0) this.revisionCounter++;
    this.counted.length = 0;
    return n;
  }

  /** Closes the time bucket(s) before `now`, recording the counters as they stood. */
  private sampleUpTo(now: number): void {
    const bucket = now - (now % this.options.sampleIntervalMs);
    this.nextSampleAt = bucket + this.options.sampleIntervalMs;
    if (this.sampleBucket === undefined) {
      this.sampleBucket = bucket;
      return;
    }
    if (bucket <= this.sampleBucket) return;
    this.samples.push({ t: this.sampleBucket, ...this.current });
    this.sampleBucket = bucket;
    this.changed = true;
  }
}
