import type { StreakRecord } from './gift-streaks.js';
import type { StreamStats } from './stats.js';

/** The saved current stats and which broadcast they belong to. */
export interface SavedCurrent {
  stats: StreamStats;
  peakViewers: number;
  streamer: string | null;
  streamerId: string | null;
  roomId: string | null;
  /** The history entry these stats are being counted into; null after a reset. */
  sessionId: number | null;
  /** ISO 8601, or null when the row was never written with a time. */
  updatedAt: string | null;
  /** The same time in whole milliseconds since 1970. */
  updatedAtMs: number | null;
}

/** Identifies the broadcast the current stats are counted for. */
export interface BroadcastLink {
  sessionId: number;
  streamer: string;
  streamerId: string;
  roomId: string;
}

/**
 * Why a history entry ended (`sessions.end_reason`). An entry that ended `stopped` or
 * `interrupted` belongs to a broadcast livetally meant to go on counting; the others were
 * ended on purpose, by TikTok, or by a reset.
 */
export type EndReason =
  /** The LIVE ended (TikTok said so, or a recording's streamEnd), or another broadcast began. */
  | 'ended'
  /** TikTok ended the LIVE by suspending it. */
  | 'suspended'
  /** Disconnected on request, the recording ran out, or the connection gave up. */
  | 'disconnected'
  /** livetally was stopped (Ctrl+C, SIGTERM, SIGHUP) while counting; everything was saved. */
  | 'stopped'
  /** livetally died while counting (SIGKILL, crash, power loss): closed at its last save. */
  | 'interrupted'
  /** An explicit reset ended this entry; the broadcast went on in the next one. */
  | 'reset'
  /** The numbers of a file written before history existed. */
  | 'imported';

/** The end reason for a LIVE that ended, from the `streamEnd` event's reason. */
export function liveEndReason(reason: string): EndReason {
  return reason === 'suspended' ? 'suspended' : 'ended';
}

export interface SessionRecord {
  id: number;
  streamer: string;
  streamerId: string;
  roomId: string;
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
  stats: StreamStats;
  peakViewers: number;
  updatedAt: number;
}

export interface SessionPoint extends StreamStats {
  t: number;
}

export interface ViewerTotals {
  userId: string;
  handle: string;
  nickname: string;
  coins: number;
  gifts: number;
  likes: number;
  comments: number;
  shares: number;
  follows: number;
  firstSeen: number;
  lastSeen: number;
}

export const LEADERBOARD_METRICS = ['coins', 'gifts', 'likes', 'comments', 'shares'] as const;
export type LeaderboardMetric = (typeof LEADERBOARD_METRICS)[number];

/** What the de-duplication, follower and reset rules remember about one broadcast (room). */
export interface RoomMemory {
  followers: string[];
  streaks: StreakRecord[];
  /** Ids an older livetally kept (its last 20,000): counted, not yet saved as keys. */
  legacyMessageIds: string[];
  likeBase: number;
  roomTotalMax: number;
  viewersAt: number | null;
}
