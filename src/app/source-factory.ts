import fs from 'node:fs';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';
import { DemoSource } from '../sources/replay/demo-source.js';
import { ReplaySource } from '../sources/replay/replay-source.js';
import { isRawCapture } from '../sources/tiktok/raw-capture-sniff.js';
import type { Source } from '../sources/source.js';
import type { ConnectionView } from '../shared/api-types.js';
import type { Logger } from './logger.js';

export type SourceKind = NonNullable<ConnectionView['source']>;

export interface SourceChoice {
  source: Source;
  kind: SourceKind;
}

/** Makes the source for a streamer; rejects with a LivetallyError when there is none to make. */
export type SourceFactory = (streamer: string) => Promise<SourceChoice>;

export interface SourceFactoryOptions {
  /** Streamer X plays DIR/X.ndjson (a recording, or a raw capture through the TikTok adapter). */
  replayDir?: string;
  /** The demo streamer plays the bundled recording in a loop. */
  demo?: { file: string; streamer: string };
  /** Replay speed (0 = as fast as possible). */
  speed: number;
  /** The real TikTok source, when available. */
  tiktok?: (streamer: string) => Promise<Source>;
  logger: Logger;
}

export function createSourceFactory(options: SourceFactoryOptions): SourceFactory {
  const { logger } = options;
  const onInvalid = (line: number, error: string) =>
    logger.warn(`recording line ${line} skipped: ${error}`);
  return async (streamer) => {
    if (options.demo && streamer.toLowerCase() === options.demo.streamer.toLowerCase()) {
      const speed = options.speed === 0 ? 1 : options.speed;
      return {
        kind: 'demo',
        source: new DemoSource({ file: options.demo.file, speed, onInvalid }),
      };
    }
    if (options.replayDir) {
      const file = path.join(options.replayDir, `${streamer}.ndjson`);
      if (!fs.existsSync(file)) {
        throw new LivetallyError(
          'unknown_streamer',
          `no recording for @${streamer}: expected ${file}`,
        );
      }
      if (await isRawCapture(file)) {
        // tiktok-live-connector is large: it loads only when a capture plays.
        const { RawReplaySource } = await import('../sources/tiktok/raw-replay-source.js');
        return {
          kind: 'replay',
          source: new RawReplaySource({ file, speed: options.speed, onInvalid, logger }),
        };
      }
      return {
        kind: 'replay',
        source: new ReplaySource({ file, speed: options.speed, onInvalid }),
      };
    }
    if (options.tiktok) return { kind: 'tiktok', source: await options.tiktok(streamer) };
    throw new LivetallyError('no_source', 'this livetally cannot connect to TikTok');
  };
}
