import { Option, type Command } from 'commander';
import { exportSummary, exportViewers } from '../app/history-export.js';
import { HistoryService } from '../app/history-service.js';
import { exportSessions, type ExportFormat } from '../app/session-export.js';
import { resolveTimeZone } from '../app/time-zone.js';
import { PERIODS, type Period } from '../domain/calendar.js';
import type { SummaryResponse } from '../shared/api-types.js';
import type { HistoryRepository } from '../storage/history-repository.js';
import type { ProfileStorage } from '../storage/profile-storage.js';
import type { CliContext, CommandSetup } from './context.js';
import { formatNumber } from './output.js';
import { formatDuration } from './time-format.js';

interface SummaryFlags {
  profile?: string;
  period: Period;
  from?: string;
  to?: string;
  tz?: string;
  json?: boolean;
}

/** `livetally summary`: totals per day, week or month, read-only beside a running server. */
export function registerSummaryCommand(
  program: Command,
  ctx: CliContext,
  setup: (cmd: Command) => CommandSetup,
): void {
  program
    .command('summary')
    .description('totals per day, week (from Monday) or month: broadcasts, time live, coins …')
    .option('--profile <name>', 'profile to read (default: the active profile)')
    .addOption(
      new Option('--period <period>', 'day, week or month').choices(PERIODS).default('day'),
    )
    .option('--from <date>', 'first day, YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'last day, YYYY-MM-DD (inclusive)')
    .option('--tz <zone>', 'time zone of the days, e.g. Europe/Berlin (env LIVETALLY_TZ)')
    .option('--json', 'print as JSON (the document GET /api/summary answers)')
    .action(async (opts: SummaryFlags, cmd: Command) => {
      const { workspace } = setup(cmd);
      const zone = resolveTimeZone(opts.tz, ctx.env);
      const profile = workspace.profileName(opts.profile);
      const store = workspace.openForReading(profile);
      try {
        const summary = await historyService(store, zone).summary(opts);
        ctx.output.out(opts.json ? JSON.stringify(summary) : formatSummary(profile, summary));
      } finally {
        store?.close();
      }
    });
}

export interface HistoryExportFlags {
  format: ExportFormat;
  viewers?: boolean;
  summary?: Period;
  from?: string;
  to?: string;
  tz?: string;
}

/** The `export` options that bring the history numbers: `--viewers`, `--summary P`. */
export const HISTORY_EXPORT_OPTIONS = {
  viewers: new Option('--viewers', "every viewer's all-time totals instead of the broadcasts"),
  summary: new Option(
    '--summary <period>',
    'totals per day, week or month instead of the broadcasts',
  )
    .choices(PERIODS)
    .conflicts('viewers'),
  from: new Option('--from <date>', 'with --summary: first day, YYYY-MM-DD'),
  to: new Option('--to <date>', 'with --summary: last day, YYYY-MM-DD'),
  tz: new Option('--tz <zone>', 'with --summary: time zone of the days (env LIVETALLY_TZ)'),
};

/**
 * `livetally export` without `--session`: the broadcasts (CSV), every viewer's all-time
 * totals (`--viewers`), summary buckets (`--summary`), or — as JSON — all of them.
 */
export async function exportHistory(
  store: ProfileStorage | undefined,
  flags: HistoryExportFlags,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const zone = resolveTimeZone(flags.tz, env);
  const history = historyService(store, zone);
  const viewers = async () => (store ? store.history.allViewers() : []);
  if (flags.viewers) return exportViewers(await viewers(), flags.format);
  if (flags.summary) {
    const { from, to } = flags;
    return exportSummary(await history.summary({ period: flags.summary, from, to }), flags.format);
  }
  const sessions = (await store?.listSessions()) ?? [];
  if (flags.format === 'csv') return exportSessions(sessions, 'csv');
  const summary: Record<Period, SummaryResponse['buckets']> = { day: [], week: [], month: [] };
  for (const period of PERIODS) summary[period] = (await history.summary({ period })).buckets;
  const document = { sessions, viewers: await viewers(), summary: { tz: zone, ...summary } };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function historyService(store: ProfileStorage | undefined, zone: string): HistoryService {
  return new HistoryService({
    read: (query) => query(store?.history ?? EMPTY_HISTORY),
    currentSessionId: async () => (await store?.loadCurrent())?.sessionId ?? null,
    zone,
  });
}

/** A profile that was never written to (a `default` not used yet) has no history. */
const EMPTY_HISTORY: HistoryRepository = {
  summary: async () => [],
  leaderboard: async () => [],
  viewer: async () => null,
  allViewers: async () => [],
  recap: async () => null,
  giftBreakdown: async () => null,
  importHistory: async () => {
    throw new Error('cannot import into a profile without a file');
  },
};

export function formatSummary(profile: string, summary: SummaryResponse): string {
  const per = { day: 'per day', week: 'per week (from Monday)', month: 'per month' };
  const title = `Profile "${profile}" — ${per[summary.period]}, ${summary.tz}`;
  if (summary.buckets.length === 0) return `${title}\nno broadcasts in this time`;
  const header = [
    summary.period === 'day' ? 'day' : `${summary.period} of`,
    'LIVEs',
    'time live',
    'peak',
    'likes',
    'coins',
    'followers',
    'shares',
    'gifts',
    'gifters',
  ];
  const row = (start: string, b: Omit<SummaryResponse['buckets'][number], 'start'>) => [
    start,
    formatNumber(b.sessions),
    formatDuration(b.liveMs),
    formatNumber(b.peakViewers),
    formatNumber(b.likes),
    formatNumber(b.totalCoins),
    formatNumber(b.followers),
    formatNumber(b.shares),
    formatNumber(b.gifts),
    formatNumber(b.gifters),
  ];
  const rows = summary.buckets.map((b) => row(b.start, b));
  const total = summary.buckets.reduce(
    (t, b) => ({
      sessions: t.sessions + b.sessions,
      liveMs: t.liveMs + b.liveMs,
      peakViewers: Math.max(t.peakViewers, b.peakViewers),
      likes: t.likes + b.likes,
      totalCoins: t.totalCoins + b.totalCoins,
      followers: t.followers + b.followers,
      shares: t.shares + b.shares,
      gifts: t.gifts + b.gifts,
      // The same viewer in two buckets is one gifter: the sum would overcount.
      gifters: NaN,
    }),
    {
      sessions: 0,
      liveMs: 0,
      peakViewers: 0,
      likes: 0,
      totalCoins: 0,
      followers: 0,
      shares: 0,
      gifts: 0,
      gifters: NaN,
    },
  );
  const totals = row('total', total);
  totals[totals.length - 1] = '';
  const all = [header, ...rows, totals];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [title, line(header), ...rows.map(line), line(totals)].join('\n');
}
