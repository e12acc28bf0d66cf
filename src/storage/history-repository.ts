import type { Period } from '../domain/calendar.js';
import type { LeaderboardMetric, SessionRecord, ViewerTotals } from '../domain/history.js';
import type { StreamStats } from '../domain/stats.js';

/**
 * The questions livetally answers about a profile's past, for any storage engine. Methods
 * speak domain types and return promises: the SQLite engine answers at once, a server
 * database over the network will not. Whatever SQL answers them lives in the engine's own
 * files (sqlite-history.ts for SQLite).
 */
export interface HistoryRepository {
  /** Entries grouped into calendar buckets of a zone, oldest bucket first; empty ones left out. */
  summary(query: SummaryQuery): Promise<SummaryBucket[]>;
  /** Top viewers by one metric; ties by user id ascending; viewers with 0 left out. */
  leaderboard(query: LeaderboardQuery): Promise<ViewerTotals[]>;
  /** One viewer over everything the profile holds (imports included), or null if unknown. */
  viewer(userId: string): Promise<ViewerHistory | null>;
  /** Every viewer's all-time totals (for exports), most coins first, then by user id. */
  allViewers(): Promise<ViewerAllTime[]>;
  /** An entry, how it compares with the streamer's entry before it, and its gifters. */
  recap(sessionId: number): Promise<SessionRecap | null>;
  /** Items and coins per gift type in one entry, most coins first; null for no such entry. */
  giftBreakdown(sessionId: number): Promise<GiftTotals[] | null>;
  /** Brings another program's history in; the same rows again change nothing. */
  importHistory(batch: HistoryImport): Promise<ImportOutcome>;
}

export interface SummaryQuery {
  period: Period;
  zone: string;
  /** Entries that started in `[start, end)`; ±Infinity for no bound. */
  start: number;
  end: number;
}

export interface SummaryBucket {
  /** Local date (YYYY-MM-DD) the bucket starts on. */
  start: string;
  sessions: number;
  liveMs: number;
  peakViewers: number;
  likes: number;
  totalCoins: number;
  followers: number;
  shares: number;
  gifts: number;
  /** Distinct viewers who sent a gift in the bucket's entries. */
  gifters: number;
}

/** Which entries a leaderboard sums over. */
export type LeaderboardScope =
  | { kind: 'session'; sessionId: number }
  /** Entries that started in `[start, end)`. */
  | { kind: 'range'; start: number; end: number }
  /** Everything the profile holds, imports included. */
  | { kind: 'all' };

export interface LeaderboardQuery {
  metric: LeaderboardMetric;
  scope: LeaderboardScope;
  limit: number;
}

export interface ViewerAllTime extends ViewerTotals {
  /** History entries the viewer appears in. */
  sessions: number;
}

export interface ViewerHistory extends ViewerTotals {
  /** History entries the viewer appears in (imported totals are in no entry). */
  sessions: number;
  /** Entries the viewer sent a gift in. */
  giftSessions: number;
  /** Part of the totals came from an import. */
  imported: boolean;
  /** The latest entries the viewer sent gifts in, newest first. */
  recentGifts: ViewerSessionGifts[];
}

export interface ViewerSessionGifts {
  sessionId: number;
  streamer: string;
  startedAt: number;
  coins: number;
  gifts: number;
}

export interface CounterDifference extends StreamStats {
  peakViewers: number;
  durationMs: number;
}

export interface BestMinute {
  /** Start of the minute (epoch ms). */
  start: number;
  coins: number;
}

export interface SessionRecap {
  session: SessionRecord;
  durationMs: number;
  /** The same streamer's entry before this one. */
  previous: SessionRecord | null;
  /** This entry minus the previous one, counter by counter; null without a previous one. */
  difference: CounterDifference | null;
  topGifters: ViewerTotals[];
  gifters: number;
  newGifters: number;
  /** Who the new gifters are (their numbers in this entry), most coins first; at most 50. */
  firstTimeGifters: ViewerTotals[];
  bestMinute: BestMinute | null;
}

export interface GiftTotals {
  giftId: string;
  giftName: string;
  diamonds: number;
  count: number;
  coins: number;
}

/** One viewer's totals as another program kept them, for one of its streamers. */
export interface ImportedViewer {
  userId: string;
  /** The other program's key for whose LIVEs these were; rows are summed over it. */
  streamerKey: string;
  handle: string;
  nickname: string;
  coins: number;
  gifts: number;
  likes: number;
  comments: number;
  shares: number;
  follows: number;
  firstSeen: number | null;
  lastSeen: number | null;
  /** Our best estimate of the first gift (null: unknown, treated as "long ago"). */
  firstGiftAt: number | null;
}

export interface ImportedEntry {
  /** Identifies the entry in its source: importing it again updates it instead of adding. */
  key: string;
  streamer: string;
  at: number;
  stats: StreamStats;
}

export interface HistoryImport {
  /** `ltth` (PupCid's Little TikTool Helper). */
  source: string;
  fileName: string;
  /** Hash of the source's content: the same content twice is recognised and skipped. */
  contentHash: string;
  entry: ImportedEntry | null;
  viewers: ImportedViewer[];
  /** Told after every few thousand viewers, for progress on big files. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportOutcome {
  /** False when this very content was imported before (nothing changed). */
  applied: boolean;
  /** When the content was first imported. */
  importedAt: number;
  sessionId: number | null;
  /** Viewers whose totals are new or changed. */
  viewersChanged: number;
}
