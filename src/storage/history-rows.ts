import type { LeaderboardMetric, SessionRecord, ViewerTotals } from '../domain/history.js';
import type { SummaryBucket } from './history-repository.js';
import type { SessionRow, SessionViewerRow, ViewerTotalsRow } from './rows.js';

/**
 * Rows of the history tables turned into domain answers, the same for every engine (the
 * tables keep their columns on SQLite and PostgreSQL alike): summing per-entry viewer rows,
 * ranking, durations. The SQL that fetches the rows stays in each engine's file.
 */

/** An open end of a time range, as numbers both engines compare. */
const EARLIEST = Number.MIN_SAFE_INTEGER;
const LATEST = Number.MAX_SAFE_INTEGER;

export interface Summed {
  viewer: ViewerTotals;
  sessions: number;
}

export function emptyBucket(start: string): SummaryBucket {
  return {
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
  };
}

/** How long an entry ran; one still open counts up to its last save. */
export function durationOf(row: Pick<SessionRow, 'started_at' | 'ended_at' | 'updated_at'>) {
  return Math.max(0, Math.round((row.ended_at ?? row.updated_at) - row.started_at));
}

export function bound(ms: number): number {
  if (ms === -Infinity) return EARLIEST;
  if (ms === Infinity) return LATEST;
  return ms;
}

export function fromTotalsRow(row: ViewerTotalsRow): Summed {
  const seen = row.first_seen ?? row.last_seen ?? 0;
  return {
    viewer: {
      userId: row.user_id,
      handle: row.handle,
      nickname: row.nickname,
      coins: row.coins,
      gifts: row.gifts,
      likes: row.likes,
      comments: row.comments,
      shares: row.shares,
      follows: row.follows,
      firstSeen: seen,
      lastSeen: row.last_seen ?? seen,
    },
    sessions: row.sessions,
  };
}

/** Adds per-entry rows to totals; the names seen last win. */
export function addRows(into: Map<string, Summed>, rows: readonly SessionViewerRow[]): void {
  for (const row of rows) {
    const known = into.get(row.user_id);
    if (!known) {
      into.set(row.user_id, { viewer: toViewer(row), sessions: 1 });
      continue;
    }
    const v = known.viewer;
    if (row.last_seen >= v.lastSeen) {
      if (row.handle) v.handle = row.handle;
      if (row.nickname) v.nickname = row.nickname;
    }
    v.coins += row.coins;
    v.gifts += row.gifts;
    v.likes += row.likes;
    v.comments += row.comments;
    v.shares += row.shares;
    v.follows += row.follows;
    v.firstSeen = Math.min(v.firstSeen, row.first_seen);
    v.lastSeen = Math.max(v.lastSeen, row.last_seen);
    known.sessions++;
  }
}

export function sumViewers(rows: readonly SessionViewerRow[]): Map<string, Summed> {
  const sums = new Map<string, Summed>();
  addRows(sums, rows);
  return sums;
}

export function combine(
  folded: ViewerTotalsRow | undefined,
  live: readonly SessionViewerRow[],
): Map<string, Summed> {
  const sums = new Map<string, Summed>();
  if (folded) sums.set(folded.user_id, fromTotalsRow(folded));
  addRows(sums, live);
  return sums;
}

/** Highest first, ties by user id ascending, zeros left out. */
export function rank(
  sums: Map<string, Summed>,
  metric: LeaderboardMetric,
  limit: number,
): ViewerTotals[] {
  return [...sums.values()]
    .map((s) => s.viewer)
    .filter((v) => v[metric] > 0)
    .sort((a, b) => b[metric] - a[metric] || byUserId(a, b))
    .slice(0, limit);
}

export function byUserId(a: { userId: string }, b: { userId: string }): number {
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

export function toViewer(row: SessionViewerRow): ViewerTotals {
  return {
    userId: row.user_id,
    handle: row.handle,
    nickname: row.nickname,
    coins: row.coins,
    gifts: row.gifts,
    likes: row.likes,
    comments: row.comments,
    shares: row.shares,
    follows: row.follows,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

export function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    streamer: row.streamer,
    streamerId: row.streamer_id,
    roomId: row.room_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    stats: {
      viewers: row.viewers,
      likes: row.likes,
      totalCoins: row.total_coins,
      followers: row.followers,
      shares: row.shares,
      gifts: row.gifts,
    },
    peakViewers: row.peak_viewers,
    updatedAt: row.updated_at,
  };
}
