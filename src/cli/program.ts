import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { parseSaveInterval } from '../app/duration.js';
import { checkRecordingFile } from '../app/recording-file.js';
import { parseSpeed as parseSpeedSetting } from '../app/start-config.js';
import { exportSession, type ExportFormat } from '../app/session-export.js';
import type { Logger } from '../app/logger.js';
import type { Workspace } from '../app/workspace.js';
import { LivetallyError } from '../domain/errors.js';
import type { SessionRecord } from '../domain/history.js';
import { zeroStats } from '../domain/stats.js';
import { PROFILE_NAME_RULES } from '../profiles/profile-name.js';
import type { ProfileStorage } from '../storage/profile-storage.js';
import { storageFailure } from '../storage/storage-errors.js';
import { commandSetup, stopControl, type CliContext } from './context.js';
import { formatNumber, formatSessions, formatStats, plural } from './output.js';
import { checkProfileExists } from './preflight.js';
import { resolveTimeZone } from './time-format.js';
import {
  HISTORY_EXPORT_OPTIONS,
  exportHistory,
  registerSummaryCommand,
  type HistoryExportFlags,
} from './history-commands.js';
import { registerImportCommand } from './import-command.js';
import { registerRecordCommand } from './record-command.js';
import { QuietExit } from './quiet-exit.js';
import { registerStartCommand } from './start-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerTokenCommand } from './token-command.js';

/** Exit codes of the contract: 0 success, 1 failure, 2 bad usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('livetally')
    .description('Correct, persistent, per-profile TikTok LIVE stream statistics')
    .version(ctx.version, '-V, --version')
    .option('--data-dir <dir>', 'where profiles are kept (env LIVETALLY_DATA_DIR)')
    .option('-v, --verbose', 'log more')
    .option('-q, --quiet', 'log only errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.output.out(s), writeErr: (s) => ctx.output.err(s) })
    .exitOverride();

  const setup = (cmd: Command) => commandSetup(ctx, cmd);

  registerStartCommand(program, ctx);
  registerRecordCommand(program, ctx, setup);
  registerStatusCommand(program, ctx, setup);
  registerTokenCommand(program, ctx, setup);
  registerSummaryCommand(program, ctx, setup);
  registerImportCommand(program, ctx, setup);

  program
    .command('replay')
    .description('feed a recording into a profile without a server, then save and exit')
    .argument('<file>', 'NDJSON recording (or raw capture with --raw)')
    .option('--raw', 'the file is a raw TikTok capture (livetally record)')
    .option('--profile <name>', 'profile to count into (default: the active profile)')
    .addOption(
      new Option('--speed <x>', '0 = as fast as possible, 1 = real time')
        .default(0)
        .argParser(parseSpeed),
    )
    .option('--save-interval <duration>', 'save at most this often', '1s')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: ReplayFlags, cmd: Command) => {
      const { logger, workspace } = setup(cmd);
      // Every mistake is found before anything is locked or created.
      const saveIntervalMs = parseSaveInterval(opts.saveInterval);
      checkRecordingFile(path.resolve(file), opts.raw ? 'raw' : 'events', file);
      checkProfileExists(workspace, opts.profile);
      workspace.lockForWriting('livetally replay');
      try {
        const profile = workspace.profileName(opts.profile);
        const opened = workspace.openForWriting(profile);
        const stop = stopControl();
        try {
          const { runReplay } = await import('../app/run-replay.js');
          const result = await runReplay({
            profile: opened,
            file: path.resolve(file),
            speed: opts.speed,
            raw: opts.raw,
            saveIntervalMs,
            logger,
            signal: stop.stopping,
            giveUp: stop.giveUp,
            onProgress: ctx.interactive && !opts.json ? progressPrinter(ctx, file) : undefined,
          });
          const rate = result.events / Math.max(result.durationMs / 1000, 1e-3);
          if (opts.json) {
            ctx.output.out(
              JSON.stringify({
                profile,
                streamer: result.broadcast?.streamer ?? null,
                roomId: result.broadcast?.roomId ?? null,
                sessionId: result.broadcast?.sessionId ?? null,
                events: result.events,
                invalidLines: result.invalid,
                stopped: result.stopped,
                durationMs: Math.round(result.durationMs),
                stats: result.stats,
              }),
            );
          } else {
            const b = result.broadcast;
            const what = b ? `@${b.streamer}, broadcast ${b.roomId}` : 'nothing';
            ctx.output.out(
              `${result.stopped ? 'Stopped' : 'Replayed'} ${plural(result.events, 'event')} into profile "${profile}" (${what}) ` +
                `in ${(result.durationMs / 1000).toFixed(1)} s, ${formatNumber(Math.round(rate))} events/s` +
                (result.invalid ? `; ${plural(result.invalid, 'bad line')} skipped` : ''),
            );
            ctx.output.out(formatStats(result.stats));
          }
        } finally {
          stop.dispose();
          opened.store.close();
        }
      } finally {
        workspace.release();
      }
    });

  program
    .command('stats')
    .description("show a profile's saved current stats")
    .option('--profile <name>', 'profile to read (default: the active profile)')
    .option('--json', 'print as JSON')
    .option(TZ_FLAG, TZ_HELP)
    .action((opts: { profile?: string; json?: boolean; tz?: string }, cmd: Command) => {
      const { workspace } = setup(cmd);
      const time = resolveTimeZone(opts.tz, ctx.env);
      const profile = workspace.profileName(opts.profile);
      const saved = workspace.readCurrent(profile);
      if (opts.json) {
        ctx.output.out(
          JSON.stringify({
            profile,
            streamer: saved?.streamer ?? null,
            roomId: saved?.roomId ?? null,
            updatedAt: saved?.updatedAt ?? null,
            updatedAtMs: saved?.updatedAtMs ?? null,
            stats: saved?.stats ?? null,
          }),
        );
        return;
      }
      if (!saved) {
        ctx.output.out(`Profile "${profile}" has no saved stats yet.`);
        return;
      }
      const who = saved.streamer ? ` — @${saved.streamer}, broadcast ${saved.roomId}` : '';
      ctx.output.out(`Profile "${profile}"${who}`);
      ctx.output.out(formatStats(saved.stats));
      ctx.output.out(
        `  saved at ${saved.updatedAtMs === null ? 'unknown' : time.dateTime(saved.updatedAtMs)}`,
      );
    });

  program
    .command('reset')
    .description("zero a profile's current stats (history is kept)")
    .option('--profile <name>', 'profile to reset (default: the active profile)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { profile?: string; json?: boolean }, cmd: Command) => {
      const { workspace } = setup(cmd);
      checkProfileExists(workspace, opts.profile);
      workspace.lockForWriting('livetally reset');
      try {
        const profile = workspace.profileName(opts.profile);
        const { store } = workspace.openForWriting(profile);
        try {
          await store.resetStreamStats();
        } catch (error) {
          throw storageFailure(error, { path: store.file, doing: 'resetting the stats' }) ?? error;
        } finally {
          store.close();
        }
        if (opts.json) ctx.output.out(JSON.stringify({ profile, reset: true, stats: zeroStats() }));
        else ctx.output.out(`Stats of profile "${profile}" reset to zero.`);
      } finally {
        workspace.release();
      }
    });

  program
    .command('sessions')
    .description("list a profile's broadcasts")
    .option('--profile <name>', 'profile to read (default: the active profile)')
    .option('--json', 'print as JSON')
    .option(TZ_FLAG, TZ_HELP)
    .action(async (opts: { profile?: string; json?: boolean; tz?: string }, cmd: Command) => {
      const { workspace } = setup(cmd);
      const time = resolveTimeZone(opts.tz, ctx.env);
      const profile = workspace.profileName(opts.profile);
      const store: ProfileStorage | undefined = workspace.openForReading(profile);
      let sessions: SessionRecord[];
      try {
        sessions = store ? await store.listSessions() : [];
      } finally {
        await store?.close();
      }
      if (opts.json) ctx.output.out(JSON.stringify({ profile, sessions }));
      else ctx.output.out(formatSessions(sessions, time));
    });

  program
    .command('export')
    .description('write history as CSV or JSON: every broadcast, or one with --session')
    .option('--profile <name>', 'profile to read (default: the active profile)')
    .addOption(
      new Option(
        '--session <id>',
        'one broadcast: its time series (CSV) or everything (JSON)',
      ).argParser(parseSessionId),
    )
    .addOption(
      new Option('--format <format>', 'csv or json').default('csv').argParser(parseExportFormat),
    )
    .addOption(HISTORY_EXPORT_OPTIONS.viewers)
    .addOption(HISTORY_EXPORT_OPTIONS.summary)
    .addOption(HISTORY_EXPORT_OPTIONS.from)
    .addOption(HISTORY_EXPORT_OPTIONS.to)
    .addOption(HISTORY_EXPORT_OPTIONS.tz)
    .action(async (opts: ExportFlags, cmd: Command) => {
      const { workspace } = setup(cmd);
      const profile = workspace.profileName(opts.profile);
      const store: ProfileStorage | undefined = workspace.openForReading(profile);
      try {
        if (opts.session === undefined) {
          ctx.output.out(await exportHistory(store, opts, ctx.env));
          return;
        }
        const id = opts.session;
        const session = await store?.getSession(id);
        if (!store || !session) {
          throw new LivetallyError(
            'session_not_found',
            `profile "${profile}" has no session ${opts.session}`,
          );
        }
        const data = {
          session,
          series: await store.sessionSeries(id),
          viewers: await store.sessionViewers(id),
        };
        ctx.output.out(exportSession(data, opts.format));
      } finally {
        await store?.close();
      }
    });

  const profiles = program
    .command('profiles')
    .description('list, create, delete or choose profiles');
  profiles
    .command('list')
    .description('list the profiles')
    .option('--json', 'print as JSON')
    .option(TZ_FLAG, TZ_HELP)
    .action((opts: { json?: boolean; tz?: string }, cmd: Command) => {
      const { workspace } = setup(cmd);
      const time = resolveTimeZone(opts.tz, ctx.env);
      // Read-only: an active `default` without a file yet is shown, not created.
      const list: ListedProfile[] = workspace.listProfiles();
      const active = workspace.activeProfile();
      if (!list.some((p) => p.active) && workspace.profiles.find(active) === undefined) {
        const file = workspace.profiles.fileFor(active);
        list.push({
          name: active,
          file,
          sizeBytes: 0,
          modifiedAt: null,
          modifiedAtMs: null,
          active: true,
        });
        list.sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
      }
      if (opts.json) {
        ctx.output.out(JSON.stringify({ active, profiles: list }));
        return;
      }
      for (const p of list) {
        const detail =
          p.modifiedAtMs === null
            ? 'created on first use'
            : `${formatNumber(Math.ceil(p.sizeBytes / 1024))} KiB  modified ${time.dateTime(p.modifiedAtMs)}`;
        ctx.output.out(`${p.active ? '*' : ' '} ${p.name.padEnd(24)} ${detail}`);
      }
    });
  profiles
    .command('create')
    .description(`create a profile (${PROFILE_NAME_RULES})`)
    .argument('<name>')
    .option('--json', 'print as JSON')
    .action((name: string, opts: { json?: boolean }, cmd: Command) => {
      const { workspace } = setup(cmd);
      withLock(workspace, 'livetally profiles create', () => workspace.createProfile(name));
      if (opts.json) ctx.output.out(JSON.stringify({ name, created: true }));
      else ctx.output.out(`Created profile "${name}".`);
    });
  profiles
    .command('delete')
    .description('delete a profile and its file (not the active one)')
    .argument('<name>')
    .option('--json', 'print as JSON')
    .action((name: string, opts: { json?: boolean }, cmd: Command) => {
      const { workspace } = setup(cmd);
      const found = workspace.profiles.resolve(name);
      withLock(workspace, 'livetally profiles delete', () => workspace.deleteProfile(found));
      if (opts.json) ctx.output.out(JSON.stringify({ name: found, deleted: true }));
      else ctx.output.out(`Deleted profile "${found}".`);
    });
  profiles
    .command('use')
    .description('make a profile the active one')
    .argument('<name>')
    .option('--json', 'print as JSON')
    .action((name: string, opts: { json?: boolean }, cmd: Command) => {
      const { workspace } = setup(cmd);
      checkProfileExists(workspace, name);
      const found = withLock(workspace, 'livetally profiles use', () => workspace.setActive(name));
      if (opts.json) ctx.output.out(JSON.stringify({ active: found }));
      else ctx.output.out(`Active profile is now "${found}".`);
    });

  return program;
}

const TZ_FLAG = '--tz <zone>';
const TZ_HELP = "show times in this IANA time zone (env LIVETALLY_TZ; default: this machine's)";

/** A profile as `profiles list` shows it; `modifiedAt` is null before its file exists. */
interface ListedProfile {
  name: string;
  file: string;
  sizeBytes: number;
  modifiedAt: string | null;
  modifiedAtMs: number | null;
  active: boolean;
}

type ExportFlags = {
  profile?: string;
  session?: number;
  format: ExportFormat;
} & HistoryExportFlags;

interface ReplayFlags {
  raw?: boolean;
  profile?: string;
  speed: number;
  saveInterval: string;
  json?: boolean;
}

function parseSpeed(value: string): number {
  try {
    return parseSpeedSetting(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function parseSessionId(value: string): number {
  const id = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(id) || id < 1) {
    throw new InvalidArgumentError(
      'a session is given by its number (see livetally sessions), e.g. --session 3',
    );
  }
  return id;
}

function parseExportFormat(value: string): ExportFormat {
  const format = value.trim().toLowerCase();
  if (format !== 'csv' && format !== 'json') throw new InvalidArgumentError('use csv or json');
  return format;
}

function withLock<T>(workspace: Workspace, command: string, work: () => T): T {
  workspace.lockForWriting(command);
  try {
    return work();
  } finally {
    workspace.release();
  }
}

function progressPrinter(ctx: CliContext, file: string) {
  const started = performance.now();
  return (p: { bytesRead: number; totalBytes: number; events: number }) => {
    const pct = p.totalBytes > 0 ? Math.floor((p.bytesRead / p.totalBytes) * 100) : 100;
    const rate = p.events / Math.max((performance.now() - started) / 1000, 1e-3);
    ctx.output.err(
      `${path.basename(file)}: ${pct}% — ${formatNumber(p.events)} events (${formatNumber(Math.round(rate))}/s)`,
    );
  };
}

/** Runs the command line; returns the exit code instead of exiting. */
export async function runCli(argv: string[], ctx: CliContext, logger?: Logger): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof QuietExit) return error.exitCode;
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
        return EXIT.ok;
      // Help asked for (`livetally help`) is a success; help shown because a subcommand is
      // missing (`livetally`, `livetally profiles`) is bad usage.
      if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return EXIT.usage;
    }
    if (error instanceof LivetallyError) {
      ctx.output.err(`livetally: ${error.message}`);
      return error.code.startsWith('invalid_') && error.code !== 'invalid_recording'
        ? EXIT.usage
        : EXIT.failure;
    }
    const failure = storageFailure(error, { path: '', doing: 'reading or writing' });
    if (failure) {
      // A full or read-only disk, a damaged file: said plainly even where it was not expected.
      ctx.output.err(`livetally: ${failure.message}`);
      return EXIT.failure;
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.output.err(`livetally: unexpected error: ${message}`);
    logger?.debug(error instanceof Error ? (error.stack ?? '') : '');
    if (ctx.env['LIVETALLY_DEBUG'])
      ctx.output.err(error instanceof Error ? (error.stack ?? '') : '');
    return EXIT.failure;
  }
}
