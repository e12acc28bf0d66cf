import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import EulerStreamApiClient from 'tiktok-live-api-sdk';
import { silentLogger, type Logger } from '../../app/logger.js';
import { LivetallyError } from '../../domain/errors.js';
import { InvalidEvent } from '../../domain/events.js';
import { readLines } from '../replay/ndjson-lines.js';
import type { ReplayProgress, ReplaySummary } from '../replay/replay-source.js';
import type { Source, SourceSink } from '../source.js';
import { TikTokEventAdapter } from './event-adapter.js';
import { LiveSession } from './live-session.js';
import { parseRawLine } from './raw-capture-format.js';
import { ReplayPacer } from '../replay/replay-pacer.js';
import { WebcastConnection } from './webcast-connection.js';

export interface RawReplayOptions {
  file: string;
  /** 0 = as fast as possible, 1 = real time, 2 = twice as fast, … */
  speed: number;
  /** A line that does not parse, or whose payload does not decode: reported, then skipped. */
  onInvalid?: (line: number, error: string) => void;
  onProgress?: (progress: ReplayProgress) => void;
  logger?: Logger;
}

/**
 * Plays a raw capture through the same code as the live source: each message is decoded
 * by tiktok-live-connector's own decoder and dispatched by its own connection class (no
 * network), and the resulting library events go through the same listeners and adapter.
 * So a capture gives exactly the numbers the live connection gave.
 */
export class RawReplaySource implements Source {
  private stopped = false;
  private readonly pacer: ReplayPacer;
  private readonly logger: Logger;

  constructor(private readonly options: RawReplayOptions) {
    if (!Number.isFinite(options.speed) || options.speed < 0) {
      throw new LivetallyError(
        'invalid_speed',
        'speed must be a number ≥ 0 (0 = as fast as possible)',
      );
    }
    this.pacer = new ReplayPacer(options.speed);
    this.logger = options.logger ?? silentLogger;
  }

  /** The capture's clock. */
  get now(): () => number {
    return this.pacer.now;
  }

  stop(): void {
    this.stopped = true;
    this.pacer.interrupt();
  }

  async run(sink: SourceSink): Promise<ReplaySummary> {
    const { file, onInvalid, onProgress } = this.options;
    const totalBytes = statSize(file);
    const summary: ReplaySummary = { reason: 'finished', lines: 0, events: 0, invalid: 0 };
    let connection: WebcastConnection | undefined;
    let session: LiveSession | undefined;
    let bytesRead = 0;
    let lastProgress = performance.now();
    try {
      for await (const { texts, numbers } of readLines(file, (n) => (bytesRead = n))) {
        for (let i = 0; i < texts.length; i++) {
          if (this.stopped) return { ...summary, reason: 'stopped' };
          const lineNumber = numbers[i]!;
          summary.lines = lineNumber;
          const line = parseRawLine(texts[i]!);
          if (line instanceof InvalidEvent) {
            if (!session) throw badHeader(file, lineNumber, line.error);
            summary.invalid++;
            onInvalid?.(lineNumber, line.error);
            continue;
          }
          if (line.kind === 'connected') {
            const { event } = line;
            this.pacer.start(event.at);
            await this.pacer.reach(event.at);
            if (this.stopped) return { ...summary, reason: 'stopped' };
            if (!connection || !session) {
              connection = replayConnection(event.streamer);
              session = new LiveSession(connection, {
                adapter: new TikTokEventAdapter({ now: this.pacer.now, logger: this.logger }),
                logger: this.logger,
                now: this.pacer.now,
                secrets: [],
              });
            }
            await sink.connected(event, this.pacer.now);
            session.release((e) => sink.event(e));
            summary.events++;
            continue;
          }
          if (!connection) {
            throw badHeader(file, lineNumber, 'a raw capture starts with a "connected" line');
          }
          await this.pacer.reach(line.at);
          if (this.stopped) return { ...summary, reason: 'stopped' };
          const outcome = await connection.replayMessage(line.method, line.payload);
          if (outcome.kind === 'undecodable') {
            summary.invalid++;
            onInvalid?.(lineNumber, outcome.error);
          } else if (outcome.kind === 'unknown') {
            this.logger.debug(
              `line ${lineNumber}: ${line.method} is unknown to tiktok-live-connector; skipped`,
            );
          } else {
            summary.events++;
          }
        }
        if (onProgress && performance.now() - lastProgress >= 1000) {
          lastProgress = performance.now();
          onProgress({ bytesRead, totalBytes, events: summary.events, invalid: summary.invalid });
        }
        // Let timers (periodic saves, pushes) run between chunks even at full speed.
        await yieldToLoop();
      }
    } finally {
      session?.dispose();
    }
    if (!session) throw badHeader(file, 1, 'the capture is empty');
    onProgress?.({
      bytesRead: totalBytes,
      totalBytes,
      events: summary.events,
      invalid: summary.invalid,
    });
    return summary;
  }
}

/** The library's connection class, never connected: only its decoding and dispatch run. */
function replayConnection(streamer: string): WebcastConnection {
  return new WebcastConnection(streamer, {
    // An idle client of our own, so the library does not create its global one.
    eulerApiInstance: new EulerStreamApiClient(),
    processInitialData: true,
    fetchRoomInfoOnConnect: false,
    enableExtendedGiftInfo: false,
  });
}

function statSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    throw new LivetallyError(
      'recording_not_found',
      `cannot read capture ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

function badHeader(file: string, line: number, error: string): LivetallyError {
  return new LivetallyError(
    'invalid_recording',
    `${path.basename(file)} line ${line}: ${error} (a raw capture starts with {"type":"connected",…})`,
  );
}
