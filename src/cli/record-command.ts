import type { Command } from 'commander';
import path from 'node:path';
import { parseSaveInterval } from '../app/duration.js';
import { StreamTracker } from '../app/stream-tracker.js';
import { writerEvents } from '../app/writer-events.js';
import { normalizeStreamerHandle } from '../domain/streamer-handle.js';
import { stopControl, type CliContext, type CommandSetup } from './context.js';
import { formatStats, plural } from './output.js';
import { checkProfileExists } from './preflight.js';

interface RecordFlags {
  out: string;
  profile?: string;
  signApiKey?: string;
  saveInterval: string;
}

/** `livetally record STREAMER --out FILE`: count a real LIVE and keep a raw capture of it. */
export function registerRecordCommand(
  program: Command,
  ctx: CliContext,
  setup: (cmd: Command) => CommandSetup,
): void {
  program
    .command('record')
    .description('count a real TikTok LIVE and write a raw capture of it')
    .argument('<streamer>', 'TikTok handle (alice, @alice or the LIVE address)')
    .requiredOption('--out <file>', 'raw capture to write (never overwritten)')
    .option('--profile <name>', 'profile to count into (default: the active profile)')
    .option('--sign-api-key <key>', 'Euler Stream API key (env LIVETALLY_SIGN_API_KEY)')
    .option('--save-interval <duration>', 'save at most this often', '1s')
    .action(async (streamer: string, opts: RecordFlags, cmd: Command) => {
      const { logger, workspace } = setup(cmd);
      // Mistakes are refused before anything is created.
      const handle = normalizeStreamerHandle(streamer);
      const saveIntervalMs = parseSaveInterval(opts.saveInterval);
      checkProfileExists(workspace, opts.profile);
      const { createTikTokSource, RawCaptureWriter, tiktokSessionFromEnv } =
        await import('../sources/tiktok/index.js');
      // Checked now, created with the first line: a failed attempt leaves no file behind.
      const capture = RawCaptureWriter.open(path.resolve(opts.out), {
        onError: (message) => logger.error(message),
      });
      workspace.lockForWriting('livetally record');
      try {
        const profile = workspace.profileName(opts.profile);
        const opened = workspace.openForWriting(profile);
        const { store } = opened;
        const tracker = await StreamTracker.open(store, {
          writer: opened.writer('worker', writerEvents(logger)),
          saveIntervalMs,
          logger,
        });
        const source = createTikTokSource({
          streamer: handle,
          signApiKey: opts.signApiKey ?? ctx.env['LIVETALLY_SIGN_API_KEY'],
          session: tiktokSessionFromEnv(ctx.env),
          logger,
          capture,
        });
        source.onStatus = (status) => {
          // Failures, the connect and the end are logged by the source itself (or end the
          // command with their message): only the progress in between is said here.
          const progress = status.state === 'connecting' || status.state === 'reconnecting';
          if (progress && status.code === undefined && status.message) logger.info(status.message);
        };
        const stop = stopControl();
        stop.stopping.addEventListener('abort', () => source.stop(), { once: true });
        try {
          const end = await source.run(tracker);
          await tracker.close(end.reason === 'stopped' ? 'stopped' : 'disconnected', stop.giveUp);
          ctx.output.out(
            capture.created
              ? `Captured ${plural(capture.messages, 'message')} of @${handle} into ${opts.out}`
              : `Nothing captured (no LIVE of @${handle} was connected): ${opts.out} was not created`,
          );
          const saved = await store.loadCurrent();
          if (saved) ctx.output.out(formatStats(saved.stats));
        } finally {
          try {
            await tracker.close('stopped', stop.giveUp);
          } finally {
            stop.dispose();
          }
          await capture.close();
          store.close();
        }
      } finally {
        workspace.release();
      }
    });
}
