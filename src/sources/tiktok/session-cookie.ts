import type { TikTokSessionCookie } from './tiktok-source.js';

/** Where the command line and the server read a TikTok login from (never from flags: `ps`). */
export const SESSION_ENV = {
  sessionId: 'LIVETALLY_TIKTOK_SESSION_ID',
  ttTargetIdc: 'LIVETALLY_TIKTOK_TARGET_IDC',
} as const;

/** The TikTok login from the environment, when both cookies are set. */
export function tiktokSessionFromEnv(env: NodeJS.ProcessEnv): TikTokSessionCookie | undefined {
  const sessionId = env[SESSION_ENV.sessionId]?.trim();
  const ttTargetIdc = env[SESSION_ENV.ttTargetIdc]?.trim();
  return sessionId && ttTargetIdc ? { sessionId, ttTargetIdc } : undefined;
}
