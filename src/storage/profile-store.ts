import type { TallyChanges } from '../domain/broadcast-tally.js';
import { VIEWER_FIELDS, type ViewerBatch } from '../domain/viewer-ledger.js';
import { messageKey } from '../domain/message-key.js';
import type {
  BroadcastLink,
  EndReason,
  RoomMemory,
  SavedCurrent,
  SessionPoint,
  SessionRecord,
  ViewerTotals,
} from '../domain/history.js';
import { sanitizeCounter, type StreamStats } from '../domain/stats.js';
import type { GoalRepository } from './goal-repository.js';
import { SqliteGoalRepository } from './sqlite-goal-repository.js';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { HistoryRepository } from './history-repository.js';
import type { ProfileStorage } from './profile-storage.js';
import {
  openDatabase,
  type OpenDatabaseOptions,
  type SqliteDatabase,
  type SqliteStatement,
} from './open-database.js';
import type {
  RoomMessageIdsRow,
  RoomGiftStreakRow,
  RoomRow,
  SessionRow,
  SessionSampleRow,
  SessionViewerRow,
  StreamStatsRow,
} from './rows.js';
import {
  parseStreak,
  rowStats,
  safeJson,
  sanitizeTime,
  toIso,
  toMs,
  toSession,
  toViewer,
} from './row-readers.js';
import { SqliteHistory } from './sqlite-history.js';
import { HistoryFolds } from './sqlite-history-folds.js';

export type ProfileStoreOptions = OpenDatabaseOptions;

export interface NewSession {
  streamer: string;
  streamerId: string;
  roomId: string;
  startedAt: number;
  /** After a reset during the broadcast: the like baseline to keep with the room. */
  likeBase?: number;
}

/** Message keys read per query when a resumed broadcast's keys are loaded. */
const KEY_PAGE = 20_000;

/**
 * Everything livetally keeps in one profile's SQLite file. The only place with SQL; one
 * instance per open file. Multi-step writes happen in one transaction.
 */
export class ProfileStore implements ProfileStorage {
  /** The profile's goals (DESIGN.md "Goals"). */
  readonly goals: GoalRepository;
  private readonly statements;
  private readonly viewerUpserts: ViewerUpserts;
  private readonly keyInserts: MessageKeyInserts | undefined;
  private readonly now: () => number;
  private readonly folds: HistoryFolds | undefined;
  private historyRepository: SqliteHistory | undefined;

  static open(file: string, options: ProfileStoreOptions = {}): ProfileStore {
    return new ProfileStore(file, openDatabase(file, options), options);
  }

  private constructor(
    readonly file: string,
    private readonly db: SqliteDatabase,
    options: ProfileStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.statements = db.readonly ? undefined : prepareWrites(db);
    this.viewerUpserts = new ViewerUpserts(db);
    this.goals = new SqliteGoalRepository(db, this.now);
    this.keyInserts = db.readonly ? undefined : new MessageKeyInserts(db);
    this.folds = db.readonly ? undefined : new HistoryFolds(db);
    // Entries ended by code that did not fold them (an older livetally) are folded now.
    this.folds?.foldEnded();
  }

  /** The history questions (summaries, leaderboards over time, recaps) for this file. */
  get history(): HistoryRepository {
    this.historyRepository ??= new SqliteHistory(this.db, this.now);
    return this.historyRepository;
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
   * already counted in it is still not counted again, and its likes count from the room
   * total seen so far. Nothing is counting when this runs (the tracker ends its entry
   * first), so an entry still open was left by a crash.
   */
  resetStreamStats(): void {
    const writes = this.writes();
    this.db.transaction(() => {
      const current = this.loadCurrent();
      if (current?.sessionId != null) this.closeIfOpen(current.sessionId, 'interrupted');
      if (current?.roomId != null) writes.baseFromMax.run(current.roomId);
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
      updatedAtMs: toMs(row.updated_at),
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
      const id = Number(
        writes.insertSession.run({
          streamer: session.streamer,
          streamerId: session.streamerId,
          roomId: session.roomId,
          startedAt: session.startedAt,
          updatedAt: now,
        }).lastInsertRowid,
      );
      writes.startCurrent.run({
        streamer: session.streamer,
        streamerId: session.streamerId,
        roomId: session.roomId,
        sessionId: id,
        updatedAt: new Date(now).toISOString(),
      });
      this.forgetOtherRooms(session.roomId);
      if (session.likeBase !== undefined) {
        writes.setLikeBase.run({ roomId: session.roomId, likeBase: session.likeBase });
      }
      return id;
    })();
  }

  /**
   * A writer takes charge of the profile: a history entry still open was left by a process
   * that died (SIGKILL, power loss). It ends at its last save, by the broadcast's own clock,
   * as `interrupted` (and joins the all-time totals); resuming the same broadcast reopens
   * it. Returns how many were closed.
   */
  closeInterrupted(): number {
    const writes = this.writes();
    return this.db.transaction(() => {
      const closed = writes.closeAllDangling.run({ reason: 'interrupted' }).changes;
      if (closed > 0) this.folds?.foldEnded();
      return closed;
    })();
  }

  /** Reopens a history entry: the same broadcast continues (out of the all-time totals again). */
  resumeSession(sessionId: number): void {
    const writes = this.writes();
    this.db.transaction(() => {
      this.folds?.unfold(sessionId);
      writes.reopenSession.run(sessionId);
    })();
  }

  /** Ends a history entry and folds its viewers into the all-time totals, in one transaction. */
  endSession(sessionId: number, endedAt: number, reason: EndReason): void {
    const writes = this.writes();
    this.db.transaction(() => {
      writes.endSession.run({
        id: sessionId,
        endedAt: Math.floor(endedAt),
        reason,
        updatedAt: this.now(),
      });
      this.folds?.fold(sessionId);
    })();
  }

  /**
   * How an entry's connection really ended, learned later (a resume at start found the
   * LIVE over, or was called off): closed at its last save if still open, reason replaced.
   */
  settleEnd(sessionId: number, reason: string): void {
    this.writes();
    this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE sessions SET ended_at = COALESCE(ended_at, updated_at), end_reason = ? WHERE id = ?',
        )
        .run(reason, sessionId);
      this.folds?.fold(sessionId);
    })();
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
      writes.saveSession.run({
        ...six,
        id: link.sessionId,
        peak: changes.peakViewers,
        now,
        lastAt: Math.floor(changes.at),
      });
      this.viewerUpserts.run(link.sessionId, changes.viewers);
      for (const userId of changes.newFollowers) writes.addFollower.run(link.roomId, userId);
      const { key: roomKey } = writes.saveRoom.get({ roomId: link.roomId, ...changes.room }) as {
        key: number;
      };
      if (changes.messageKeys.length > 0) this.keyInserts!.run(roomKey, changes.messageKeys);
      for (const streak of changes.streaks.upserts) {
        writes.saveStreak.run(link.roomId, streak.key, JSON.stringify(streak));
      }
      for (const key of changes.streaks.removed) writes.dropStreak.run(link.roomId, key);
      for (const s of changes.samples) {
        writes.saveSample.run({ ...sixParams(s), t: s.t, sessionId: link.sessionId });
      }
      this.folds?.addGifts(link.sessionId, changes.gifts);
    })();
  }

  /** What the de-duplication, follower and reset rules remember about a broadcast. */
  loadRoomMemory(roomId: string): RoomMemory {
    const followers = this.db
      .prepare('SELECT user_id FROM room_followers WHERE room_id = ?')
      .pluck()
      .all(roomId) as string[];
    const legacyMessageIds: string[] = [];
    const batches = this.db
      .prepare('SELECT * FROM room_message_ids WHERE room_id = ? ORDER BY id')
      .all(roomId) as RoomMessageIdsRow[];
    for (const batch of batches) {
      const ids: unknown = safeJson(batch.ids);
      if (Array.isArray(ids))
        for (const id of ids) if (typeof id === 'string') legacyMessageIds.push(id);
    }
    const streakRows = this.db
      .prepare('SELECT * FROM room_gift_streaks WHERE room_id = ?')
      .all(roomId) as RoomGiftStreakRow[];
    const streaks = streakRows.flatMap((row) => {
      const streak = parseStreak(row.streak);
      return streak ? [streak] : [];
    });
    const room = this.db.prepare('SELECT * FROM rooms WHERE room_id = ?').get(roomId) as
      RoomRow | undefined;
    return {
      followers,
      streaks,
      legacyMessageIds,
      likeBase: sanitizeCounter(room?.like_base),
      roomTotalMax: sanitizeCounter(room?.room_total_max),
      viewersAt: room?.viewers_at == null ? null : sanitizeTime(room.viewers_at),
    };
  }

  /**
   * Hands every message key saved for a broadcast to `add`, a page at a time, letting the
   * event loop breathe between pages (a 4-hour broadcast has millions). Resolves with the
   * number of keys.
   */
  async loadMessageKeys(roomId: string, add: (hi: number, lo: number) => void): Promise<number> {
    const room = this.roomKey(roomId);
    if (room === undefined) return 0;
    const columns = 'SELECT (key >> 32) & 4294967295, key & 4294967295 FROM room_message_keys';
    const first = this.db
      .prepare(`${columns} WHERE room_key = ? ORDER BY key LIMIT ${KEY_PAGE}`)
      .raw();
    const next = this.db
      .prepare(
        `${columns} WHERE room_key = ? AND key > ((? << 32) | ?) ORDER BY key LIMIT ${KEY_PAGE}`,
      )
      .raw();
    let rows = first.all(room) as [number, number][];
    let total = 0;
    for (;;) {
      for (const row of rows) add(row[0], row[1]);
      total += rows.length;
      if (rows.length < KEY_PAGE) return total;
      await yieldToLoop();
      const [hi, lo] = rows[rows.length - 1]!;
      rows = next.all(room, hi, lo) as [number, number][];
    }
  }

  /**
   * Which of these message ids were already counted in this broadcast. Asynchronous by
   * contract (another engine answers over the network); SQLite answers at once.
   */
  async countedMessages(roomId: string, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const room = this.roomKey(roomId);
    if (room === undefined) return found;
    const statement = this.db
      .prepare('SELECT 1 FROM room_message_keys WHERE room_key = ? AND key = ((? << 32) | ?)')
      .pluck();
    const key = new Uint32Array(2);
    for (const id of ids) {
      messageKey(id, key);
      if (statement.get(room, key[0], key[1]) !== undefined) found.add(id);
    }
    return found;
  }

  /** End of the latest time bucket an entry's series holds (its samples are labelled so). */
  lastSampleAt(sessionId: number): number | undefined {
    const t = this.db
      .prepare('SELECT max(t) FROM session_samples WHERE session_id = ?')
      .pluck()
      .get(sessionId) as number | null;
    return t === null ? undefined : sanitizeTime(t);
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
    return rows.map((row) => ({ t: sanitizeTime(row.t), ...rowStats(row) }));
  }

  sessionViewers(id: number): ViewerTotals[] {
    const rows = this.db
      .prepare('SELECT * FROM session_viewers WHERE session_id = ? ORDER BY coins DESC, user_id')
      .all(id) as SessionViewerRow[];
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

  private closeIfOpen(sessionId: number, reason: EndReason): void {
    this.writes().closeDangling.run({ id: sessionId, reason });
    this.folds?.foldEnded();
  }

  private roomKey(roomId: string): number | undefined {
    return this.db.prepare('SELECT key FROM rooms WHERE room_id = ?').pluck().get(roomId) as
      number | undefined;
  }

  /** Only one broadcast is remembered for de-duplication at a time: the one starting now. */
  private forgetOtherRooms(roomId: string): void {
    const writes = this.writes();
    const keep = this.roomKey(roomId);
    const others = writes.countOtherRooms.get(roomId) as { n: number };
    if (others.n > 0) {
      // Without keys of the kept room, emptying the whole table is much faster.
      if (keep === undefined || !writes.hasKeys.get(keep)) writes.dropAllKeys.run();
      else writes.dropOtherKeys.run(keep);
    }
    for (const statement of writes.forgetOtherRooms) statement.run(roomId);
  }
}

type WriteStatements = ReturnType<typeof prepareWrites>;

/** Per-viewer totals stop where a JSON number is still exact, like every counter. */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;
const VIEWER_COLUMNS =
  '(session_id, user_id, handle, nickname, coins, gifts, likes, comments, shares, follows, first_seen, last_seen)';
const VIEWER_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const VIEWER_UPSERT = `ON CONFLICT (session_id, user_id) DO UPDATE SET
  handle = CASE WHEN excluded.handle <> '' THEN excluded.handle ELSE handle END,
  nickname = CASE WHEN excluded.nickname <> '' THEN excluded.nickname ELSE nickname END,
  coins = MIN(coins + excluded.coins, ${MAX_COUNT}), gifts = MIN(gifts + excluded.gifts, ${MAX_COUNT}),
  likes = MIN(likes + excluded.likes, ${MAX_COUNT}),
  comments = MIN(comments + excluded.comments, ${MAX_COUNT}),
  shares = MIN(shares + excluded.shares, ${MAX_COUNT}), follows = MAX(follows, excluded.follows),
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

/**
 * Saves message keys, many rows per statement: a busy LIVE counts about 200,000 messages
 * a second in a replay, and binding one row per call would be the save's largest cost.
 */
class MessageKeyInserts {
  private static readonly ROWS = 64;
  private readonly many: SqliteStatement;
  private readonly one: SqliteStatement;
  private readonly params = new Array<number>(3 * MessageKeyInserts.ROWS);

  constructor(db: SqliteDatabase) {
    const row = '(?, (? << 32) | ?)';
    const insert = 'INSERT OR IGNORE INTO room_message_keys (room_key, key) VALUES';
    this.many = db.prepare(`${insert} ${new Array(MessageKeyInserts.ROWS).fill(row).join(', ')}`);
    this.one = db.prepare(`${insert} ${row}`);
  }

  /** `keys`: [hi, lo] pairs. */
  run(roomKey: number, keys: Uint32Array): void {
    const rows = MessageKeyInserts.ROWS;
    const params = this.params;
    let i = 0;
    for (; i + 2 * rows <= keys.length; i += 2 * rows) {
      for (let r = 0; r < rows; r++) {
        params[3 * r] = roomKey;
        params[3 * r + 1] = keys[i + 2 * r]!;
        params[3 * r + 2] = keys[i + 2 * r + 1]!;
      }
      this.many.run(params);
    }
    for (; i < keys.length; i += 2) this.one.run(roomKey, keys[i], keys[i + 1]);
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
         updated_at = @now, last_at = @lastAt WHERE id = @id`,
    ),
    reopenSession: db.prepare(
      'UPDATE sessions SET ended_at = NULL, end_reason = NULL WHERE id = ?',
    ),
    endSession: db.prepare(
      `UPDATE sessions SET ended_at = @endedAt, last_at = @endedAt, end_reason = @reason,
         updated_at = @updatedAt WHERE id = @id`,
    ),
    // At the last save, by the broadcast's clock (never before its start).
    closeDangling: db.prepare(
      `UPDATE sessions SET ended_at = MAX(started_at, COALESCE(last_at, started_at)),
         end_reason = @reason WHERE id = @id AND ended_at IS NULL`,
    ),
    closeAllDangling: db.prepare(
      `UPDATE sessions SET ended_at = MAX(started_at, COALESCE(last_at, started_at)),
         end_reason = @reason WHERE ended_at IS NULL`,
    ),
    saveRoom: db.prepare(
      `INSERT INTO rooms (room_id, like_base, room_total_max, viewers_at)
       VALUES (@roomId, @likeBase, @roomTotalMax, @viewersAt)
       ON CONFLICT (room_id) DO UPDATE SET like_base = excluded.like_base,
         room_total_max = MAX(room_total_max, excluded.room_total_max),
         viewers_at = excluded.viewers_at
       RETURNING key`,
    ),
    setLikeBase: db.prepare(
      `INSERT INTO rooms (room_id, like_base, room_total_max) VALUES (@roomId, @likeBase, @likeBase)
       ON CONFLICT (room_id) DO UPDATE SET like_base = excluded.like_base`,
    ),
    baseFromMax: db.prepare('UPDATE rooms SET like_base = room_total_max WHERE room_id = ?'),
    countOtherRooms: db.prepare('SELECT count(*) AS n FROM rooms WHERE room_id <> ?'),
    hasKeys: db.prepare('SELECT 1 FROM room_message_keys WHERE room_key = ? LIMIT 1').pluck(),
    dropAllKeys: db.prepare('DELETE FROM room_message_keys'),
    dropOtherKeys: db.prepare('DELETE FROM room_message_keys WHERE room_key <> ?'),
    addFollower: db.prepare(
      'INSERT OR IGNORE INTO room_followers (room_id, user_id) VALUES (?, ?)',
    ),
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
      db.prepare('DELETE FROM rooms WHERE room_id <> ?'),
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
