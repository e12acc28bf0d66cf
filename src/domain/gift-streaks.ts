import type { GiftEvent, StreamUser } from './events.js';

/** Why a gift was counted when it was. */
export type GiftCloseReason = 'instant' | 'end' | 'timeout' | 'disconnect' | 'overflow';

/** A gift (or a whole combo) that has just been counted, exactly once. */
export interface CountedGift {
  msgId: string;
  at: number;
  user: StreamUser;
  giftId: string;
  giftName: string;
  diamonds: number;
  /** Items counted now (for a combo that went on after it was closed: only the rest). */
  count: number;
  /** The combo's repeat count as TikTok last reported it. */
  repeatCount: number;
  coins: number;
  reason: GiftCloseReason;
}

/**
 * One combo, open or already counted, in the form storage keeps so that the rules hold
 * across a reconnect or a restart during the same broadcast.
 */
export interface StreakRecord {
  key: string;
  /** The latest message of the combo (the one with the highest repeat count). */
  event: GiftEvent;
  /** Highest repeat count seen. */
  repeatCount: number;
  /** Items of this combo already counted. */
  counted: number;
  /** Clock time of the last message, for the timeout. */
  lastSeen: number;
  open: boolean;
}

export interface StreakChanges {
  upserts: StreakRecord[];
  removed: string[];
}

export interface GiftStreakOptions {
  /** A combo with no message for this long is closed and counted (its end got lost). */
  timeoutMs: number;
  /** Upper bound on open combos; beyond it the oldest is counted and closed. */
  maxOpen: number;
  /** How many counted combos are remembered, to recognise a second end or a late message. */
  maxClosed: number;
}

export const DEFAULT_GIFT_STREAK_OPTIONS: GiftStreakOptions = {
  timeoutMs: 15_000,
  maxOpen: 10_000,
  maxClosed: 10_000,
};

export function streakKey(gift: GiftEvent): string {
  return `${gift.user.id}|${gift.giftId}|${gift.groupId ?? ''}`;
}

/**
 * TikTok sends a streakable gift (type 1) on every tick of a combo and once more with
 * `repeatEnd`; the combo counts once, at its end, with its final repeat count. A combo whose
 * end never comes is counted on timeout or disconnect; if it turns out to have gone on,
 * only the rest is counted later. Non-streakable gifts count on arrival.
 */
export class GiftStreaks {
  /** Few at a time (combos last seconds), so scanning them for timeouts is cheap. */
  private readonly open = new Map<string, StreakRecord>();
  /** Ordered by closing time, oldest first. */
  private readonly closed = new Map<string, StreakRecord>();
  /** Keys whose record storage should write (open combos, and combos counted early). */
  private readonly dirty = new Set<string>();
  /** Keys whose record storage should delete. */
  private readonly removed = new Set<string>();
  /** Keys storage holds a record of. */
  private readonly stored = new Set<string>();

  constructor(private readonly options: GiftStreakOptions = DEFAULT_GIFT_STREAK_OPTIONS) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Appends to `out` what the gift makes countable now, if anything. */
  onGift(gift: GiftEvent, now: number, out: CountedGift[]): void {
    if (!gift.streakable) {
      out.push(counted(gift, gift.repeatCount, gift.repeatCount, 'instant'));
      return;
    }
    const key = streakKey(gift);
    const open = this.open.get(key);
    if (open) {
      if (gift.repeatCount >= open.repeatCount) {
        open.repeatCount = gift.repeatCount;
        open.event = gift;
      }
      open.lastSeen = now;
      if (gift.repeatEnd) {
        this.open.delete(key);
        this.close(open, now, 'end', out);
      } else {
        this.dirty.add(key);
      }
      return;
    }

    const before = this.countedBefore(key, gift);
    if (before === undefined) return; // the same combo again: a second end or a late tick
    this.closed.delete(key);
    const streak: StreakRecord = {
      key,
      event: gift,
      repeatCount: gift.repeatCount,
      counted: before,
      lastSeen: now,
      open: true,
    };
    this.dirty.add(key);
    if (gift.repeatEnd) {
      this.close(streak, now, 'end', out);
      return;
    }
    this.open.set(key, streak);
    if (this.open.size > this.options.maxOpen) {
      const oldest = this.oldestOpen();
      if (oldest) {
        this.open.delete(oldest.key);
        this.close(oldest, now, 'overflow', out);
      }
    }
  }

  /** Counts the combos that had no message within the timeout. */
  expire(now: number, out: CountedGift[]): void {
    for (const streak of this.open.values()) {
      if (now - streak.lastSeen < this.options.timeoutMs) continue;
      this.open.delete(streak.key);
      this.close(streak, now, 'timeout', out);
    }
  }

  /** Counts every open combo, e.g. when the source disconnects. */
  closeAll(now: number, out: CountedGift[]): void {
    const streaks = [...this.open.values()];
    this.open.clear();
    for (const streak of streaks) this.close(streak, now, 'disconnect', out);
  }

  /** When the oldest open combo times out, if any is open. */
  nextExpiry(): number | undefined {
    const oldest = this.oldestOpen();
    return oldest ? oldest.lastSeen + this.options.timeoutMs : undefined;
  }

  private oldestOpen(): StreakRecord | undefined {
    let oldest: StreakRecord | undefined;
    for (const streak of this.open.values()) {
      if (!oldest || streak.lastSeen < oldest.lastSeen) oldest = streak;
    }
    return oldest;
  }

  restore(records: readonly StreakRecord[]): void {
    // Closed combos are forgotten oldest first, so they go back in the order they closed.
    const sorted = [...records].sort((a, b) => a.lastSeen - b.lastSeen);
    for (const record of sorted) {
      (record.open ? this.open : this.closed).set(record.key, { ...record });
      this.stored.add(record.key);
    }
  }

  /**
   * Combos storage must write or delete since the previous call. Storage keeps open combos
   * and combos counted early (timeout, disconnect), the ones whose later messages must
   * only add what was not counted yet — also after a restart. A combo counted at its end
   * needs no record: its messages are recognised by id.
   */
  drainChanges(): StreakChanges {
    const upserts: StreakRecord[] = [];
    for (const key of this.dirty) {
      const record = this.open.get(key) ?? this.closed.get(key);
      if (record) {
        upserts.push({ ...record });
        this.stored.add(key);
      }
    }
    const changes = { upserts, removed: [...this.removed] };
    this.dirty.clear();
    this.removed.clear();
    return changes;
  }

  private forgetStored(key: string): void {
    this.dirty.delete(key);
    if (this.stored.delete(key)) this.removed.add(key);
  }

  /**
   * For a gift of a combo that was already counted: undefined when it repeats what was
   * counted, otherwise how many of its items were counted before.
   */
  private countedBefore(key: string, gift: GiftEvent): number | undefined {
    const closed = this.closed.get(key);
    if (!closed) return 0;
    if (gift.repeatCount > closed.counted) return closed.counted; // the combo went on
    // With a group id the key names exactly one combo: anything not beyond it is a repeat.
    if (gift.groupId) return undefined;
    // Without one, a second end with the same count is a repeat; anything else is a new combo.
    return gift.repeatEnd && gift.repeatCount === closed.counted ? undefined : 0;
  }

  private close(streak: StreakRecord, now: number, reason: GiftCloseReason, out: CountedGift[]) {
    const items = streak.repeatCount - streak.counted;
    streak.counted = streak.repeatCount;
    streak.open = false;
    streak.lastSeen = now;
    this.closed.delete(streak.key);
    this.closed.set(streak.key, streak);
    if (reason === 'end') this.forgetStored(streak.key);
    else this.dirty.add(streak.key);
    if (this.closed.size > this.options.maxClosed) {
      const oldest = this.closed.keys().next().value;
      if (oldest !== undefined) {
        this.closed.delete(oldest);
        this.forgetStored(oldest);
      }
    }
    if (items > 0) out.push(counted(streak.event, items, streak.repeatCount, reason));
  }
}

function counted(
  gift: GiftEvent,
  count: number,
  repeatCount: number,
  reason: GiftCloseReason,
): CountedGift {
  return {
    msgId: gift.msgId,
    at: gift.at,
    user: gift.user,
    giftId: gift.giftId,
    giftName: gift.giftName,
    diamonds: gift.diamonds,
    count,
    repeatCount,
    coins: gift.diamonds * count,
    reason,
  };
}
