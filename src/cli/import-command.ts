import type { Command } from 'commander';
import path from 'node:path';
import { assertProfileName } from '../profiles/profile-name.js';
import type { CliContext, CommandSetup } from './context.js';
import { registerImportSqliteCommand } from './import-sqlite-command.js';
import { formatNumber } from './output.js';

interface ImportFlags {
  profile?: string;
  json?: boolean;
}

/** `livetally import ltth FILE`: history from PupCid's Little TikTool Helper. */
export function registerImportCommand(
  program: Command,
  ctx: CliContext,
  setup: (cmd: Command) => CommandSetup,
): void {
  const command = program
    .command('import')
    .description("bring another program's history into a profile");
  registerImportSqliteCommand(command, ctx, setup);
  command
    .command('ltth')
    .description(
      "a Little TikTool Helper profile database: its stream stats become a history entry, its viewers' totals all-time totals (the file is only read)",
    )
    .argument('<file>', "the helper's profile database (.db)")
    .option(
      '--profile <name>',
      'profile to import into (created if absent; default: the active one)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: ImportFlags, cmd: Command) => {
      const { workspace } = setup(cmd);
      if (opts.profile !== undefined) assertProfileName(opts.profile);
      const { applyLtthImport, prepareLtthImport } = await import('../app/ltth-import.js');
      const progress = ctx.interactive && !opts.json ? throttled(ctx) : undefined;
      // The file is read and checked before anything is created or locked.
      const prepared = await prepareLtthImport(path.resolve(file), progress);
      workspace.lockForWriting('livetally import');
      try {
        const requested = opts.profile;
        if (requested !== undefined && !workspace.profiles.find(requested)) {
          workspace.createProfile(requested);
        }
        const profile = workspace.profileName(requested);
        const { store } = workspace.openForWriting(profile);
        try {
          const report = await applyLtthImport(prepared, store.history);
          if (opts.json) {
            ctx.output.out(JSON.stringify({ profile, ...report }));
            return;
          }
          const when = new Date(report.importedAt).toLocaleString();
          if (!report.applied) {
            ctx.output.out(
              `${report.fileName} was already imported into profile "${profile}" (${when}); nothing changed.`,
            );
            return;
          }
          const entry = report.sessionId === null ? 'no history entry' : '1 history entry';
          ctx.output.out(
            `Imported ${report.fileName} into profile "${profile}": ${entry}, ` +
              `${plural(report.viewers, 'viewer')} (${formatNumber(report.viewersChanged)} new or changed).`,
          );
          const problems = [
            report.skippedRows > 0 &&
              `${plural(report.skippedRows, 'row')} without a user id skipped`,
            report.clampedValues > 0 &&
              `${plural(report.clampedValues, 'value')} that were not valid counts set to 0 or limited`,
            report.badTimestamps > 0 &&
              `${plural(report.badTimestamps, 'unreadable time')} left empty`,
            ...report.notes,
          ].filter((p): p is string => typeof p === 'string');
          for (const problem of problems) ctx.output.err(`note: ${problem}`);
        } finally {
          store.close();
        }
      } finally {
        workspace.release();
      }
    });
}

function plural(n: number, word: string): string {
  return `${formatNumber(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** Progress on stderr, at most a few lines a second. */
function throttled(ctx: CliContext): (message: string) => void {
  let last = 0;
  let lastMessage = '';
  return (message) => {
    const now = Date.now();
    if (message === lastMessage || (now - last < 250 && !message.endsWith('100%'))) return;
    last = now;
    lastMessage = message;
    ctx.output.err(message);
  };
}
