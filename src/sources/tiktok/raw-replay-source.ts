import diagnostics from 'node:diagnostics_channel';
import EulerStreamApiClient from 'tiktok-live-api-sdk';
import { silentLogger, type Logger } from '../../app/logger.js';
import { LivetallyError } from '../../domain/errors.js';
import { InvalidEvent } from '../../domain/events.js';
import {
  badStart,
  playLines,
  type ReplayProgress,
  type ReplaySummary,
} from '../replay/line-playback.js';
import type { Source, SourceSink } from '../source.js';
import { TikTokEventAdapter } from './event-adapter.js';
import { LiveSession } from './live-session.js';
import { PayloadBuffer, parseRawLine } from './raw-capture-format.js';
import { ReplayPacer } from '../replay/replay-pacer.js';
import { WebcastConnection } from './webcast-connection.js';

/**
 * Published as each captured message is handed to the connection, with `{line}` (its line
 * in the capture): how `npm run bench` measures how long an alert takes to reach the
 * overlays. Costs one check per message while nobody listens.
 */
export const HAND_OFF_CHANNEL = 'livetally:raw-replay:hand-off';
const handOff = diagnostics.channel(HAND_OFF_CHANNEL);

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
    const { file, onInvalid } = this.options;
    const summary: ReplaySummary = { reason: 'finished', lines: 0, events: 0, invalid: 0 };
    let connection: WebcastConnection | undefined;
    let session: LiveSession | undefined;
    // Each message is decoded and dispatched before the next line is read.
    const payloads = new PayloadBuffer();
    try {
      const result = await playLines(
        {
          file,
          what: 'capture',
          onProgress: this.options.onProgress,
          isStopped: () => this.stopped,
        },
        summary,
        async (text, lineNumber) => {
          const line = parseRawLine(text, payloads);
          if (line instanceof InvalidEvent) {
            if (!session) throw badStart(file, lineNumber, line.error, 'raw capture');
            summary.invalid++;
            onInvalid?.(lineNumber, line.error);
            return;
          }
          if (line.kind === 'connected') {
            const { event } = line;
            this.pacer.start(event.at);
            await this.pacer.reach(event.at);
            if (this.stopped) return;
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
            return;
          }
          if (!connection) {
            const error = 'a raw capture starts with a "connected" line';
            throw badStart(file, lineNumber, error, 'raw capture');
          }
          await this.pacer.reach(line.at);
          if (this.stopped) return;
          if (handOff.hasSubscribers) handOff.publish({ line: lineNumber });
          const outcome = await connection.replayMessage(line.method, line.payload);
          if (outcome.kind === 'undecodable') {
            summary.invalid++;
            onInvalid?.(lineNumber, outcome.error);
          } else if (outcome.kind === 'skipped') {
            // A message livetally does not use (ranks, banners, …): not even decoded.
          } else if (outcome.kind === 'unknown') {
            this.logger.debug(
              `line ${lineNumber}: ${line.method} is unknown to tiktok-live-connector; skipped`,
            );
          } else {
            summary.events++;
          }
        },
      );
      if (!session && result.reason !== 'stopped') {
        throw badStart(file, 1, 'the capture is empty', 'raw capture');
      }
      return result;
    } finally {
      session?.dispose();
    }
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
