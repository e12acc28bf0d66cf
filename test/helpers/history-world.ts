import type { GiftEvent, StreamEvent, StreamUser } from '../../src/domain/events.js';
import type { StreamStats } from '../../src/domain/stats.js';

/**
 * A streamer's month of broadcasts, for the history tests: recordings at chosen instants
 * (across midnight, over a week boundary, through both DST changes in Europe/Berlin), with
 * regulars who come back, ties on purpose, combos, duplicates and a broadcast resumed after
 * a reconnect. Alongside the events it keeps what really happened per broadcast and per
 * viewer, decided while generating — never by counting the events — so tests can compare
 * livetally's answers with it.
 */

export interface ViewerTruth {
  userId: string;
  handle: string;
  nickname: string;
  coins: number;
  gifts: number;
  likes: number;
  comments: number;
  shares: number;
  follows: number;
  firstSeen: number;
  lastSeen: number;
}

export interface BroadcastTruth {
  streamer: string;
  streamerId: string;
  roomId: string;
  startAt: number;
  endAt: number;
  stats: StreamStats;
  peakViewers: number;
  viewers: Map<string, ViewerTruth>;
  /** Coins counted per minute (start of the minute → coins), by counting time. */
  coinsByMinute: Map<number, number>;
  /** Items and coins per gift type. */
  giftTypes: Map<string, { giftName: string; count: number; coins: number }>;
  /** One recording, or two for a broadcast that was resumed after a reconnect. */
  recordings: StreamEvent[][];
}

export interface BroadcastPlan {
  streamer: string;
  /** ISO instant the LIVE starts (what the tests reason about). */
  start: string;
  minutes: number;
  /** Played as two recordings of the same room, the second re-sending some of the first. */
  resumed?: boolean;
  /** The tie viewers (TIE_IDS) each send one Galaxy and this many likes: a tie on purpose. */
  tieLikes?: number;
}

const GALAXY = { giftId: '11046', giftName: 'Galaxy', diamonds: 1000, streakable: false };
const ROSE = { giftId: '5655', giftName: 'Rose', diamonds: 1, streakable: true };
const DOUGHNUT = { giftId: '5879', giftName: 'Doughnut', diamonds: 30, streakable: true };

/** mulberry32 */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Viewers who only ever act together, identically, where a plan says so: they tie in every
 * window. Short ids of different lengths, so that ties are ordered as strings ("1000" < "999").
 */
export const TIE_IDS = ['999', '1000', '70010'];

/** The pool: 19-digit ids like TikTok's, and the tie viewers first. */
export function viewerPool(size: number): StreamUser[] {
  const pool: StreamUser[] = [];
  for (let i = 0; i < size; i++) {
    const id = TIE_IDS[i] ?? `69${String(1_000_000_000_000_000 + i * 7919)}`;
    pool.push({ id, handle: `fan_${i}`, nickname: `Fan ${i}` });
  }
  return pool;
}

export function buildWorld(plans: BroadcastPlan[], seed = 7): BroadcastTruth[] {
  const rand = random(seed);
  const pool = viewerPool(120);
  const byId = new Map(pool.map((u) => [u.id, u]));
  let msg = 0n;
  const nextMsg = () => String(7_300_000_000_000_000_000n + ++msg);
  const streamerIds = new Map<string, string>();

  return plans.map((plan, index) => {
    const startAt = Date.parse(plan.start);
    const endAt = startAt + plan.minutes * 60_000;
    const streamerId =
      streamerIds.get(plan.streamer) ??
      String(7_100_000_000_000_000_000n + BigInt(streamerIds.size + 1));
    streamerIds.set(plan.streamer, streamerId);
    const roomId = String(7_400_000_000_000_000_000n + BigInt(index + 1));
    const truth: BroadcastTruth = {
      streamer: plan.streamer,
      streamerId,
      roomId,
      startAt,
      endAt,
      stats: { viewers: 0, likes: 0, totalCoins: 0, followers: 0, shares: 0, gifts: 0 },
      peakViewers: 0,
      viewers: new Map(),
      coinsByMinute: new Map(),
      giftTypes: new Map(),
      recordings: [],
    };
    const events: StreamEvent[] = [];
    const touch = (user: StreamUser, at: number): ViewerTruth => {
      let v = truth.viewers.get(user.id);
      if (!v) {
        v = {
          userId: user.id,
          handle: user.handle,
          nickname: user.nickname,
          coins: 0,
          gifts: 0,
          likes: 0,
          comments: 0,
          shares: 0,
          follows: 0,
          firstSeen: at,
          lastSeen: at,
        };
        truth.viewers.set(user.id, v);
      }
      v.firstSeen = Math.min(v.firstSeen, at);
      v.lastSeen = Math.max(v.lastSeen, at);
      return v;
    };
    const counted = (
      at: number,
      kind: { giftId: string; giftName: string; diamonds: number },
      n: number,
    ) => {
      const minute = at - (at % 60_000);
      const coins = n * kind.diamonds;
      truth.coinsByMinute.set(minute, (truth.coinsByMinute.get(minute) ?? 0) + coins);
      const type = truth.giftTypes.get(kind.giftId) ?? {
        giftName: kind.giftName,
        count: 0,
        coins: 0,
      };
      type.count += n;
      type.coins += coins;
      truth.giftTypes.set(kind.giftId, type);
    };
    const within = (from: number, to: number) => from + Math.floor(rand() * (to - from));
    // Actions end 40 s before the LIVE does, so every combo ends inside it.
    const lastActionAt = endAt - 40_000;

    // Regulars (the first 40 of the pool) come often; the rest now and then.
    const audience = pool.filter(
      (u, i) => !TIE_IDS.includes(u.id) && (i < 40 ? rand() < 0.7 : rand() < 0.25),
    );
    const tied = new Set(plan.tieLikes !== undefined ? TIE_IDS : []);
    for (const id of tied) audience.push(byId.get(id)!);
    for (const user of audience) {
      const joinAt = within(startAt, lastActionAt);
      events.push({ type: 'join', at: joinAt, msgId: nextMsg(), user });
      touch(user, joinAt);
      if (tied.has(user.id)) {
        const likes = plan.tieLikes!;
        const at = within(joinAt, lastActionAt);
        events.push(gift(nextMsg(), user, at, GALAXY, 1, false));
        const v = touch(user, at);
        v.coins += GALAXY.diamonds;
        v.gifts += 1;
        counted(at, GALAXY, 1);
        const likeAt = within(joinAt, lastActionAt);
        events.push({ type: 'like', at: likeAt, msgId: nextMsg(), user, count: likes });
        touch(user, likeAt).likes += likes;
        continue;
      }
      const likeBursts = Math.floor(rand() * 4);
      for (let k = 0; k < likeBursts; k++) {
        const at = within(joinAt, lastActionAt);
        const count = 1 + Math.floor(rand() * 15);
        const msgId = nextMsg();
        events.push({ type: 'like', at, msgId, user, count });
        touch(user, at).likes += count;
        // TikTok re-sends a message now and then: the same id again never counts.
        if (rand() < 0.2) events.push({ type: 'like', at: at + 500, msgId, user, count });
      }
      const chats = Math.floor(rand() * 3);
      for (let k = 0; k < chats; k++) {
        const at = within(joinAt, lastActionAt);
        events.push({ type: 'chat', at, msgId: nextMsg(), user, text: 'hi' });
        touch(user, at).comments += 1;
      }
      if (rand() < 0.2) {
        const at = within(joinAt, lastActionAt);
        events.push({ type: 'share', at, msgId: nextMsg(), user });
        touch(user, at).shares += 1;
      }
      if (rand() < 0.15) {
        const at = within(joinAt, lastActionAt);
        events.push({ type: 'follow', at, msgId: nextMsg(), user });
        touch(user, at).follows = 1;
      }
      if (rand() < 0.35) {
        // A combo: a tick a second, then the end (sometimes sent twice).
        const kind = rand() < 0.7 ? ROSE : DOUGHNUT;
        const n = 1 + Math.floor(rand() * 12);
        const first = within(joinAt, lastActionAt - 15_000);
        const groupId = nextMsg();
        for (let r = 1; r <= n; r++) {
          events.push({ ...gift(nextMsg(), user, first + r * 1000, kind, r, false), groupId });
          touch(user, first + r * 1000);
        }
        const endAtCombo = first + n * 1000 + 300;
        const endMsg = nextMsg();
        events.push({ ...gift(endMsg, user, endAtCombo, kind, n, true), groupId });
        if (rand() < 0.3)
          events.push({ ...gift(endMsg, user, endAtCombo + 200, kind, n, true), groupId });
        const v = touch(user, endAtCombo);
        v.gifts += n;
        v.coins += n * kind.diamonds;
        counted(endAtCombo, kind, n);
      }
      if (rand() < 0.05) {
        const at = within(joinAt, lastActionAt);
        events.push(gift(nextMsg(), user, at, GALAXY, 1, false));
        const v = touch(user, at);
        v.gifts += 1;
        v.coins += GALAXY.diamonds;
        counted(at, GALAXY, 1);
      }
    }
    // Viewer counts every half minute, the last one at the very end.
    let viewers = 0;
    for (let at = startAt; at <= endAt; at += 30_000) {
      viewers = 50 + Math.floor(rand() * 400);
      events.push({ type: 'viewers', at, count: viewers });
      truth.peakViewers = Math.max(truth.peakViewers, viewers);
    }
    truth.stats.viewers = viewers;
    for (const v of truth.viewers.values()) {
      truth.stats.likes += v.likes;
      truth.stats.totalCoins += v.coins;
      truth.stats.gifts += v.gifts;
      truth.stats.shares += v.shares;
      truth.stats.followers += v.follows;
    }
    events.sort((a, b) => a.at - b.at);

    const connected = (at: number): StreamEvent => ({
      type: 'connected',
      at,
      streamer: plan.streamer,
      streamerId,
      roomId,
    });
    if (!plan.resumed) {
      truth.recordings.push([connected(startAt), ...events]);
    } else {
      // Dropped in the middle; on reconnect TikTok re-sends the last messages before it.
      const middle = startAt + Math.floor((endAt - startAt) / 2);
      const first = events.filter((e) => e.at < middle && !straddles(e, events, middle));
      const second = events.filter((e) => !first.includes(e));
      const resent = first.filter((e) => e.type !== 'viewers' && e.type !== 'join').slice(-15);
      truth.recordings.push([connected(startAt), ...first]);
      truth.recordings.push([
        connected(second[0]?.at ?? middle),
        ...resent.map((e) => ({ ...e, at: second[0]?.at ?? middle })),
        ...second,
      ]);
    }
    return truth;
  });
}

/** A combo cut in two by the reconnect would be counted early: keep it whole in part two. */
function straddles(event: StreamEvent, all: StreamEvent[], middle: number): boolean {
  if (event.type !== 'gift' || !event.groupId) return false;
  return all.some((e) => e.type === 'gift' && e.groupId === event.groupId && e.at >= middle);
}

function gift(
  msgId: string,
  user: StreamUser,
  at: number,
  kind: { giftId: string; giftName: string; diamonds: number; streakable: boolean },
  repeatCount: number,
  repeatEnd: boolean,
): GiftEvent {
  return { type: 'gift', at, msgId, user, ...kind, repeatCount, repeatEnd };
}
