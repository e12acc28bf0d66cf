import type { SessionPoint, SessionRecord, ViewerTotals } from '../domain/history.js';

export type ExportFormat = 'csv' | 'json';

export interface SessionExport {
  session: SessionRecord;
  series: SessionPoint[];
  viewers: ViewerTotals[];
}

const SESSION_COLUMNS = [
  'id',
  'streamer',
  'room_id',
  'started_at',
  'ended_at',
  'end_reason',
  'viewers',
  'peak_viewers',
  'likes',
  'total_coins',
  'followers',
  'shares',
  'gifts',
] as const;

/** Every session, one row each (CSV) or as an array (JSON). */
export function exportSessions(sessions: SessionRecord[], format: ExportFormat): string {
  if (format === 'json') return `${JSON.stringify({ sessions }, null, 2)}\n`;
  const rows = sessions.map((s) => [
    s.id,
    s.streamer,
    s.roomId,
    iso(s.startedAt),
    s.endedAt === null ? '' : iso(s.endedAt),
    s.endReason ?? '',
    s.stats.viewers,
    s.peakViewers,
    s.stats.likes,
    s.stats.totalCoins,
    s.stats.followers,
    s.stats.shares,
    s.stats.gifts,
  ]);
  return csv([[...SESSION_COLUMNS], ...rows]);
}

/**
 * One session: JSON has the session, its time series and every viewer's totals; CSV is the
 * time series, a row per time bucket, ready for a spreadsheet chart.
 */
export function exportSession(data: SessionExport, format: ExportFormat): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  const header = ['time', 'viewers', 'likes', 'total_coins', 'followers', 'shares', 'gifts'];
  const rows = data.series.map((p) => [
    iso(p.t),
    p.viewers,
    p.likes,
    p.totalCoins,
    p.followers,
    p.shares,
    p.gifts,
  ]);
  return csv([header, ...rows]);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * RFC 4180: quote fields with commas, quotes or line breaks; defuse spreadsheet formulas.
 * Starts with a UTF-8 byte order mark, so that Excel reads names in any script as written.
 */
export function csv(rows: (string | number)[][]): string {
  return '\uFEFF' + rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

function field(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
