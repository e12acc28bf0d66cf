import type { SummaryResponse } from '../shared/api-types.js';
import type { ViewerAllTime } from '../storage/history-repository.js';
import { csv, iso, type ExportFormat } from './session-export.js';

/** Every viewer's all-time totals: one row each (CSV), or as an array (JSON). */
export function exportViewers(viewers: ViewerAllTime[], format: ExportFormat): string {
  if (format === 'json') return `${JSON.stringify({ viewers }, null, 2)}\n`;
  const header = [
    'user_id',
    'handle',
    'nickname',
    'coins',
    'gifts',
    'likes',
    'comments',
    'shares',
    'follows',
    'sessions',
    'first_seen',
    'last_seen',
  ];
  const rows = viewers.map((v) => [
    v.userId,
    v.handle,
    v.nickname,
    v.coins,
    v.gifts,
    v.likes,
    v.comments,
    v.shares,
    v.follows,
    v.sessions,
    iso(v.firstSeen),
    iso(v.lastSeen),
  ]);
  return csv([header, ...rows]);
}

/** Summary buckets: one row per day, week or month (CSV), or the API's document (JSON). */
export function exportSummary(summary: SummaryResponse, format: ExportFormat): string {
  if (format === 'json') return `${JSON.stringify(summary, null, 2)}\n`;
  const header = [
    summary.period === 'day' ? 'day' : `${summary.period}_starting`,
    'time_zone',
    'sessions',
    'live_minutes',
    'peak_viewers',
    'likes',
    'total_coins',
    'followers',
    'shares',
    'gifts',
    'gifters',
  ];
  const rows = summary.buckets.map((b) => [
    b.start,
    summary.tz,
    b.sessions,
    Math.round(b.liveMs / 60_000),
    b.peakViewers,
    b.likes,
    b.totalCoins,
    b.followers,
    b.shares,
    b.gifts,
    b.gifters,
  ]);
  return csv([header, ...rows]);
}
