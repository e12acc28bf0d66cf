import type { StreamStats } from '../domain/stats.js';
import { ReplaySource, type ReplayProgress } from '../sources/replay/replay-source.js';
import type { Logger } from './logger.js';
import type { WritableProfile } from './profile-space.js';
import { writerEvents } from './writer-events.js';
import { StreamTracker, type BroadcastInfo } from './stream-tracker.js';

export interface RunReplayOptions {
  /** The profile to count into, open for writing (the caller closes it). */
  profile: WritableProfile;
  file: string;
  speed: number;
  saveIntervalMs: number;
  logger: Logger;
  onProgress?: (progress: ReplayProgress) => void;
  /** Stops the replay early (Ctrl+C); the final save still happens. */
  signal?: AbortSignal;
  /**
   * While saving fails the final save is retried until this aborts; then the replay ends
   * with an `unsaved_stats` error saying what is not in the file.
   */
  giveUp?: AbortSignal;
  /** How many bad lines are reported one by one before only counting them. */
  maxReportedInvalid?: number;
  /** The file is a raw TikTok capture, played through the TikTok adapter. */
  raw?: boolean;
}

export interface ReplayResult {
  broadcast: BroadcastInfo | undefined;
  events: number;
  invalid: number;
  stopped: boolean;
  durationMs: number;
  /** The counters as saved at the end. */
  stats: StreamStats;
}

/**
 * `livetally replay` without a server: connect to the recording's streamer, feed the file,
 * disconnect with a final save. Saves run on a worker thread so counting never waits.
 */
export async function runReplay(options: RunReplayOptions): Promise<ReplayResult> {
  const { profile, logger, maxReportedInvalid = 20 } = options;
  const { store } = profile;
  const writer = profile.writer('worker', writerEvents(logger));
  let tracker: StreamTracker;
  try {
    tracker = await StreamTracker.open(store, {
      writer,
      saveIntervalMs: options.saveIntervalMs,
      logger,
    });
  } catch (error) {
    await writer.close().catch(() => undefined);
    throw error;
  }
  let reported = 0;
  const sourceOptions = {
    file: options.file,
    speed: options.speed,
    onProgress: options.onProgress,
    onInvalid: (line: number, error: string) => {
      if (++reported <= maxReportedInvalid) logger.warn(`line ${line} skipped: ${error}`);
    },
  };
  const source = options.raw
    ? // tiktok-live-connector is large: only raw captures need it.
      new (await import('../sources/tiktok/raw-replay-source.js')).RawReplaySource({
        ...sourceOptions,
        logger,
      })
    : new ReplaySource(sourceOptions);
  let broadcast: BroadcastInfo | undefined;
  tracker.on('broadcast', (info) => (broadcast = info ?? broadcast));
  const stop = () => source.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const started = performance.now();
  try {
    const summary = await source.run(tracker);
    if (summary.invalid > maxReportedInvalid) {
      logger.warn(`${summary.invalid - maxReportedInvalid} more bad lines skipped`);
    }
    if (!tracker.storage.ok) {
      logger.warn(
        summary.reason === 'stopped'
          ? 'stopping, but the stats are not saved yet: trying a few seconds more (Ctrl+C again gives up)'
          : 'the replay is done but its stats are not saved yet: waiting for the disk (Ctrl+C gives up)',
      );
    }
    await tracker.close(summary.reason === 'stopped' ? 'stopped' : 'disconnected', options.giveUp);
    return {
      broadcast,
      events: summary.events,
      invalid: summary.invalid,
      stopped: summary.reason === 'stopped',
      durationMs: performance.now() - started,
      stats: (await store.loadCurrent())?.stats ?? tracker.stats,
    };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await tracker.close('stopped', options.giveUp);
  }
}
