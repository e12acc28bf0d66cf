/**
 * What the HTTP API and the realtime channel send, shared by the server and the pages.
 * Types only: this file compiles to nothing and is safe to import from the browser.
 */

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

export interface StatsValues {
  viewers: number;
  likes: number;
  totalCoins: number;
  followers: number;
  shares: number;
  gifts: number;
}

export interface ConnectionView {
  state: ConnectionState;
  streamer: string | null;
  roomId: string | null;
  /** The last failure, in words a streamer can act on; null once things work again. */
  error: { code: string; message: string } | null;
  /** When reconnecting: milliseconds until the next attempt. */
  retryInMs: number | null;
  /** What is playing: `tiktok`, `replay` or `demo`; null when disconnected. */
  source: 'tiktok' | 'replay' | 'demo' | null;
  /** How the last connection ended, until the next one starts. */
  lastEnd: ConnectionEnd | null;
}

export interface ConnectionEnd {
  /** `ended`: the LIVE ended; `disconnected`: asked for, or the recording ran out; `stopped`:
   * livetally stopped; `failed`: an error (see `error`). */
  reason: 'ended' | 'disconnected' | 'stopped' | 'failed';
  streamer: string;
  at: number;
}

export interface BroadcastView {
  sessionId: number;
  startedAt: number;
  /** How long the broadcast has run, by the source's clock (a replay's own time). */
  elapsedMs: number;
  resumed: boolean;
}

/** `stats` on the realtime channel; GET /api/stats adds `saved`. */
export interface StatsView {
  profile: string;
  connection: ConnectionView;
  stats: StatsValues;
  peakViewers: number;
  broadcast: BroadcastView | null;
  /** Whether what is counted reaches the profile's file (a full disk, a damaged file). */
  storage: StorageView;
}

export interface StorageView {
  ok: boolean;
  /** Why saving fails, in words a streamer can act on; null while saves work. */
  error: { code: string; message: string } | null;
  /** While saving fails: epoch ms up to which the file holds the counts; null otherwise. */
  unsavedSince: number | null;
}

export interface SavedView {
  streamer: string | null;
  roomId: string | null;
  updatedAt: string | null;
  /** `updatedAt` in whole milliseconds since 1970. */
  updatedAtMs: number | null;
  stats: StatsValues;
}

export interface StatsResponse extends StatsView {
  saved: SavedView | null;
}

export interface ProfileView {
  name: string;
  active: boolean;
  sizeBytes: number;
  modifiedAt: string;
  modifiedAtMs: number;
}

export interface ProfilesResponse {
  active: string;
  profiles: ProfileView[];
}

export interface ViewerTotalsView {
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

export type LeaderboardMetricName = 'coins' | 'gifts' | 'likes' | 'comments' | 'shares';
export type LeaderboardWindow = 'session' | 'day' | 'week' | 'month' | 'all';

/** GET /api/leaderboard */
export interface LeaderboardResponse {
  /** The broadcast a `session` board is about; null for the other windows. */
  sessionId: number | null;
  metric: LeaderboardMetricName;
  window: LeaderboardWindow;
  /** For day/week/month: the zone and the period's first day and instants `[start, end)`. */
  period: { tz: string; from: string; start: number; end: number } | null;
  viewers: ViewerTotalsView[];
}

/** GET /api/summary */
export interface SummaryResponse {
  period: 'day' | 'week' | 'month';
  tz: string;
  buckets: SummaryBucketView[];
}

export interface SummaryBucketView {
  /** The local date the bucket starts on (a Monday for weeks, the 1st for months). */
  start: string;
  sessions: number;
  liveMs: number;
  peakViewers: number;
  likes: number;
  totalCoins: number;
  followers: number;
  shares: number;
  gifts: number;
  gifters: number;
}

/** GET /api/viewers/:userId */
export interface ViewerResponse extends ViewerTotalsView {
  sessions: number;
  giftSessions: number;
  imported: boolean;
  recentGifts: {
    sessionId: number;
    streamer: string;
    startedAt: number;
    coins: number;
    gifts: number;
  }[];
}

export interface SessionView {
  id: number;
  streamer: string;
  streamerId: string;
  roomId: string;
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
  stats: StatsValues;
  peakViewers: number;
  updatedAt: number;
}

/** GET /api/sessions/:id/recap */
export interface RecapResponse {
  session: SessionView;
  durationMs: number;
  previous: SessionView | null;
  difference: (StatsValues & { peakViewers: number; durationMs: number }) | null;
  topGifters: ViewerTotalsView[];
  gifters: number;
  newGifters: number;
  /** Who the new gifters are (their numbers in this broadcast), most coins first; at most 50. */
  firstTimeGifters: ViewerTotalsView[];
  bestMinute: { start: number; coins: number } | null;
}

/** GET /api/sessions/:id/gifts */
export interface GiftBreakdownResponse {
  sessionId: number;
  gifts: { giftId: string; giftName: string; diamonds: number; count: number; coins: number }[];
}

export interface ViewerUser {
  id: string;
  handle: string;
  nickname: string;
}

/** `activity` on the realtime channel: what overlays announce. */
export type ActivityView = (
  | {
      kind: 'gift';
      at: number;
      user: ViewerUser;
      giftId: string;
      giftName: string;
      diamonds: number;
      count: number;
      coins: number;
    }
  | { kind: 'follow'; at: number; user: ViewerUser }
  | { kind: 'share'; at: number; user: ViewerUser }
) & {
  /** Sent by the dashboard's test buttons (POST /api/test-alert): never counted nor kept. */
  test?: true;
};

export type GoalMetricName = 'likes' | 'totalCoins' | 'followers' | 'shares' | 'gifts';

/** A goal and where it stands (DESIGN.md "Goals"). */
export interface GoalView {
  id: string;
  metric: GoalMetricName;
  label: string;
  target: number;
  onReach: 'stay' | 'add' | 'double';
  step: number | null;
  current: number;
  next: number;
  reached: boolean;
}

/** GET /api/goals */
export interface GoalsResponse {
  goals: GoalView[];
}

/** `goals` on the realtime channel: the active profile's goals, when a value changes. */
export interface GoalsPush {
  profile: string;
  goals: GoalView[];
  /** A test from the dashboard: made-up progress, shown for a moment, never kept. */
  test?: true;
}

export type TestAlertKind = 'follow' | 'share' | 'gift' | 'goal';

/** `profile` on the realtime channel, after a switch (a `stats` follows at once). */
export interface ProfileChange {
  active: string;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Event names of the realtime channel (socket.io), server → pages. */
export const REALTIME = {
  stats: 'stats',
  connection: 'connection',
  profile: 'profile',
  activity: 'activity',
  goals: 'goals',
} as const;

export interface ServerToClientEvents {
  stats: (view: StatsView) => void;
  connection: (view: ConnectionView) => void;
  profile: (change: ProfileChange) => void;
  activity: (activity: ActivityView) => void;
  goals: (push: GoalsPush) => void;
}

// Pages only listen; nothing is sent to the server over the socket.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}

/** The six counters' keys, as `data-stat` attributes carry them. */
export const STAT_NAMES = [
  'viewers',
  'likes',
  'totalCoins',
  'followers',
  'shares',
  'gifts',
] as const;

/** GET /api/profiles/roster: every profile at a glance (several LIVEs at once). */
export interface RosterResponse {
  tz: string;
  /** Today in `tz`, YYYY-MM-DD. */
  day: string;
  profiles: RosterEntry[];
}

export interface RosterEntry {
  name: string;
  active: boolean;
  connection: ConnectionView;
  stats: StatsValues;
  /** Coins of the LIVEs that started today (in `tz`), as `/api/summary?period=day` sums them. */
  todayCoins: number;
}
