import type { SessionRecord } from '../domain/history.js';
import type { StreamStats } from '../domain/stats.js';
import { formatDuration, type TimeFormat } from './time-format.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const closed = new WeakSet<NodeJS.WriteStream>();

function writeLine(stream: NodeJS.WriteStream, text: string): void {
  if (closed.has(stream)) return;
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

export const processOutput: Output = {
  out: (text) => writeLine(process.stdout, text),
  err: (text) => writeLine(process.stderr, text),
};

/**
 * A reader that stops early (`livetally export | head -c 10`) closes the pipe: that is not
 * a failure of livetally. Output to it stops; the command itself finishes (a server keeps
 * running and still saves everything on stop).
 */
export function toleratePipeClosing(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed.add(stream);
    });
  }
}

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

/** "1 event", "2,000 events": a count with its noun. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(n)} ${n === 1 ? singular : pluralForm}`;
}
