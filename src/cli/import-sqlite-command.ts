import type { Command } from 'commander';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';
import { assertProfileName, isValidProfileName } from '../profiles/profile-name.js';
import type { CliContext, CommandSetup } from './context.js';
import { formatNumber, plural } from './output.js';

interface ImportSqliteFlags {
  profile?: string;
  database?: string;
  json?: boolean;
}

/**
 * `livetally import sqlite FILE --profile NAME --database URL`: moves a profile file into
 * the hosted mode's PostgreSQL database. The file is only read; the data directory is not
 * used (no lock: the file may belong to a livetally that is running).
 */
export function registerImportSqliteCommand(
  importCommand: Command,
  ctx: CliContext,
  setup: (cmd: Command) => CommandSetup,
): void {
  importCommand
    .command('sqlite')
    .description(
      'a livetally profile file (.db): everything in it — current stats, history, viewer totals, goals — into a profile of a PostgreSQL database (the file is only read)',
    )
    .argument('<file>', 'the profile file, e.g. user_configs/alice.db in the data directory')
    .option(
      '--profile <name>',
      "profile to import into; must not exist or be empty (default: the file's name)",
    )
    .option('--database <url>', 'the PostgreSQL database (env LIVETALLY_DATABASE_URL)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: ImportSqliteFlags, cmd: Command) => {
      setup(cmd);
      const { maskDatabaseUrl, parseDatabaseUrl } = await import('../app/database-url.js');
      const url = databaseUrl(opts, ctx.env, parseDatabaseUrl);
      const profile = opts.profile ?? defaultProfile(file);
      assertProfileName(profile);
      const source = path.resolve(file);
      const label = path.basename(source);

      const { openDatabase } = await import('../storage/open-database.js');
      let older = false;
      const db = openDatabase(source, {
        readonly: true,
        onNotice: () => (older = true), // said once the import went through
      });
      try {
        const { migratePg, openPgPool } = await import('../storage/pg/pg-database.js');
        const { importSqliteProfile } = await import('../storage/pg/pg-import.js');
        const pool = openPgPool(url, { applicationName: 'livetally import', max: 1 });
        try {
          await migratePg(pool);
          const progress = opts.json ? undefined : throttled(ctx, ctx.interactive ? 500 : 5000);
          const started = performance.now();
          const report = await importSqliteProfile(pool, db, profile, {
            ...(progress
              ? {
                  onProgress: (p) =>
                    progress(
                      `copying ${label}: ${formatNumber(p.rows)} of ${formatNumber(p.totalRows)} rows (${Math.floor((100 * p.rows) / Math.max(1, p.totalRows))}%)`,
                    ),
                }
              : {}),
          });
          const seconds = (performance.now() - started) / 1000;
          if (opts.json) {
            ctx.output.out(
              JSON.stringify({
                file: label,
                database: maskDatabaseUrl(url),
                olderFormat: older,
                seconds,
                ...report,
              }),
            );
            return;
          }
          const rows = report.rows;
          const parts = [
            plural(rows['sessions'] ?? 0, 'history entry', 'history entries'),
            plural(rows['viewer_totals'] ?? 0, 'viewer'),
            plural(rows['goals'] ?? 0, 'goal'),
            plural(rows['room_message_keys'] ?? 0, 'message key'),
          ];
          ctx.output.out(
            `Imported ${label} into profile "${report.profile}" of ${maskDatabaseUrl(url)}` +
              `${report.created ? '' : ' (it existed, empty)'}: ${parts.join(', ')} ` +
              `(${seconds.toFixed(1)} s).`,
          );
          if (older) {
            ctx.output.err(
              `note: ${label} is in an older format: it was imported as livetally upgrades it (the file itself is unchanged)`,
            );
          }
          if (report.orphans > 0) {
            ctx.output.err(
              `note: ${plural(report.orphans, 'row')} of history entries no longer in the file left out`,
            );
          }
        } finally {
          await pool.end();
        }
      } finally {
        db.close();
      }
    });
}

function databaseUrl(
  opts: ImportSqliteFlags,
  env: NodeJS.ProcessEnv,
  parse: (text: string, source?: string) => string,
): string {
  if (opts.database !== undefined) return parse(opts.database, '--database');
  const fromEnv = env['LIVETALLY_DATABASE_URL'];
  if (fromEnv) return parse(fromEnv, 'LIVETALLY_DATABASE_URL');
  throw new LivetallyError(
    'invalid_database_url',
    'say which database to import into: --database postgres://USER:PASSWORD@HOST:5432/DATABASE (or LIVETALLY_DATABASE_URL)',
  );
}

/** The profile a file `alice.db` was: `alice`, when that is a valid name. */
function defaultProfile(file: string): string {
  const name = path.basename(file).replace(/\.db$/i, '');
  if (isValidProfileName(name)) return name;
  throw new LivetallyError(
    'invalid_profile_name',
    `say which profile to import ${path.basename(file)} into: --profile NAME`,
  );
}

/** Progress on stderr: at most one line per `everyMs` (a big file takes minutes). */
function throttled(ctx: CliContext, everyMs: number): (message: string) => void {
  let last = Date.now();
  return (message) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    ctx.output.err(message);
  };
}
