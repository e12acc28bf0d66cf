import type { BroadcastEvent, GiftEvent, StreamUser } from './events.js';
import {
  DEFAULT_GIFT_STREAK_OPTIONS,
  GiftStreaks,
  type CountedGift,
  type GiftStreakOptions,
  type StreakChanges,
  type StreakRecord,
} from './gift-streaks.js';
import { DEFAULT_DEDUPE_OPTIONS, MessageDedupe, type DedupeOptions } from './message-dedupe.js';
import { SampleSeries, type StatsSample } from './sample-series.js';
import { addCounter, likesFromRoomTotal, zeroStats, type StreamStats } from './stats.js';
import {
  COINS,
  COMMENTS,
  GIFTS,
  LIKES,
  SHARES,
  ViewerLedger,
  type ViewerBatch,
} from './viewer-ledger.js';

export type { StatsSample };

/** What overlays announce: a gift when its combo is counted, a new follow, a share. */
export type Activity =
  | {
      kind: 'gift';
      at: number;
      user: StreamUser;
      giftId: string;
      giftName: string;
      diamonds: number;
      count: number;
      coins: number;
    }
  | { kind: 'follow'; at: number; user: StreamUser }
  | { kind: 'share'; at: number; user: StreamUser };

/** What the rules remember about a broadcast (room) besides counters and message ids. */
export interface RoomState {
  /** The highest room like total seen before the last reset (0: never reset). */
  likeBase: number;
  /** The highest room like total seen in this broadcast. */
  roomTotalMax: number;
  /** Clock time of the viewer count shown; an older count is stale. Null: none yet. */
  viewersAt: number | null;
}

/** What a resumed broadcast starts from. */
export interface TallySeed extends Partial<RoomState> {
  stats: StreamStats;
  peakViewers: number;
  followers: Iterable<string>;
  streaks: readonly StreakRecord[];
  /** What is known about the broadcast's message ids; a fresh memory when absent. */
  messages?: MessageDedupe;
  /** End of the latest bucket of the history entry's time series, when it has samples. */
  lastSampleAt?: number;
}

/** Items and coins counted for one gift type since the previous drain. */
export interface GiftTypeDelta {
  giftId: string;
  giftName: string;
  diamonds: number;
  count: number;
  coins: number;
}

/** Everything that changed since the previous drain, for one storage transaction. */
export interface TallyChanges {
  stats: StreamStats;
  peakViewers: number;
  viewers: ViewerBatch;
  newFollowers: string[];
  /** Keys of the message ids counted since the last drain, [hi, lo] pairs. */
  messageKeys: Uint32Array<ArrayBuffer>;
  /** Report it with `commitMessages` once this drain is committed. */
  messageMark: number;
  streaks: StreakChanges;
  samples: StatsSample[];
  room: RoomState;
  /** The source's clock at the drain: when these values were true. */
  at: number;
  /** Per gift type, for the broadcast's gift breakdown. */
  gifts: GiftTypeDelta[];
}

export interface TallyOptions {
  dedupe: DedupeOptions;
  streaks: GiftStreakOptions;
  /** Width of the time buckets of the session's time series. */
  sampleIntervalMs: number;
}

export const DEFAULT_TALLY_OPTIONS: TallyOptions = {
  dedupe: DEFAULT_DEDUPE_OPTIONS,
  streaks: DEFAULT_GIFT_STREAK_OPTIONS,
  sampleIntervalMs: 10_000,
};

/** `lookup`: nothing was applied; ask storage whether the message id is saved, then apply again with the answer. */
export type ApplyOutcome = 'counted' | 'duplicate' | 'ignored' | 'lookup';

/**
 * The stats rules of one broadcast, as a deterministic state machine: events and the
 * current time in, counters out. No I/O, no timers, no clock of its own.
 */
export class BroadcastTally {
  private readonly current: StreamStats;
  private peak: number;
  private readonly followers: Set<string>;
  private readonly messages: MessageDedupe;
  private readonly streaks: GiftStreaks;
  private readonly ledger = new ViewerLedger();
  private newFollowers: string[] = [];
  private series: SampleSeries;
  /** When the next event may close a bucket of the series: one comparison per event. */
  private sampleCheck: number;
  /** When the first open combo times out: one comparison per event. */
  private expiryCheck = Infinity;
  private likeBase: number;
  private roomTotalMax: number;
  private viewersAt: number | null;
  private changed = false;
  private readonly counted: CountedGift[] = [];
  private giftTypes = new Map<string, GiftTypeDelta>();
  private revisionCounter = 0;

  constructor(
    private readonly options: TallyOptions = DEFAULT_TALLY_OPTIONS,
    seed?: TallySeed,
    private readonly onActivity: (activity: Activity) => void = () => {},
  ) {
    this.current = seed ? { ...seed.stats } : zeroStats();
    this.peak = Math.max(seed?.peakViewers ?? 0, this.current.viewers);
    this.followers = new Set(seed?.followers ?? []);
    this.messages = seed?.messages ?? new MessageDedupe(options.dedupe);
    this.streaks = new GiftStreaks(options.streaks);
    if (seed) this.streaks.restore(seed.streaks);
    this.expiryCheck = this.streaks.nextExpiry() ?? Infinity;
    this.series = new SampleSeries(options.sampleIntervalMs, seed?.lastSampleAt);
    this.sampleCheck = this.series.nextCheck;
    this.likeBase = seed?.likeBase ?? 0;
    this.roomTotalMax = Math.max(seed?.roomTotalMax ?? 0, this.likeBase);
    this.viewersAt = seed?.viewersAt ?? null;
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

  /** The like baseline and what else the rules remember about the room. */
  get room(): RoomState {
    return { likeBase: this.likeBase, roomTotalMax: this.roomTotalMax, viewersAt: this.viewersAt };
  }

  /** True when there is something storage has not seen yet. */
  get hasChanges(): boolean {
    return this.changed;
  }

  /**
   * Applies one event at clock time `now`. `stored` answers a previous `lookup` outcome:
   * whether storage holds the event's message id.
   */
  apply(event: BroadcastEvent, now: number, stored?: boolean): ApplyOutcome {
    // Combos whose time ran out are counted before anything that happened later.
    if (now >= this.expiryCheck) this.tick(now);
    if (now >= this.sampleCheck) this.closeSample(now);
    const revision = this.revisionCounter;
    const outcome = this.count(event, now, stored);
    if (this.revisionCounter !== revision) this.sampled(now);
    // A gift only moves deadlines later, except the first open combo's: a check that is too
    // early costs one scan in `tick`, one per deadline instead of one per gift.
    if (event.type === 'gift' && this.expiryCheck === Infinity) {
      this.expiryCheck = this.streaks.nextExpiry() ?? Infinity;
    }
    return outcome;
  }

  /** Whether applying the event needs storage's answer first (changes nothing). */
  needsLookup(event: BroadcastEvent): boolean {
    if (event.type === 'viewers' || event.type === 'streamEnd' || event.type === 'join') {
      return false;
    }
    return this.messages.needsLookup(event.msgId);
  }

  /**
   * Counts the combos whose end never came, each at its deadline (its last message plus
   * the timeout), whenever this runs: the result is the same whether time passed in one
   * step or many. Call it as time passes, even without events.
   */
  tick(now: number): void {
    for (;;) {
      const due = this.streaks.nextExpiry();
      this.expiryCheck = due ?? Infinity;
      if (due === undefined || now < due) return;
      if (due >= this.sampleCheck) this.closeSample(due);
      this.streaks.expire(due, this.counted);
      this.changed = true;
      if (this.countGifts() > 0) this.sampled(due);
    }
  }

  /** Counts every open combo: the source disconnected or the LIVE ended. */
  closeStreaks(now: number): void {
    if (this.streaks.openCount === 0) return;
    if (now >= this.sampleCheck) this.closeSample(now);
    this.streaks.closeAll(now, this.counted);
    this.expiryCheck = Infinity;
    this.changed = true;
    if (this.countGifts() > 0) this.sampled(now);
  }

  /**
   * An explicit reset during the broadcast: every counter starts again from zero, and
   * likes follow the growth of the room total from here on. What was counted stays counted
   * (message ids, followers, combos). Drain the changes before: they belong to the entry
   * that ends here; the series starts again for the next one.
   */
  reset(now: number): void {
    Object.assign(this.current, zeroStats());
    this.peak = 0;
    this.likeBase = this.roomTotalMax;
    this.series = new SampleSeries(this.options.sampleIntervalMs);
    this.sampleCheck = this.series.nextCheck;
    this.changed = true;
    this.revisionCounter++;
    this.sampled(now);
  }

  drainChanges(now: number): TallyChanges {
    const { keys, mark } = this.messages.drainNew();
    const changes: TallyChanges = {
      stats: { ...this.current },
      peakViewers: this.peak,
      viewers: this.ledger.drain(),
      newFollowers: this.newFollowers,
      messageKeys: keys,
      messageMark: mark,
      streaks: this.streaks.drainChanges(),
      samples: this.series.drain(this.current),
      room: this.room,
      at: now,
      gifts: [...this.giftTypes.values()],
    };
    this.giftTypes = new Map();
    this.sampleCheck = this.series.nextCheck;
    this.newFollowers = [];
    this.changed = false;
    return changes;
  }

  /** Storage committed the drain whose `messageMark` this is. */
  commitMessages(mark: number): void {
    this.messages.committed(mark);
  }

  private count(event: BroadcastEvent, now: number, stored: boolean | undefined): ApplyOutcome {
    if (event.type === 'viewers') return this.onViewers(event.count, now);
    if (event.type === 'streamEnd') {
      this.closeStreaks(now);
      return 'counted';
    }
    if (event.type === 'join') {
      this.ledger.touch(event.user, event.at);
      this.changed = true;
      return 'counted';
    }
    const verdict = this.messages.check(event.msgId, stored);
    if (verdict !== 'new') return verdict;
    this.changed = true;
    switch (event.type) {
      case 'like': {
        const before = this.current.likes;
        const total = event.roomTotal;
        if (total !== undefined) {
          if (total > this.roomTotalMax) this.roomTotalMax = total;
          this.current.likes = likesFromRoomTotal(before, total, this.likeBase);
        } else {
          this.current.likes = addCounter(before, event.count);
        }
        // Without a usable viewer only the room's likes move (DESIGN: likes without a viewer).
        if (event.user)
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

  /** A viewer count is a gauge: the latest by the source's clock wins, an older one is stale. */
  private onViewers(count: number, now: number): ApplyOutcome {
    if (this.viewersAt !== null && now < this.viewersAt) return 'ignored';
    if (this.viewersAt !== now) {
      this.viewersAt = now;
      this.changed = true;
    }
    if (count === this.current.viewers) return 'ignored';
    this.current.viewers = count;
    if (count > this.peak) this.peak = count;
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
      this.addGiftType(gift);
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

  /** A later bucket begins: the latest one gets its final sample, with the counters as they stand. */
  private closeSample(now: number): void {
    this.series.closeBefore(now, this.current);
    this.sampleCheck = this.series.nextCheck;
  }

  private sampled(now: number): void {
    this.series.changed(now);
    this.sampleCheck = this.series.nextCheck;
  }

  private addGiftType(gift: CountedGift): void {
    const known = this.giftTypes.get(gift.giftId);
    if (!known) {
      const { giftId, giftName, diamonds, count, coins } = gift;
      this.giftTypes.set(giftId, { giftId, giftName, diamonds, count, coins });
      return;
    }
    known.count = addCounter(known.count, gift.count);
    known.coins = addCounter(known.coins, gift.coins);
    if (gift.giftName) known.giftName = gift.giftName;
    known.diamonds = gift.diamonds;
  }
}
