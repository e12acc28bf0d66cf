import { isGiftEvent } from '../domain/events.js';
import type { StreakRecord } from '../domain/gift-streaks.js';
import type { SessionRecord, ViewerTotals } from '../domain/history.js';
import { sanitizeCounter, type StreamStats } from '../domain/stats.js';
import type { SessionRow, SessionViewerRow } from './rows.js';

/*
 * Reading rows back into domain values, defensively, for every engine: a damaged file, or
 * rows an older program wrote (and an import copied), may hold anything.
 */

export type SixColumns = Record<
  'viewers' | 'likes' | 'total_coins' | 'followers' | 'shares' | 'gifts',
  unknown
>;

/**
 * The six counter columns of a row as stats. Read defensively: a damaged file, or one an
 * older program wrote, must never turn into NaN, a fraction or 9e99 in an answer.
 */
export function rowStats(
  row: SixColumns,
  read: (value: unknown) => number = sanitizeCounter,
): StreamStats {
  return {
    viewers: read(row.viewers),
    likes: read(row.likes),
    totalCoins: read(row.total_coins),
    followers: read(row.followers),
    shares: read(row.shares),
    gifts: read(row.gifts),
  };
}

export function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    streamer: String(row.streamer),
    streamerId: String(row.streamer_id),
    roomId: String(row.room_id),
    startedAt: sanitizeTime(row.started_at),
    endedAt: row.ended_at === null ? null : sanitizeTime(row.ended_at),
    endReason: row.end_reason === null ? null : String(row.end_reason),
    stats: rowStats(row),
    peakViewers: sanitizeCounter(row.peak_viewers),
    updatedAt: sanitizeTime(row.updated_at),
  };
}

export function toViewer(row: SessionViewerRow): ViewerTotals {
  return {
    userId: String(row.user_id),
    handle: String(row.handle),
    nickname: String(row.nickname),
    coins: sanitizeCounter(row.coins),
    gifts: sanitizeCounter(row.gifts),
    likes: sanitizeCounter(row.likes),
    comments: sanitizeCounter(row.comments),
    shares: sanitizeCounter(row.shares),
    follows: sanitizeCounter(row.follows),
    firstSeen: sanitizeTime(row.first_seen),
    lastSeen: sanitizeTime(row.last_seen),
  };
}

/** Whole milliseconds since 1970; anything else an older file holds becomes 0. */
export function sanitizeTime(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER) : 0;
}

/** Older programs wrote `CURRENT_TIMESTAMP` (UTC, "YYYY-MM-DD HH:MM:SS"); we write ISO 8601. */
export function toIso(value: string | number | null): string | null {
  if (value === null) return null;
  const date =
    typeof value === 'number'
      ? new Date(value)
      : new Date(
          /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(' ', 'T')}Z` : value,
        );
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function toMs(value: string | number | null): number | null {
  const iso = toIso(value);
  return iso === null ? null : Date.parse(iso);
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function parseStreak(text: string): StreakRecord | undefined {
  const value = safeJson(text);
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  const event = candidate['event'];
  const numbers = ['repeatCount', 'counted', 'lastSeen'].map((k) => candidate[k]);
  if (!isGiftEvent(event) || typeof candidate['key'] !== 'string') return undefined;
  if (typeof candidate['open'] !== 'boolean') return undefined;
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0))
    return undefined;
  return {
    key: candidate['key'],
    event,
    repeatCount: candidate['repeatCount'] as number,
    counted: candidate['counted'] as number,
    lastSeen: candidate['lastSeen'] as number,
    open: candidate['open'],
  };
}
