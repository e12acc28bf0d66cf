import type { SessionRecord } from '../domain/history.js';
import type { StreamStats } from '../domain/stats.js';
import { formatDuration, type TimeFormat } from './time-format.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

const LABELS: [keyof StreamStats, string][] = [
  ['viewers', 'viewers'],
  ['likes', 'likes'],
  ['totalCoins', 'coins'],
  ['followers', 'followers'],
  ['shares', 'shares'],
  ['gifts', 'gifts'],
];

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatStats(stats: StreamStats, indent = '  '): string {
  const values = LABELS.map(([key]) => formatNumber(stats[key]));
  const width = Math.max(...values.map((v) => v.length));
  return LABELS.map(
    ([, label], i) => `${indent}${label.padEnd(10)} ${values[i]!.padStart(width)}`,
  ).join('\n');
}

export function formatSessions(sessions: SessionRecord[], time: TimeFormat): string {
  if (sessions.length === 0) return 'no broadcasts recorded yet';
  const header = [
    'id',
    'streamer',
    'started',
    'length',
    'end',
    'likes',
    'coins',
    'followers',
    'peak',
  ];
  const rows = sessions.map((s) => [
    String(s.id),
    `@${s.streamer}`,
    time.dateTime(s.startedAt),
    s.endedAt === null ? 'live' : formatDuration(s.endedAt - s.startedAt),
    s.endReason ?? (s.endedAt === null ? 'open' : ''),
    formatNumber(s.stats.likes),
    formatNumber(s.stats.totalCoins),
    formatNumber(s.stats.followers),
    formatNumber(s.peakViewers),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([0, 5, 6, 7, 8]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
