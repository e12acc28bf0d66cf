import type { SummaryResponse, ViewerTotalsView } from '../../src/shared/api-types.js';
import type { BroadcastPlan, BroadcastTruth, ViewerTruth } from './history-world.js';
import type { LtthStreamStats, LtthUser } from './ltth.js';

/**
 * The history oracle: a month of broadcasts (across midnight, over a week boundary, through
 * both of Europe/Berlin's DST changes, one resumed after a reconnect, two on one day by two
 * streamers, ties on purpose) plus an import from the helper app, and the answers livetally
 * must give about them — computed from the generator's record of what happened, with date
 * arithmetic of the test's own (toLocaleDateString, not livetally's calendar). Used by the
 * SQLite oracle test (through the real server) and the PostgreSQL one (both engines side by
 * side).
 */

export const PLANS: BroadcastPlan[] = [
  { streamer: 'alice', start: '2026-03-23T18:00:00Z', minutes: 60 }, // Mon evening
  { streamer: 'alice', start: '2026-03-27T19:00:00Z', minutes: 45, tieLikes: 7 }, // Fri
  { streamer: 'bob', start: '2026-03-27T20:30:00Z', minutes: 30 }, // same Friday, another streamer
  { streamer: 'alice', start: '2026-03-28T22:30:00Z', minutes: 90 }, // Sat 23:30 CET, past midnight
  { streamer: 'alice', start: '2026-03-29T00:30:00Z', minutes: 120, resumed: true }, // through 02:00 → 03:00
  { streamer: 'alice', start: '2026-03-29T21:45:00Z', minutes: 60 }, // Sun 23:45 CEST, into Monday
  { streamer: 'alice', start: '2026-03-29T22:30:00Z', minutes: 30, tieLikes: 7 }, // Mon 00:30 CEST
  { streamer: 'bob', start: '2026-03-31T22:15:00Z', minutes: 40 }, // 1 April in Berlin, March in UTC
  { streamer: 'alice', start: '2026-04-05T17:00:00Z', minutes: 50 },
  { streamer: 'alice', start: '2026-10-24T22:30:00Z', minutes: 60 }, // Sun 25 Oct 00:30 CEST
  { streamer: 'alice', start: '2026-10-25T00:30:00Z', minutes: 90 }, // through 03:00 → 02:00
  { streamer: 'alice', start: '2026-10-25T22:59:00Z', minutes: 30 }, // 23:59 on the 25-hour day
  { streamer: 'alice', start: '2026-10-25T23:01:00Z', minutes: 20 }, // 00:01 on the 26th
];
export const ZONES = ['Europe/Berlin', 'UTC', 'America/New_York', 'Asia/Tokyo'];
export const NOWS = [
  '2026-03-29T12:00:00Z',
  '2026-03-29T22:10:00Z', // Monday already in Berlin and Tokyo, still Sunday in UTC
  '2026-03-31T23:00:00Z', // April in Berlin, March in UTC and New York
  '2026-10-25T23:30:00Z',
  '2027-01-10T12:00:00Z', // nothing in any window but `all`
].map(Date.parse);
export const PERIODS = ['day', 'week', 'month'] as const;
export const METRICS = ['coins', 'gifts', 'likes', 'comments', 'shares'] as const;
export type OraclePeriod = (typeof PERIODS)[number];
export type OracleMetric = (typeof METRICS)[number];

/** When the helper app's numbers were last written (its stream_stats row). */
export const LTTH_IMPORTED_AT = '2026-03-20 20:00:00';
export const LTTH_STREAM_STATS: LtthStreamStats = {
  viewers: 80,
  likes: 4321,
  total_coins: 999,
  followers: 4,
  shares: 2,
  gifts: 55,
  updated_at: LTTH_IMPORTED_AT,
};

/** What the helper app had: two of its streamer ids for some viewers, one viewer only there. */
export function helperUsers(world: BroadcastTruth[]): LtthUser[] {
  const regulars = [...world[0]!.viewers.values()].slice(0, 4);
  return [
    ...regulars.map((v, i) => ({
      user_id: v.userId,
      streamer_id: i % 2 === 0 ? 'alice' : 'alice_backup',
      username: v.nickname,
      unique_id: v.handle,
      total_coins_sent: 100 * (i + 1),
      total_gifts_sent: i,
      total_likes: 1000 + i,
      total_comments: 3,
      total_shares: 1,
      total_follows: 1,
      first_seen_at: '2026-01-05 18:00:00',
      last_seen_at: '2026-03-01 18:00:00',
      last_gift_at: '2026-03-01 18:00:00',
    })),
    {
      user_id: regulars[0]!.userId,
      streamer_id: 'alice_backup',
      username: regulars[0]!.nickname,
      unique_id: regulars[0]!.handle,
      total_coins_sent: 5000,
      total_gifts_sent: 5,
      first_seen_at: '2026-02-01 10:00:00',
      last_seen_at: '2026-02-02 10:00:00',
    },
    {
      user_id: '6800000000000000001',
      streamer_id: 'alice',
      username: 'Only Then',
      unique_id: 'only_then',
      total_coins_sent: 250_000,
      total_gifts_sent: 9,
      total_likes: 12,
      first_seen_at: '2025-12-24 20:00:00',
      last_seen_at: '2025-12-24 21:00:00',
      last_gift_at: '2025-12-24 21:00:00',
    },
  ];
}

// The oracle's calendar: dates as the runtime prints them, weeks and months by string. ---

export function localDay(ms: number, zone: string): string {
  return new Date(ms).toLocaleDateString('sv-SE', { timeZone: zone });
}

export function bucketOf(day: string, period: OraclePeriod): string {
  if (period === 'day') return day;
  if (period === 'month') return `${day.slice(0, 7)}-01`;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

export function inSamePeriod(a: number, b: number, period: OraclePeriod, zone: string) {
  return bucketOf(localDay(a, zone), period) === bucketOf(localDay(b, zone), period);
}

// The oracle's answers ------------------------------------------------------------------

interface Entry {
  startAt: number;
  liveMs: number;
  stats: BroadcastTruth['stats'];
  peakViewers: number;
  gifters: Set<string>;
}

export type OracleTotals = Map<string, ViewerTruth & { sessions: number; imported: boolean }>;

export class HistoryOracle {
  constructor(
    readonly world: BroadcastTruth[],
    readonly ltthUsers: LtthUser[],
  ) {}

  entries(): Entry[] {
    const imported: Entry = {
      startAt: Date.parse(`${LTTH_IMPORTED_AT.replace(' ', 'T')}Z`),
      liveMs: 0,
      stats: { viewers: 80, likes: 4321, totalCoins: 999, followers: 4, shares: 2, gifts: 55 },
      peakViewers: 80,
      gifters: new Set(),
    };
    return [
      imported,
      ...this.world.map((b) => ({
        startAt: b.startAt,
        liveMs: b.endAt - b.startAt,
        stats: b.stats,
        peakViewers: b.peakViewers,
        gifters: new Set([...b.viewers.values()].filter((v) => v.gifts > 0).map((v) => v.userId)),
      })),
    ];
  }

  expectedSummary(
    period: OraclePeriod,
    zone: string,
    from?: string,
    to?: string,
  ): SummaryResponse['buckets'] {
    const buckets = new Map<string, SummaryResponse['buckets'][number] & { set: Set<string> }>();
    for (const e of this.entries()) {
      const day = localDay(e.startAt, zone);
      if ((from && day < from) || (to && day > to)) continue;
      const start = bucketOf(day, period);
      const b = buckets.get(start) ?? {
        start,
        sessions: 0,
        liveMs: 0,
        peakViewers: 0,
        likes: 0,
        totalCoins: 0,
        followers: 0,
        shares: 0,
        gifts: 0,
        gifters: 0,
        set: new Set<string>(),
      };
      b.sessions++;
      b.liveMs += e.liveMs;
      b.peakViewers = Math.max(b.peakViewers, e.peakViewers);
      b.likes += e.stats.likes;
      b.totalCoins += e.stats.totalCoins;
      b.followers += e.stats.followers;
      b.shares += e.stats.shares;
      b.gifts += e.stats.gifts;
      for (const g of e.gifters) b.set.add(g);
      b.gifters = b.set.size;
      buckets.set(start, b);
    }
    return [...buckets.values()]
      .sort((a, b) => (a.start < b.start ? -1 : 1))
      .map(({ set: _set, ...bucket }) => bucket);
  }

  /** Every viewer over the broadcasts chosen, plus the import when `withImport`. */
  totals(broadcasts: BroadcastTruth[], withImport: boolean): OracleTotals {
    const sums = new Map<string, ViewerTruth & { sessions: number; imported?: boolean }>();
    for (const b of broadcasts) for (const v of b.viewers.values()) addViewer(sums, v);
    if (withImport) {
      for (const u of this.ltthUsers) {
        const id = String(u.user_id);
        const first = ltthTime(u.first_seen_at) ?? ltthTime(u.last_seen_at)!;
        const last = ltthTime(u.last_seen_at) ?? first;
        const known = sums.get(id) ?? {
          userId: id,
          handle: u.unique_id!,
          nickname: u.username!,
          coins: 0,
          gifts: 0,
          likes: 0,
          comments: 0,
          shares: 0,
          follows: 0,
          firstSeen: first,
          lastSeen: last,
          sessions: 0,
        };
        known.coins += Number(u.total_coins_sent ?? 0);
        known.gifts += Number(u.total_gifts_sent ?? 0);
        known.likes += Number(u.total_likes ?? 0);
        known.comments += Number(u.total_comments ?? 0);
        known.shares += Number(u.total_shares ?? 0);
        known.follows += Number(u.total_follows ?? 0);
        known.firstSeen = Math.min(known.firstSeen, first);
        known.lastSeen = Math.max(known.lastSeen, last);
        known.imported = true;
        sums.set(id, known);
      }
    }
    return new Map([...sums].map(([id, v]) => [id, { ...v, imported: v.imported ?? false }]));
  }

  /** Who sent gifts in the helper app (they are never "new" gifters here). */
  helperGifters(): Set<string> {
    return new Set(
      this.ltthUsers.filter((u) => Number(u.total_coins_sent) > 0).map((u) => String(u.user_id)),
    );
  }
}

function addViewer(into: Map<string, ViewerTruth & { sessions: number }>, v: ViewerTruth): void {
  const known = into.get(v.userId);
  if (!known) {
    into.set(v.userId, { ...v, sessions: 1 });
    return;
  }
  known.coins += v.coins;
  known.gifts += v.gifts;
  known.likes += v.likes;
  known.comments += v.comments;
  known.shares += v.shares;
  known.follows += v.follows;
  known.firstSeen = Math.min(known.firstSeen, v.firstSeen);
  known.lastSeen = Math.max(known.lastSeen, v.lastSeen);
  known.sessions++;
}

function ltthTime(text: string | null | undefined): number | undefined {
  return text ? Date.parse(`${text.replace(' ', 'T')}Z`) : undefined;
}

export function ranking(
  sums: Map<string, ViewerTruth>,
  metric: OracleMetric,
  limit: number,
): ViewerTotalsView[] {
  return [...sums.values()]
    .filter((v) => v[metric] > 0)
    .sort((a, b) => b[metric] - a[metric] || (a.userId < b.userId ? -1 : 1))
    .slice(0, limit)
    .map((v) => ({
      userId: v.userId,
      handle: v.handle,
      nickname: v.nickname,
      coins: v.coins,
      gifts: v.gifts,
      likes: v.likes,
      comments: v.comments,
      shares: v.shares,
      follows: v.follows,
      firstSeen: v.firstSeen,
      lastSeen: v.lastSeen,
    }));
}
