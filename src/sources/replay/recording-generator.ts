import type { StreamEvent, StreamUser } from '../../domain/events.js';
import { zeroStats, type StreamStats } from '../../domain/stats.js';

/**
 * A seeded, realistic recording of a busy LIVE: joins, chat, like bursts with room totals,
 * rose combos and big gifts, follows (some twice), shares, viewer counts rising and
 * falling — plus the awkward parts TikTok really sends: combos whose end arrives twice or
 * never, like totals out of order, and a batch re-sent after a reconnect.
 *
 * Alongside the events it keeps its own ground truth, computed from what it decided to
 * happen rather than from the events, so tests can check the stats rules against it.
 */
export interface RecordingOptions {
  seed: number;
  /** Length of the broadcast in seconds of stream time. */
  durationSec: number;
  /** Scales every rate; 1 is a busy LIVE of a few hundred to ~1,500 viewers. */
  intensity?: number;
  streamer?: string;
  streamerId?: string;
  roomId?: string;
  startAt?: number;
  /** Size of the pool of distinct viewers. */
  audience?: number;
  /** End with a streamEnd event. */
  endStream?: boolean;
}

export interface RecordingTruth {
  stats: StreamStats;
  peakViewers: number;
  events: number;
  /** Coins per viewer id, for leaderboard checks. */
  coinsByUser: Map<string, number>;
}

interface GiftKind {
  id: number;
  name: string;
  diamonds: number;
  streakable: boolean;
  weight: number;
}

const GIFTS: GiftKind[] = [
  { id: 5655, name: 'Rose', diamonds: 1, streakable: true, weight: 40 },
  { id: 5269, name: 'TikTok', diamonds: 1, streakable: true, weight: 15 },
  { id: 5487, name: 'Finger Heart', diamonds: 5, streakable: true, weight: 15 },
  { id: 5879, name: 'Doughnut', diamonds: 30, streakable: true, weight: 8 },
  { id: 6064, name: 'GG', diamonds: 1, streakable: true, weight: 10 },
  { id: 5760, name: 'Weights', diamonds: 1, streakable: true, weight: 5 },
  { id: 11046, name: 'Galaxy', diamonds: 1000, streakable: false, weight: 3 },
  { id: 6369, name: 'Lion', diamonds: 29999, streakable: false, weight: 0.4 },
  { id: 7934, name: 'TikTok Universe', diamonds: 44999, streakable: false, weight: 0.15 },
];

const CHAT = [
  'hi!!',
  'love this',
  'where are you from?',
  'hello from Brazil',
  'lets gooo',
  '❤️❤️❤️',
  'first time here',
  'can you say hi to me?',
  'what song is this',
  'gg',
  'haha',
  'W stream',
  'tap tap tap',
  'welcome everyone',
  '🔥🔥',
  'how long are you live today?',
  'so cool',
];
const SYLLABLES = ['ka', 'mi', 'to', 'ra', 'lu', 'ne', 'so', 'vi', 'da', 'jo', 'li', 'ze', 'mo'];

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
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

interface Combo {
  user: StreamUser;
  gift: GiftKind;
  groupId: string;
  target: number;
  sent: number;
  nextAt: number;
  /** The end message is lost (TikTok never sends it). */
  lost: boolean;
  /** The end message arrives twice, under two message ids. */
  doubleEnd: boolean;
}

export class RecordingGenerator {
  readonly truth: RecordingTruth = {
    stats: zeroStats(),
    peakViewers: 0,
    events: 0,
    coinsByUser: new Map(),
  };
  private readonly rand: () => number;
  private readonly users: StreamUser[] = [];
  private msgCounter = 0n;
  private readonly followed = new Set<string>();
  private roomLikes = 0;

  constructor(private readonly options: RecordingOptions) {
    this.rand = random(options.seed);
    const audience = options.audience ?? 3000;
    for (let i = 0; i < audience; i++) this.users.push(this.makeUser(i));
  }

  *events(): Generator<StreamEvent> {
    const o = this.options;
    const intensity = o.intensity ?? 1;
    const start = o.startAt ?? Date.UTC(2026, 10, 20, 19, 0, 0);
    const durationMs = o.durationSec * 1000;
    const streamer = o.streamer ?? 'demo_streamer';
    yield this.count({
      type: 'connected',
      at: start,
      streamer,
      // Distinct recordings are distinct broadcasts (and streamers) unless told otherwise.
      streamerId: o.streamerId ?? numericId(7_100_000_000_000_000_000n, streamer),
      roomId: o.roomId ?? numericId(7_400_000_000_000_000_000n, `${streamer}#${o.seed}`),
    });

    const combos: Combo[] = [];
    const recent: StreamEvent[] = [];
    const resendAt = start + Math.floor(durationMs * (0.4 + this.rand() * 0.2));
    let resent = false;
    let nextViewers = start;
    let pendingLike: StreamEvent | undefined;
    const stepMs = 100;

    for (let t = start; t < start + durationMs; t += stepMs) {
      const viewers = this.viewersAt((t - start) / durationMs, intensity);
      const perStep = (ratePerSec: number) => this.poisson((ratePerSec * stepMs) / 1000);
      const batch: StreamEvent[] = [];

      if (t >= nextViewers) {
        nextViewers = t + 2000;
        batch.push({ type: 'viewers', at: t, count: viewers });
        this.truth.stats.viewers = viewers;
        this.truth.peakViewers = Math.max(this.truth.peakViewers, viewers);
      }
      for (let i = perStep(viewers / 80); i > 0; i--) {
        batch.push({ type: 'join', at: this.jitter(t), msgId: this.msgId(), user: this.pick() });
      }
      for (let i = perStep(viewers / 60); i > 0; i--) {
        const text = CHAT[Math.floor(this.rand() * CHAT.length)] ?? 'hi';
        batch.push({
          type: 'chat',
          at: this.jitter(t),
          msgId: this.msgId(),
          user: this.pick(),
          text,
        });
      }
      for (let i = perStep(viewers / 30); i > 0; i--) {
        const count = 1 + Math.floor(this.rand() * 15);
        this.roomLikes += count;
        const like: StreamEvent = {
          type: 'like',
          at: this.jitter(t),
          msgId: this.msgId(),
          user: this.pick(),
          count,
          ...(this.rand() < 0.85 ? { roomTotal: this.roomLikes } : {}),
        };
        // Now and then two like messages arrive out of order: the later total first.
        if (pendingLike) {
          batch.push(like, pendingLike);
          pendingLike = undefined;
        } else if (this.rand() < 0.03 && 'roomTotal' in like) {
          pendingLike = like;
        } else {
          batch.push(like);
        }
      }
      for (let i = perStep(viewers / 600); i > 0; i--) this.startGift(t, combos, batch);
      this.advanceCombos(t, combos, batch);
      for (let i = perStep(viewers / 400); i > 0; i--) {
        const user = this.pick();
        batch.push({ type: 'follow', at: this.jitter(t), msgId: this.msgId(), user });
        if (!this.followed.has(user.id)) {
          this.followed.add(user.id);
          this.truth.stats.followers++;
        }
      }
      for (let i = perStep(viewers / 900); i > 0; i--) {
        batch.push({ type: 'share', at: this.jitter(t), msgId: this.msgId(), user: this.pick() });
        this.truth.stats.shares++;
      }

      for (const event of batch) {
        yield this.count(event);
        if (event.type !== 'viewers') {
          recent.push(event);
          if (recent.length > 200) recent.shift();
        }
      }
      if (!resent && t >= resendAt) {
        // A reconnect: TikTok sends its recent messages again, same ids and all.
        resent = true;
        for (const event of recent.slice(-120)) yield this.count(event);
      }
    }
    if (pendingLike) yield this.count(pendingLike);
    const end = start + durationMs;
    for (const combo of combos) this.finishCombo(combo, end, []);
    this.truth.stats.likes = this.roomLikes;
    if (o.endStream ?? true) yield this.count({ type: 'streamEnd', at: end, reason: 'ended' });
  }

  private startGift(t: number, combos: Combo[], batch: StreamEvent[]): void {
    const gift = this.pickGift();
    const user = this.pickGifter();
    if (!gift.streakable) {
      batch.push(this.giftEvent(t, user, gift, 1, true, ''));
      this.credit(user, gift, 1);
      return;
    }
    const target = this.rand() < 0.5 ? 1 : 1 + Math.floor(this.rand() ** 2 * 60);
    combos.push({
      user,
      gift,
      groupId: String(1_700_000_000_000 + Math.floor(this.rand() * 1e9)),
      target,
      sent: 0,
      nextAt: t,
      lost: this.rand() < 0.03,
      doubleEnd: this.rand() < 0.05,
    });
  }

  private advanceCombos(t: number, combos: Combo[], batch: StreamEvent[]): void {
    for (let i = combos.length - 1; i >= 0; i--) {
      const combo = combos[i]!;
      if (combo.nextAt > t) continue;
      combo.sent++;
      combo.nextAt = t + 150 + Math.floor(this.rand() * 350);
      const { user, gift, groupId } = combo;
      batch.push(this.giftEvent(t, user, gift, combo.sent, false, groupId));
      if (combo.sent >= combo.target) {
        this.finishCombo(combo, t, batch);
        combos.splice(i, 1);
      }
    }
  }

  private finishCombo(combo: Combo, t: number, batch: StreamEvent[]): void {
    // What the streamer really got: every tick sent, whether or not the end arrives.
    this.credit(combo.user, combo.gift, combo.sent);
    if (combo.lost || combo.sent === 0) return;
    const end = () => this.giftEvent(t, combo.user, combo.gift, combo.sent, true, combo.groupId);
    batch.push(end());
    if (combo.doubleEnd) batch.push(end());
  }

  private giftEvent(
    t: number,
    user: StreamUser,
    gift: GiftKind,
    repeatCount: number,
    repeatEnd: boolean,
    groupId: string,
  ): StreamEvent {
    return {
      type: 'gift',
      at: this.jitter(t),
      msgId: this.msgId(),
      user,
      giftId: String(gift.id),
      giftName: gift.name,
      diamonds: gift.diamonds,
      repeatCount,
      streakable: gift.streakable,
      repeatEnd,
      ...(groupId ? { groupId } : {}),
    };
  }

  private credit(user: StreamUser, gift: GiftKind, count: number): void {
    this.truth.stats.gifts += count;
    this.truth.stats.totalCoins += gift.diamonds * count;
    const coins = this.truth.coinsByUser.get(user.id) ?? 0;
    this.truth.coinsByUser.set(user.id, coins + gift.diamonds * count);
  }

  /** Viewers rise to a peak around 60% of the stream, then fall back, with noise. */
  private viewersAt(progress: number, intensity: number): number {
    const shape = Math.sin(Math.PI * Math.min(1, progress / 1.2)) ** 1.5;
    const base = 120 + 1400 * shape;
    return Math.max(0, Math.round(base * intensity * (0.95 + this.rand() * 0.1)));
  }

  private count(event: StreamEvent): StreamEvent {
    this.truth.events++;
    return event;
  }

  private msgId(): string {
    this.msgCounter++;
    return (7_350_000_000_000_000_000n + this.msgCounter * 7919n).toString();
  }

  private jitter(t: number): number {
    return t + Math.floor(this.rand() * 100);
  }

  private pick(): StreamUser {
    return this.users[Math.floor(this.rand() * this.users.length)]!;
  }

  /** Gifts come mostly from a small group of regulars. */
  private pickGifter(): StreamUser {
    const regulars = Math.max(1, Math.floor(this.users.length / 50));
    const index =
      this.rand() < 0.6
        ? Math.floor(this.rand() * regulars)
        : Math.floor(this.rand() * this.users.length);
    return this.users[index]!;
  }

  private pickGift(): GiftKind {
    const total = GIFTS.reduce((sum, g) => sum + g.weight, 0);
    let r = this.rand() * total;
    for (const gift of GIFTS) {
      r -= gift.weight;
      if (r <= 0) return gift;
    }
    return GIFTS[0]!;
  }

  private poisson(mean: number): number {
    // Knuth's method is fine for the small means of a 100 ms step.
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.rand();
    while (p > limit && k < 1000) {
      k++;
      p *= this.rand();
    }
    return k;
  }

  private makeUser(i: number): StreamUser {
    const syllables = 2 + Math.floor(this.rand() * 3);
    let name = '';
    for (let s = 0; s < syllables; s++) {
      name += SYLLABLES[Math.floor(this.rand() * SYLLABLES.length)] ?? 'x';
    }
    const handle = `${name}${this.rand() < 0.6 ? Math.floor(this.rand() * 1000) : ''}_${i}`;
    const nickname = name.charAt(0).toUpperCase() + name.slice(1);
    return { id: (6_900_000_000_000_000_000n + BigInt(i) * 104_729n).toString(), handle, nickname };
  }
}

/** A TikTok-like 19-digit id derived from a name (FNV-1a), the same for the same name. */
function numericId(base: bigint, name: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (base + BigInt(hash >>> 0)).toString();
}

/** The recording as NDJSON text, one event per line. */
export function* recordingLines(generator: RecordingGenerator): Generator<string> {
  for (const event of generator.events()) yield `${JSON.stringify(event)}\n`;
}
