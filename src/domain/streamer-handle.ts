import { LivetallyError } from './errors.js';
import { LIMITS } from './limits.js';

const HANDLE = /^[A-Za-z0-9._]+$/;
const PROFILE_URL = /tiktok\.com\/@([^/?#\s]+)/i;

/**
 * The @handle a streamer typed, as TikTok spells it in URLs: "alice", "@alice" and
 * "https://www.tiktok.com/@alice/live" all mean "alice".
 */
export function normalizeStreamerHandle(input: string): string {
  const trimmed = input.trim();
  const fromUrl = PROFILE_URL.exec(trimmed)?.[1];
  const handle = (fromUrl ?? trimmed).replace(/^@/, '');
  if (handle.length === 0 || handle.length > LIMITS.handleLength || !HANDLE.test(handle)) {
    throw new LivetallyError(
      'invalid_streamer',
      `"${input.slice(0, 80)}" is not a TikTok handle: use the name from the LIVE's address, e.g. alice for tiktok.com/@alice`,
    );
  }
  return handle;
}
