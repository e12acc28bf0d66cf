import type { TallyChanges } from '../../domain/broadcast-tally.js';
import { LivetallyError } from '../../domain/errors.js';
import type {
  BroadcastLink,
  EndReason,
  RoomMemory,
  SavedCurrent,
  SessionPoint,
  SessionRecord,
  ViewerTotals,
} from '../../domain/history.js';
import { messageKey } from '../../domain/message-key.js';
import { sanitizeCounter, type StreamStats } from '../../domain/stats.js';
import { VIEWER_FIELDS, type ViewerBatch } from '../../domain/viewer-ledger.js';
import type { GoalRepository } from '../goal-repository.js';
import type { HistoryRepository } from '../history-repository.js';
import type { NewSession } from '../profile-store.js';
import type { ProfileStorage } from '../profile-storage.js';
import type {
  RoomGiftStreakRow,
  RoomMessageIdsRow,
  RoomRow,
  SessionRow,
  SessionSampleRow,
  SessionViewerRow,
  StreamStatsRow,
} from '../rows.js';
import { inTransaction, pgFailure, type PgClient, type PgPool } from './pg-database.js';
import { PgGoalRepository } from './pg-goal-repository.js';
import { addGifts, foldEnded, foldSession, unfoldSession } from './pg-history-folds.js';
import { PgHistory } from './pg-history.js';
import { PgProfiles } from './pg-profiles.js';
import {
  bigintArray,
  int,
  parseStreak,
  rowStats,
  safeJson,
  sanitizeTime,
  text,
  texts,
  toIso,
  toMs,
  toSession,
  toViewer,
} from './pg-rows.js';

export interface PgProfileStoreOptions {
  now?: () => number;
  /** Only read: every write throws (as a SQLite profile opened read-only). */
  readonly?: boolean;
  /**
   * Runs first in every write transaction, once the profile's row is locked; throwing
   * rolls the write back. The hosted mode checks there that this process still holds the
   * profile's claim (`assertClaimHeld`), so a process that lost it writes nothing more.
   */
  writeGuard?: (client: PgClient, profileId: number) => Promise<void>;
}

/** Message keys read per query when a resumed broadcast's keys are loaded. */
const KEY_PAGE = 20_000;
/** Per-viewer totals stop where a JSON number is still exact, like every counter. */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

type Queryable = PgPool | PgClient;

/**
 * One profile kept in a PostgreSQL database: the same rules as the SQLite `ProfileStore`
 * (whose comments are the reference), every row carrying the profile's id. Multi-step
 * writes happen in one transaction, which first locks the profile's row: two writers of
 * one profile take turns, as on SQLite. The pool is shared with other profiles and is not
 * this store's to end.
 */
export class PgProfileStore implements ProfileStorage {
  readonly file: string;
  readonly goals: GoalRepository;
  readonly history: HistoryRepository;
  private closed = false;

  /**
   * Opens an existing profile (`profile_not_found` otherwise: `PgProfiles` creates them).
   * A writer folds entries that ended without being folded, as the SQLite store does.
   */
  static async open(
    pool: PgPool,
    profileName: string,
    options: PgProfileStoreOptions = {},
  ): Promise<PgProfileStore> {
    const profile = await new PgProfiles(pool).resolve(profileName);
    const store = new PgProfileStore(pool, profile.id, profile.name, options);
    if (!store.readonly) {
      await store.write('opening the profile', async (client) => {
        await foldEnded(client, store.profileId);
      });
    }
    return store;
  }

  private constructor(
    private readonly pool: PgPool,
    readonly profileId: number,
    readonly profileName: string,
    private readonly options: PgProfileStoreOptions,
  ) {
    this.file = `pg:${profileName}`;
    const now = options.now ?? Date.now;
    this.history = new PgHistory(pool, profileId, now);
    this.goals = new PgGoalRepository(pool, profileId, now);
  }

  get readonly(): boolean {
    return this.options.readonly ?? false;
  }

  close(): void {
    this.closed = true;
  }

  // Current broadcast ---------------------------------------------------------------------

  loadCurrent(): Promise<SavedCurrent | null> {
    return this.read('reading the current stats', (db) => this.current(db));
  }

  /** See ProfileStore.resetStreamStats. */
  resetStreamStats(): Promise<void> {
    return this.write('resetting the stats', async (client) => {
      const current = await this.current(client);
      if (current?.sessionId != null) {
        await this.closeIfOpen(client, current.sessionId, 'interrupted');
      }
      if (current?.roomId != null) {
        await client.query(
          'UPDATE rooms SET like_base = room_total_max WHERE profile_id = $1 AND room_id = $2',
          [this.profileId, current.roomId],
        );
      }
      await client.query(
        `INSERT INTO stream_stats (profile_id, ${SIX}, updated_at, peak_viewers)
         VALUES ($1, 0, 0, 0, 0, 0, 0, $2, 0)
         ON CONFLICT (profile_id) DO UPDATE SET viewers = 0, likes = 0, total_coins = 0,
           followers = 0, shares = 0, gifts = 0, peak_viewers = 0, session_id = NULL,
           updated_at = excluded.updated_at`,
        [this.profileId, this.isoNow()],
      );
    });
  }

  /** See ProfileStore.startSession. */
  startSession(session: NewSession): Promise<number> {
    return this.write('starting a history entry', async (client) => {
      const current = await this.current(client);
      if (current?.sessionId != null) {
        await this.closeIfOpen(client, current.sessionId, 'interrupted');
      }
      const now = this.now();
      const streamer = text(session.streamer);
      const streamerId = text(session.streamerId);
      const roomId = text(session.roomId);
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO sessions (profile_id, streamer, streamer_id, room_id, started_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [this.profileId, streamer, streamerId, roomId, int(session.startedAt), now],
      );
      const id = rows[0]!.id;
      await client.query(
        `INSERT INTO stream_stats (profile_id, ${SIX}, updated_at, streamer, streamer_id, room_id,
                                   session_id, peak_viewers)
         VALUES ($1, 0, 0, 0, 0, 0, 0, $2, $3, $4, $5, $6, 0)
         ON CONFLICT (profile_id) DO UPDATE SET viewers = 0, likes = 0, total_coins = 0,
           followers = 0, shares = 0, gifts = 0, updated_at = excluded.updated_at,
           streamer = excluded.streamer, streamer_id = excluded.streamer_id,
           room_id = excluded.room_id, session_id = excluded.session_id, peak_viewers = 0`,
        [this.profileId, new Date(now).toISOString(), streamer, streamerId, roomId, id],
      );
      await this.forgetOtherRooms(client, roomId);
      if (session.likeBase !== undefined) {
        const likeBase = int(session.likeBase);
        await client.query(
          `INSERT INTO rooms (profile_id, room_id, like_base, room_total_max) VALUES ($1, $2, $3, $3)
           ON CONFLICT (profile_id, room_id) DO UPDATE SET like_base = excluded.like_base`,
          [this.profileId, roomId, likeBase],
        );
      }
      return id;
    });
  }

  /** See ProfileStore.closeInterrupted. */
  closeInterrupted(): Promise<number> {
    return this.write('closing interrupted history entries', async (client) => {
      const { rowCount } = await client.query(
        `UPDATE sessions SET ended_at = GREATEST(started_at, COALESCE(last_at, started_at)),
           end_reason = 'interrupted' WHERE profile_id = $1 AND ended_at IS NULL`,
        [this.profileId],
      );
      const closed = rowCount ?? 0;
      if (closed > 0) await foldEnded(client, this.profileId);
      return closed;
    });
  }

  /** See ProfileStore.resumeSession. */
  resumeSession(sessionId: number): Promise<void> {
    return this.write('resuming a history entry', async (client) => {
      await unfoldSession(client, this.profileId, sessionId);
      await client.query(
        'UPDATE sessions SET ended_at = NULL, end_reason = NULL WHERE profile_id = $1 AND id = $2',
        [this.profileId, sessionId],
      );
    });
  }

  /** See ProfileStore.endSession. */
  endSession(sessionId: number, endedAt: number, reason: EndReason): Promise<void> {
    return this.write('ending a history entry', async (client) => {
      await client.query(
        `UPDATE sessions SET ended_at = $3, last_at = $3, end_reason = $4, updated_at = $5
          WHERE profile_id = $1 AND id = $2`,
        [this.profileId, sessionId, int(endedAt), reason, this.now()],
      );
      await foldSession(client, this.profileId, sessionId);
    });
  }

  /** See ProfileStore.settleEnd. */
  settleEnd(sessionId: number, reason: string): Promise<void> {
    return this.write('ending a history entry', async (client) => {
      await client.query(
        `UPDATE sessions SET ended_at = COALESCE(ended_at, updated_at), end_reason = $3
          WHERE profile_id = $1 AND id = $2`,
        [this.profileId, sessionId, text(reason)],
      );
      await foldSession(client, this.profileId, sessionId);
    });
  }

  /**
   * Everything the stats rules changed since the last save, in one transaction. Rows go in
   * as arrays (one statement per table whatever the number of viewers or message keys), so
   * a save costs a dozen round trips to the database, not one per viewer.
   */
  saveProgress(link: BroadcastLink, changes: TallyChanges): Promise<void> {
    return this.write('saving the stats', async (client) => {
      const now = this.now();
      const p = this.profileId;
      const six = sixValues(changes.stats);
      const roomId = text(link.roomId);
      // The current stats and the entry's copy of them, in one statement.
      await client.query(
        `WITH entry AS (
           UPDATE sessions SET viewers = $2, likes = $3, total_coins = $4, followers = $5,
             shares = $6, gifts = $7, peak_viewers = $8, updated_at = $9, last_at = $10
            WHERE profile_id = $1 AND id = $11
         )
         INSERT INTO stream_stats (profile_id, ${SIX}, peak_viewers, updated_at, streamer,
                                   streamer_id, room_id, session_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $12, $13, $14, $15, $11)
         ON CONFLICT (profile_id) DO UPDATE SET ${SIX_UPDATE}, updated_at = excluded.updated_at,
           streamer = excluded.streamer, streamer_id = excluded.streamer_id,
           room_id = excluded.room_id, session_id = excluded.session_id,
           peak_viewers = excluded.peak_viewers`,
        [
          p,
          ...six,
          int(changes.peakViewers),
          now,
          int(changes.at),
          link.sessionId,
          new Date(now).toISOString(),
          text(link.streamer),
          text(link.streamerId),
          roomId,
        ],
      );
      await upsertViewers(client, p, link.sessionId, changes.viewers);
      if (changes.newFollowers.length > 0) {
        await client.query(
          `INSERT INTO room_followers (profile_id, room_id, user_id)
           SELECT $1::bigint, $2::text, unnest($3::text[]) ON CONFLICT DO NOTHING`,
          [p, roomId, texts(changes.newFollowers)],
        );
      }
      // The room's memory, and the message keys counted since the last save under its key.
      const room = changes.room;
      await client.query(
        `WITH room AS (
           INSERT INTO rooms (profile_id, room_id, like_base, room_total_max, viewers_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (profile_id, room_id) DO UPDATE SET like_base = excluded.like_base,
             room_total_max = GREATEST(rooms.room_total_max, excluded.room_total_max),
             viewers_at = excluded.viewers_at
           RETURNING key
         )
         INSERT INTO room_message_keys (profile_id, room_key, key)
         SELECT $1::bigint, room.key, (k.hi << 32) | k.lo
           FROM room, unnest($6::bigint[], $7::bigint[]) AS k (hi, lo)
         ON CONFLICT DO NOTHING`,
        [
          p,
          roomId,
          int(room.likeBase),
          int(room.roomTotalMax),
          room.viewersAt === null ? null : int(room.viewersAt),
          bigintArray(changes.messageKeys, 0, 2),
          bigintArray(changes.messageKeys, 1, 2),
        ],
      );
      await saveStreaks(client, p, roomId, changes);
      if (changes.samples.length > 0) {
        // The latest value of a bucket wins, as with one upsert after another.
        const samples = new Map(changes.samples.map((s) => [int(s.t), s]));
        const columns = [...samples.values()].map(sixValues);
        await client.query(
          `INSERT INTO session_samples (profile_id, session_id, t, ${SIX})
           SELECT $1::bigint, $2::bigint, * FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
                                        $7::bigint[], $8::bigint[], $9::bigint[])
           ON CONFLICT (profile_id, session_id, t) DO UPDATE SET ${SIX_UPDATE}`,
          [
            p,
            link.sessionId,
            bigintArray([...samples.keys()]),
            ...[0, 1, 2, 3, 4, 5].map((k) => bigintArray(columns.map((c) => c[k]!))),
          ],
        );
      }
      if (changes.gifts.length > 0) await addGifts(client, p, link.sessionId, changes.gifts);
    });
  }

  /** See ProfileStore.loadRoomMemory. */
  loadRoomMemory(roomId: string): Promise<RoomMemory> {
    return this.read('reading what the broadcast remembers', async (db) => {
      const args = [this.profileId, text(roomId)];
      const followers = await db.query<{ user_id: string }>(
        'SELECT user_id FROM room_followers WHERE profile_id = $1 AND room_id = $2',
        args,
      );
      const batches = await db.query<RoomMessageIdsRow>(
        'SELECT * FROM room_message_ids WHERE profile_id = $1 AND room_id = $2 ORDER BY id',
        args,
      );
      const legacyMessageIds: string[] = [];
      for (const batch of batches.rows) {
        const ids: unknown = safeJson(batch.ids);
        if (Array.isArray(ids))
          for (const id of ids) if (typeof id === 'string') legacyMessageIds.push(id);
      }
      const streakRows = await db.query<RoomGiftStreakRow>(
        'SELECT * FROM room_gift_streaks WHERE profile_id = $1 AND room_id = $2',
        args,
      );
      const streaks = streakRows.rows.flatMap((row) => {
        const streak = parseStreak(row.streak);
        return streak ? [streak] : [];
      });
      const rooms = await db.query<RoomRow>(
        'SELECT * FROM rooms WHERE profile_id = $1 AND room_id = $2',
        args,
      );
      const room = rooms.rows[0];
      return {
        followers: followers.rows.map((r) => r.user_id),
        streaks,
        legacyMessageIds,
        likeBase: sanitizeCounter(room?.like_base),
        roomTotalMax: sanitizeCounter(room?.room_total_max),
        viewersAt: room?.viewers_at == null ? null : sanitizeTime(room.viewers_at),
      };
    });
  }

  /**
   * Hands every message key saved for a broadcast to `add`, a page at a time, in key order
   * (as SQLite: the signed 64-bit value). Resolves with the number of keys.
   */
  loadMessageKeys(roomId: string, add: (hi: number, lo: number) => void): Promise<number> {
    return this.read('reading the counted message ids', async (db) => {
      const room = await this.roomKey(db, roomId);
      if (room === undefined) return 0;
      const columns = `SELECT ((key >> 32) & 4294967295)::float8 AS hi,
                              (key & 4294967295)::float8 AS lo
                         FROM room_message_keys WHERE profile_id = $1 AND room_key = $2`;
      let total = 0;
      let last: [number, number] | undefined;
      for (;;) {
        const { rows } = await db.query<{ hi: number; lo: number }>({
          text: last
            ? `${columns} AND key > (($3::bigint << 32) | $4::bigint) ORDER BY key LIMIT ${KEY_PAGE}`
            : `${columns} ORDER BY key LIMIT ${KEY_PAGE}`,
          values: last ? [this.profileId, room, last[0], last[1]] : [this.profileId, room],
        });
        for (const row of rows) add(row.hi, row.lo);
        total += rows.length;
        if (rows.length < KEY_PAGE) return total;
        const end = rows[rows.length - 1]!;
        last = [end.hi, end.lo];
      }
    });
  }

  /** Which of these message ids were already counted in this broadcast: one query for all. */
  countedMessages(roomId: string, ids: readonly string[]): Promise<Set<string>> {
    return this.read('looking up counted message ids', async (db) => {
      const found = new Set<string>();
      if (ids.length === 0) return found;
      const room = await this.roomKey(db, roomId);
      if (room === undefined) return found;
      const keys = new Uint32Array(2 * ids.length);
      const key = new Uint32Array(2);
      ids.forEach((id, i) => {
        messageKey(id, key);
        keys[2 * i] = key[0]!;
        keys[2 * i + 1] = key[1]!;
      });
      const { rows } = await db.query<{ i: number }>(
        `SELECT k.i FROM unnest($3::bigint[], $4::bigint[]) WITH ORDINALITY AS k (hi, lo, i)
          WHERE EXISTS (SELECT 1 FROM room_message_keys m
                         WHERE m.profile_id = $1 AND m.room_key = $2
                           AND m.key = (k.hi << 32) | k.lo)`,
        [this.profileId, room, bigintArray(keys, 0, 2), bigintArray(keys, 1, 2)],
      );
      for (const row of rows) found.add(ids[row.i - 1]!);
      return found;
    });
  }

  /** End of the latest time bucket an entry's series holds. */
  lastSampleAt(sessionId: number): Promise<number | undefined> {
    return this.read('reading the time series', async (db) => {
      const { rows } = await db.query<{ t: number | null }>(
        'SELECT max(t) AS t FROM session_samples WHERE profile_id = $1 AND session_id = $2',
        [this.profileId, sessionId],
      );
      const t = rows[0]?.t ?? null;
      return t === null ? undefined : sanitizeTime(t);
    });
  }

  // History --------------------------------------------------------------------------------

  listSessions(): Promise<SessionRecord[]> {
    return this.read('reading the history', async (db) => {
      const { rows } = await db.query<SessionRow>(
        'SELECT * FROM sessions WHERE profile_id = $1 ORDER BY started_at DESC, id DESC',
        [this.profileId],
      );
      return rows.map(toSession);
    });
  }

  getSession(id: number): Promise<SessionRecord | null> {
    return this.read('reading the history', async (db) => {
      const { rows } = await db.query<SessionRow>(
        'SELECT * FROM sessions WHERE profile_id = $1 AND id = $2',
        [this.profileId, id],
      );
      return rows[0] ? toSession(rows[0]) : null;
    });
  }

  sessionSeries(id: number): Promise<SessionPoint[]> {
    return this.read('reading the history', async (db) => {
      const { rows } = await db.query<SessionSampleRow>(
        'SELECT * FROM session_samples WHERE profile_id = $1 AND session_id = $2 ORDER BY t',
        [this.profileId, id],
      );
      return rows.map((row) => ({ t: sanitizeTime(row.t), ...rowStats(row) }));
    });
  }

  sessionViewers(id: number): Promise<ViewerTotals[]> {
    return this.read('reading the history', async (db) => {
      // COLLATE "C": ties in the same order as SQLite's (bytewise) text comparison.
      const { rows } = await db.query<SessionViewerRow>(
        `SELECT * FROM session_viewers WHERE profile_id = $1 AND session_id = $2
          ORDER BY coins DESC, user_id COLLATE "C"`,
        [this.profileId, id],
      );
      return rows.map(toViewer);
    });
  }

  // ----------------------------------------------------------------------------------------

  private now(): number {
    return Math.floor((this.options.now ?? Date.now)());
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private async read<T>(doing: string, work: (db: Queryable) => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await work(this.pool);
    } catch (error) {
      throw pgFailure(error, doing) ?? error;
    }
  }

  /** One transaction that first locks the profile's row: its writes take turns. */
  private async write<T>(doing: string, work: (client: PgClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    if (this.readonly) throw new Error('this profile database was opened read-only');
    try {
      return await inTransaction(this.pool, async (client) => {
        const { rowCount } = await client.query(
          'SELECT 1 FROM profiles WHERE id = $1 FOR NO KEY UPDATE',
          [this.profileId],
        );
        if (rowCount === 0) {
          throw new LivetallyError(
            'profile_not_found',
            `the profile "${this.profileName}" was deleted from the database`,
          );
        }
        await this.options.writeGuard?.(client, this.profileId);
        return work(client);
      });
    } catch (error) {
      throw pgFailure(error, doing) ?? error;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the profile ${this.file} is closed`);
  }

  private async current(db: Queryable): Promise<SavedCurrent | null> {
    const { rows } = await db.query<StreamStatsRow>(
      'SELECT * FROM stream_stats WHERE profile_id = $1',
      [this.profileId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      stats: rowStats(row),
      peakViewers: sanitizeCounter(row.peak_viewers),
      streamer: row.streamer,
      streamerId: row.streamer_id,
      roomId: row.room_id,
      sessionId: row.session_id,
      updatedAt: toIso(row.updated_at),
      updatedAtMs: toMs(row.updated_at),
    };
  }

  /** At the last save, by the broadcast's clock (never before its start). */
  private async closeIfOpen(client: PgClient, sessionId: number, reason: EndReason) {
    await client.query(
      `UPDATE sessions SET ended_at = GREATEST(started_at, COALESCE(last_at, started_at)),
         end_reason = $3 WHERE profile_id = $1 AND id = $2 AND ended_at IS NULL`,
      [this.profileId, sessionId, reason],
    );
    await foldEnded(client, this.profileId);
  }

  private async roomKey(db: Queryable, roomId: string): Promise<number | undefined> {
    const { rows } = await db.query<{ key: number }>(
      'SELECT key FROM rooms WHERE profile_id = $1 AND room_id = $2',
      [this.profileId, text(roomId)],
    );
    return rows[0]?.key;
  }

  /**
   * Only one broadcast is remembered for de-duplication at a time: the one starting now.
   * (As on SQLite, the keys are only dropped when another broadcast is remembered.)
   */
  private async forgetOtherRooms(client: PgClient, roomId: string): Promise<void> {
    await client.query(
      `WITH keys AS (
         DELETE FROM room_message_keys
          WHERE profile_id = $1
            AND EXISTS (SELECT 1 FROM rooms WHERE profile_id = $1 AND room_id <> $2)
            AND room_key IS DISTINCT FROM
                (SELECT key FROM rooms WHERE profile_id = $1 AND room_id = $2)
       ), followers AS (
         DELETE FROM room_followers WHERE profile_id = $1 AND room_id <> $2
       ), ids AS (
         DELETE FROM room_message_ids WHERE profile_id = $1 AND room_id <> $2
       ), streaks AS (
         DELETE FROM room_gift_streaks WHERE profile_id = $1 AND room_id <> $2
       )
       DELETE FROM rooms WHERE profile_id = $1 AND room_id <> $2`,
      [this.profileId, roomId],
    );
  }
}

const SIX = 'viewers, likes, total_coins, followers, shares, gifts';
const SIX_UPDATE =
  'viewers = excluded.viewers, likes = excluded.likes, total_coins = excluded.total_coins, ' +
  'followers = excluded.followers, shares = excluded.shares, gifts = excluded.gifts';

function sixValues(stats: StreamStats): number[] {
  return [
    stats.viewers,
    stats.likes,
    stats.totalCoins,
    stats.followers,
    stats.shares,
    stats.gifts,
  ].map(int);
}

/** Adds per-viewer deltas to the entry's totals: one statement for the whole batch. */
async function upsertViewers(
  client: PgClient,
  profileId: number,
  sessionId: number,
  batch: ViewerBatch,
): Promise<void> {
  if (batch.userIds.length === 0) return;
  const width = VIEWER_FIELDS.length;
  await client.query(
    `INSERT INTO session_viewers AS v (profile_id, session_id, user_id, handle, nickname, coins,
                                       gifts, likes, comments, shares, follows, first_seen,
                                       last_seen)
     SELECT $1::bigint, $2::bigint, * FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                                  $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[],
                                  $12::bigint[], $13::bigint[])
     ON CONFLICT (profile_id, session_id, user_id) DO UPDATE SET
       handle = CASE WHEN excluded.handle <> '' THEN excluded.handle ELSE v.handle END,
       nickname = CASE WHEN excluded.nickname <> '' THEN excluded.nickname ELSE v.nickname END,
       coins = LEAST(v.coins + excluded.coins, ${MAX_COUNT}),
       gifts = LEAST(v.gifts + excluded.gifts, ${MAX_COUNT}),
       likes = LEAST(v.likes + excluded.likes, ${MAX_COUNT}),
       comments = LEAST(v.comments + excluded.comments, ${MAX_COUNT}),
       shares = LEAST(v.shares + excluded.shares, ${MAX_COUNT}),
       follows = GREATEST(v.follows, excluded.follows),
       first_seen = LEAST(v.first_seen, excluded.first_seen),
       last_seen = GREATEST(v.last_seen, excluded.last_seen)`,
    [
      profileId,
      sessionId,
      texts(batch.userIds),
      texts(batch.handles),
      texts(batch.nicknames),
      ...VIEWER_FIELDS.map((_, k) => bigintArray(batch.numbers, k, width)),
    ],
  );
}

/** Open gift streaks of the room: replaced, then the finished ones removed (as on SQLite). */
async function saveStreaks(
  client: PgClient,
  profileId: number,
  roomId: string,
  changes: TallyChanges,
): Promise<void> {
  const { upserts, removed } = changes.streaks;
  if (upserts.length > 0) {
    const latest = new Map(upserts.map((s) => [text(s.key), JSON.stringify(s)]));
    await client.query(
      `INSERT INTO room_gift_streaks (profile_id, room_id, streak_key, streak)
       SELECT $1::bigint, $2::text, * FROM unnest($3::text[], $4::text[])
       ON CONFLICT (profile_id, room_id, streak_key) DO UPDATE SET streak = excluded.streak`,
      [profileId, roomId, [...latest.keys()], texts([...latest.values()])],
    );
  }
  if (removed.length > 0) {
    await client.query(
      `DELETE FROM room_gift_streaks
        WHERE profile_id = $1 AND room_id = $2 AND streak_key = ANY ($3::text[])`,
      [profileId, roomId, texts(removed)],
    );
  }
}
