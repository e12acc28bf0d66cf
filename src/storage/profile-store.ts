import type { TallyChanges } from '../domain/broadcast-tally.js';
import { VIEWER_FIELDS, type ViewerBatch } from '../domain/viewer-ledger.js';
import { isGiftEvent } from '../domain/events.js';
import { MESSAGE_WINDOW_CAPACITY } from '../domain/message-window.js';
import type { StreakRecord } from '../domain/gift-streaks.js';
import type {
  BroadcastLink,
  LeaderboardMetric,
  RoomMemory,
  SavedCurrent,
  SessionPoint,
  SessionRecord,
  ViewerTotals,
} from '../domain/history.js';
import { sanitizeCounter, type StreamStats } from '../domain/stats.js';
import type { GoalRepository } from './goal-repository.js';
import { SqliteGoalRepository } from './sqlite-goal-repository.js';
import {
  openDatabase,
  type OpenDatabaseOptions,
  type SqliteDatabase,
  type SqliteStatement,
} from './open-database.js';
import type {
  RoomMessageIdsRow,
  RoomGiftStreakRow,
  SessionRow,
  SessionSampleRow,
  SessionViewerRow,
  StreamStatsRow,
} from './rows.js';

export interface ProfileStoreOptions extends OpenDatabaseOptions {
  /** How many recent message ids are kept per broadcast for de-duplication. */
  messageIdCapacity?: number;
}

export interface NewSession {
  streamer: string;
  streamerId: string;
  roomId: string;
  startedAt: number;
}

const LEADERBOARD_ORDER: Record<LeaderboardMetric, string> = {
  coins: 'coins DESC, gifts DESC',
  likes: 'likes DESC',
  comments: 'comments DESC',
  shares: 'shares DESC',
};

/**
 * Everything livetally keeps in one profile's SQLite file. The only place with SQL; one
 * instance per open file. Multi-step writes happen in one transaction.
 */
export class ProfileStore {
  /** The profile's goals (DESIGN.md "Goals"). */
  readonly goals: GoalRepository;
  private readonly statements;
  private readonly viewerUpserts: ViewerUpserts;
  private readonly now: () => number;
  private readonly messageIdCapacity: number;

  static open(file: string, options: ProfileStoreOptions = {}): ProfileStore {
    return new ProfileStore(file, openDatabase(file, options), options);
  }

  private constructor(
    readonly file: string,
    private readonly db: SqliteDatabase,
    options: ProfileStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.messageIdCapacity = options.messageIdCapacity ?? MESSAGE_WINDOW_CAPACITY;
    this.statements = db.readonly ? undefined : prepareWrites(db);
    this.viewerUpserts = new ViewerUpserts(db);
    this.goals = new SqliteGoalRepository(db, this.now);
  }

  get readonly(): boolean {
    return this.db.readonly;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // The original feature's API -----------------------------------------------------------

  /** Upserts the six counters and refreshes `updated_at`. */
  saveStreamStats(stats: StreamStats): void {
    this.writes().saveSix.run({ ...sixParams(stats), updatedAt: this.isoNow() });
  }

  /** The saved counters, or null when nothing was ever saved. */
  loadStreamStats(): StreamStats | null {
    return this.loadCurrent()?.stats ?? null;
  }

  /**
   * Zeroes the six counters at once. The stats stop belonging to any history entry (a new
   * one starts on the next connect), but the broadcast is remembered so that what was
   * already counted in it is still not counted again.
   */
  resetStreamStats(): void {
    const writes = this.writes();
    this.db.transaction(() => {
      const current = this.loadCurrent();
      if (current?.sessionId != null) this.closeIfOpen(current.sessionId, 'reset');
      writes.resetCurrent.run({ updatedAt: this.isoNow() });
    })();
  }

  // Current broadcast ---------------------------------------------------------------------

  loadCurrent(): SavedCurrent | null {
    const row = this.db.prepare('SELECT * FROM stream_stats WHERE id = 1').get() as
      StreamStatsRow | undefined;
    if (!row) return null;
    return {
      // An older program may have left anything in these columns.
      stats: rowStats(row, sanitizeCounter),
      peakViewers: sanitizeCounter(row.peak_viewers),
      streamer: row.streamer,
      streamerId: row.streamer_id,
      roomId: row.room_id,
      sessionId: row.session_id,
      updatedAt: toIso(row.updated_at),
    };
  }

  /**
   * Starts a history entry for a broadcast and points the current stats, zeroed, at it.
   * An entry left open by a crash is closed; what was remembered about other broadcasts
   * for de-duplication is dropped.
   */
  startSession(session: NewSession): number {
    const writes = this.writes();
    return this.db.transaction(() => {
      const current = this.loadCurrent();
      if (current?.sessionId != null) this.closeIfOpen(current.sessionId, 'interrupted');
      const now = this.now();
      const id = Number(writes.insertSession.run({ ...session, updatedAt: now }).lastInsertRowid);
      writes.startCurrent.run({
        streamer: session.streamer,
        streamerId: session.streamerId,
        roomId: session.roomId,
        sessionId: id,
        updatedAt: new Date(now).toISOString(),
      });
      for (const statement of writes.forgetOtherRooms) statement.run(session.roomId);
      return id;
    })();
  }

  /** Reopens a history entry: the same broadcast continues. */
  resumeSession(sessionId: number): void {
    this.writes().reopenSession.run(sessionId);
  }

  endSession(sessionId: number, endedAt: number, reason: string): void {
    this.writes().endSession.run({ id: sessionId, endedAt, reason, updatedAt: this.now() });
  }

  /** Everything the stats rules changed since the last save, in one transaction. */
  saveProgress(link: BroadcastLink, changes: TallyChanges): void {
    const writes = this.writes();
    const now = this.now();
    this.db.transaction(() => {
      const six = sixParams(changes.stats);
      writes.saveCurrent.run({
        ...six,
        ...link,
        peak: changes.peakViewers,
        updatedAt: new Date(now).toISOString(),
      });
      writes.saveSession.run({ ...six, id: link.sessionId, peak: changes.peakViewers, now });
      this.viewerUpserts.run(link.sessionId, changes.viewers);
      for (const userId of changes.newFollowers) writes.addFollower.run(link.roomId, userId);
      if (changes.newMessageIds.length > 0) this.saveMessageIds(link.roomId, changes.newMessageIds);
      for (const streak of changes.streaks.upserts) {
        writes.saveStreak.run(link.roomId, streak.key, JSON.stringify(streak));
      }
      for (const key of changes.streaks.removed) writes.dropStreak.run(link.roomId, key);
      for (const s of changes.samples) {
        writes.saveSample.run({ ...sixParams(s), t: s.t, sessionId: link.sessionId });
      }
    })();
  }

  /** What the de-duplication and follower rules remember about a broadcast. */
  loadRoomMemory(roomId: string): RoomMemory {
    const followers = this.db
      .prepare('SELECT user_id FROM room_followers WHERE room_id = ?')
      .pluck()
      .all(roomId) as string[];
    const messageIds: string[] = [];
    const batches = this.db
      .prepare('SELECT * FROM room_message_ids WHERE room_id = ? ORDER BY id')
      .all(roomId) as RoomMessageIdsRow[];
    for (const batch of batches) {
      const ids: unknown = safeJson(batch.ids);
      if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') messageIds.push(id);
    }
    const streakRows = this.db
      .prepare('SELECT * FROM room_gift_streaks WHERE room_id = ?')
      .all(roomId) as RoomGiftStreakRow[];
    const streaks = streakRows.flatMap((row) => {
      const streak = parseStreak(row.streak);
      return streak ? [streak] : [];
    });
    return { followers, messageIds, streaks };
  }

  // History --------------------------------------------------------------------------------

  listSessions(): SessionRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM sessions ORDER BY started_at DESC, id DESC')
      .all() as SessionRow[];
    return rows.map(toSession);
  }

  getSession(id: number): SessionRecord | null {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as
      SessionRow | undefined;
    return row ? toSession(row) : null;
  }

  sessionSeries(id: number): SessionPoint[] {
    const rows = this.db
      .prepare('SELECT * FROM session_samples WHERE session_id = ? ORDER BY t')
      .all(id) as SessionSampleRow[];
    return rows.map((row) => ({ t: row.t, ...rowStats(row) }));
  }

  sessionViewers(id: number): ViewerTotals[] {
    const rows = this.db
      .prepare('SELECT * FROM session_viewers WHERE session_id = ? ORDER BY coins DESC, user_id')
      .all(id) as SessionViewerRow[];
    return rows.map(toViewer);
  }

  leaderboard(sessionId: number, metric: LeaderboardMetric, limit: number): ViewerTotals[] {
    // Interpolated only from the fixed table above, never from input.
    const order = LEADERBOARD_ORDER[metric];
    if (!order) throw new RangeError(`unknown leaderboard metric ${String(metric)}`);
    const rows = this.db
      .prepare(
        `SELECT * FROM session_viewers WHERE session_id = ? AND ${metric} > 0
          ORDER BY ${order}, last_seen DESC LIMIT ?`,
      )
      .all(sessionId, limit) as SessionViewerRow[];
    return rows.map(toViewer);
  }

  // ----------------------------------------------------------------------------------------

  private writes(): WriteStatements {
    if (!this.statements) throw new Error('this profile database was opened read-only');
    return this.statements;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private closeIfOpen(sessionId: number, reason: string): void {
    this.writes().closeDangling.run({ id: sessionId, reason });
  }

  /** Appends one batch and drops the oldest batches beyond the window's capacity. */
  private saveMessageIds(roomId: string, ids: string[]): void {
    const writes = this.writes();
    const kept = ids.length > this.messageIdCapacity ? ids.slice(-this.messageIdCapacity) : ids;
    writes.addMessageIds.run(roomId, kept.length, JSON.stringify(kept));
    let total = (writes.countMessageIds.get(roomId) as { n: number | null }).n ?? 0;
    if (total <= this.messageIdCapacity) return;
    const batches = writes.messageIdBatches.all(roomId) as Pick<
      RoomMessageIdsRow,
      'id' | 'count'
    >[];
    for (const batch of batches) {
      if (total - batch.count < this.messageIdCapacity) break;
      writes.dropMessageIds.run(batch.id);
      total -= batch.count;
    }
  }
}

type WriteStatements = ReturnType<typeof prepareWrites>;

const VIEWER_COLUMNS =
  '(session_id, user_id, handle, nickname, coins, gifts, likes, comments, shares, follows, first_seen, last_seen)';
const VIEWER_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const VIEWER_UPSERT = `ON CONFLICT (session_id, user_id) DO UPDATE SET
  handle = CASE WHEN excluded.handle <> '' THEN excluded.handle ELSE handle END,
  nickname = CASE WHEN excluded.nickname <> '' THEN excluded.nickname ELSE nickname END,
  coins = coins + excluded.coins, gifts = gifts + excluded.gifts,
  likes = likes + excluded.likes, comments = comments + excluded.comments,
  shares = shares + excluded.shares, follows = MAX(follows, excluded.follows),
  first_seen = MIN(first_seen, excluded.first_seen),
  last_seen = MAX(last_seen, excluded.last_seen)`;
/**
 * Adds per-viewer deltas to the session's totals. A replay touches tens of thousands of
 * viewers between two saves; visiting them in key order keeps SQLite on neighbouring
 * pages instead of jumping across the whole table (measured: about twice as fast).
 */
class ViewerUpserts {
  private readonly statement: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.statement = db.prepare(
      `INSERT INTO session_viewers ${VIEWER_COLUMNS} VALUES ${VIEWER_ROW} ${VIEWER_UPSERT}`,
    );
  }

  run(sessionId: number, batch: ViewerBatch): void {
    const { userIds, handles, nicknames, numbers } = batch;
    const order = userIds.map((_, i) => i).sort((a, b) => (userIds[a]! < userIds[b]! ? -1 : 1));
    const width = VIEWER_FIELDS.length;
    for (const i of order) {
      const n = i * width;
      // prettier-ignore
      this.statement.run(sessionId, userIds[i], handles[i], nicknames[i], numbers[n], numbers[n + 1],
        numbers[n + 2], numbers[n + 3], numbers[n + 4], numbers[n + 5], numbers[n + 6], numbers[n + 7]);
    }
  }
}

function prepareWrites(db: SqliteDatabase) {
  const six = 'viewers, likes, total_coins, followers, shares, gifts';
  const sixValues = '@viewers, @likes, @totalCoins, @followers, @shares, @gifts';
  const sixUpdate =
    'viewers = excluded.viewers, likes = excluded.likes, total_coins = excluded.total_coins, ' +
    'followers = excluded.followers, shares = excluded.shares, gifts = excluded.gifts';
  return {
    saveSix: db.prepare(
      `INSERT INTO stream_stats (id, ${six}, updated_at) VALUES (1, ${sixValues}, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET ${sixUpdate}, updated_at = excluded.updated_at`,
    ),
    saveCurrent: db.prepare(
      `INSERT INTO stream_stats (id, ${six}, updated_at, streamer, streamer_id, room_id, session_id, peak_viewers)
       VALUES (1, ${sixValues}, @updatedAt, @streamer, @streamerId, @roomId, @sessionId, @peak)
       ON CONFLICT (id) DO UPDATE SET ${sixUpdate}, updated_at = excluded.updated_at,
         streamer = excluded.streamer, streamer_id = excluded.streamer_id, room_id = excluded.room_id,
         session_id = excluded.session_id, peak_viewers = excluded.peak_viewers`,
    ),
    startCurrent: db.prepare(
      `INSERT INTO stream_stats (id, ${six}, updated_at, streamer, streamer_id, room_id, session_id, peak_viewers)
       VALUES (1, 0, 0, 0, 0, 0, 0, @updatedAt, @streamer, @streamerId, @roomId, @sessionId, 0)
       ON CONFLICT (id) DO UPDATE SET viewers = 0, likes = 0, total_coins = 0, followers = 0,
         shares = 0, gifts = 0, updated_at = excluded.updated_at, streamer = excluded.streamer,
         streamer_id = excluded.streamer_id, room_id = excluded.room_id,
         session_id = excluded.session_id, peak_viewers = 0`,
    ),
    resetCurrent: db.prepare(
      `INSERT INTO stream_stats (id, ${six}, updated_at, peak_viewers)
       VALUES (1, 0, 0, 0, 0, 0, 0, @updatedAt, 0)
       ON CONFLICT (id) DO UPDATE SET viewers = 0, likes = 0, total_coins = 0, followers = 0,
         shares = 0, gifts = 0, peak_viewers = 0, session_id = NULL,
         updated_at = excluded.updated_at`,
    ),
    insertSession: db.prepare(
      `INSERT INTO sessions (streamer, streamer_id, room_id, started_at, updated_at)
       VALUES (@streamer, @streamerId, @roomId, @startedAt, @updatedAt)`,
    ),
    saveSession: db.prepare(
      `UPDATE sessions SET viewers = @viewers, likes = @likes, total_coins = @totalCoins,
         followers = @followers, shares = @shares, gifts = @gifts, peak_viewers = @peak,
         updated_at = @now WHERE id = @id`,
    ),
    reopenSession: db.prepare(
      'UPDATE sessions SET ended_at = NULL, end_reason = NULL WHERE id = ?',
    ),
    endSession: db.prepare(
      `UPDATE sessions SET ended_at = @endedAt, end_reason = @reason, updated_at = @updatedAt
        WHERE id = @id`,
    ),
    closeDangling: db.prepare(
      `UPDATE sessions SET ended_at = updated_at, end_reason = @reason
        WHERE id = @id AND ended_at IS NULL`,
    ),
    addFollower: db.prepare(
      'INSERT OR IGNORE INTO room_followers (room_id, user_id) VALUES (?, ?)',
    ),
    addMessageIds: db.prepare(
      'INSERT INTO room_message_ids (room_id, count, ids) VALUES (?, ?, ?)',
    ),
    countMessageIds: db.prepare('SELECT sum(count) AS n FROM room_message_ids WHERE room_id = ?'),
    messageIdBatches: db.prepare(
      'SELECT id, count FROM room_message_ids WHERE room_id = ? ORDER BY id',
    ),
    dropMessageIds: db.prepare('DELETE FROM room_message_ids WHERE id = ?'),
    saveStreak: db.prepare(
      'INSERT OR REPLACE INTO room_gift_streaks (room_id, streak_key, streak) VALUES (?, ?, ?)',
    ),
    dropStreak: db.prepare('DELETE FROM room_gift_streaks WHERE room_id = ? AND streak_key = ?'),
    saveSample: db.prepare(
      `INSERT INTO session_samples (session_id, t, ${six}) VALUES (@sessionId, @t, ${sixValues})
       ON CONFLICT (session_id, t) DO UPDATE SET ${sixUpdate}`,
    ),
    forgetOtherRooms: [
      db.prepare('DELETE FROM room_followers WHERE room_id <> ?'),
      db.prepare('DELETE FROM room_message_ids WHERE room_id <> ?'),
      db.prepare('DELETE FROM room_gift_streaks WHERE room_id <> ?'),
    ],
  };
}

function sixParams(stats: StreamStats) {
  return {
    viewers: stats.viewers,
    likes: stats.likes,
    totalCoins: stats.totalCoins,
    followers: stats.followers,
    shares: stats.shares,
    gifts: stats.gifts,
  };
}

type SixColumns = Record<
  'viewers' | 'likes' | 'total_coins' | 'followers' | 'shares' | 'gifts',
  unknown
>;

/** The six counter columns of a row as stats (trusted columns as they are). */
function rowStats(row: SixColumns, read: (value: unknown) => number = Number): StreamStats {
  return {
    viewers: read(row.viewers),
    likes: read(row.likes),
    totalCoins: read(row.total_coins),
    followers: read(row.followers),
    shares: read(row.shares),
    gifts: read(row.gifts),
  };
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    streamer: row.streamer,
    streamerId: row.streamer_id,
    roomId: row.room_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    stats: rowStats(row),
    peakViewers: row.peak_viewers,
    updatedAt: row.updated_at,
  };
}

function toViewer(row: SessionViewerRow): ViewerTotals {
  return {
    userId: row.user_id,
    handle: row.handle,
    nickname: row.nickname,
    coins: row.coins,
    gifts: row.gifts,
    likes: row.likes,
    comments: row.comments,
    shares: row.shares,
    follows: row.follows,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

/** Older programs wrote `CURRENT_TIMESTAMP` (UTC, "YYYY-MM-DD HH:MM:SS"); we write ISO 8601. */
function toIso(value: string | number | null): string | null {
  if (value === null) return null;
  const date =
    typeof value === 'number'
      ? new Date(value)
      : new Date(
          /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(' ', 'T')}Z` : value,
        );
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseStreak(text: string): StreakRecord | undefined {
  const value = safeJson(text);
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  const event = candidate['event'];
  const numbers = ['repeatCount', 'counted', 'lastSeen'].map((k) => candidate[k]);
  if (!isGiftEvent(event) || typeof candidate['key'] !== 'string') return undefined;
  if (typeof candidate['open'] !== 'boolean') return undefined;
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0))
    return undefined;
  return {
    key: candidate['key'],
    event,
    repeatCount: candidate['repeatCount'] as number,
    counted: candidate['counted'] as number,
    lastSeen: candidate['lastSeen'] as number,
    open: candidate['open'],
  };
}
