/**
 * The TikTok source: what the command line and the server need from it.
 *
 * - `createTikTokSource({streamer, signApiKey, session, logger, capture})`: the live source.
 * - `RawCaptureWriter.open(file)`: a raw capture to pass as `capture` (`livetally record`).
 * - `RawReplaySource`: plays a raw capture through the same adapter (`replay --raw`).
 */
import { TikTokSource, type TikTokSourceOptions } from './tiktok-source.js';

export type {
  ConnectionFactory,
  ConnectionOverrides,
  TikTokSessionCookie,
  TikTokSourceOptions,
} from './tiktok-source.js';
export { TikTokSource } from './tiktok-source.js';
export { RawCaptureWriter, type RawCaptureWriterOptions } from './raw-capture-writer.js';
export { RawReplaySource, type RawReplayOptions } from './raw-replay-source.js';
export type { RawCaptureTarget } from './raw-capture-target.js';
export { DEFAULT_SIGN_SERVER_URL } from './sign-server.js';
export { normalizeStreamerHandle } from '../../domain/streamer-handle.js';
export { SESSION_ENV, tiktokSessionFromEnv } from './session-cookie.js';

/** The live TikTok source for one streamer; throws `invalid_streamer` for a bad handle. */
export function createTikTokSource(options: TikTokSourceOptions): TikTokSource {
  return new TikTokSource(options);
}
