import type { ClientBase, Pool, PoolClient } from 'pg';
import {
  addRows,
  bound,
  byUserId,
  combine,
  durationOf,
  emptyBucket,
  fromTotalsRow,
  rank,
  sumViewers,
  toSession,
  toViewer,
  type Summed,
} from '../history-rows.js';
import { bucketLabel } from '../../domain/calendar.js';
import type { LeaderboardMetric, ViewerTotals } from '../../domain/history.js';
import { LEADERBOARD_METRICS } from '../../domain/history.js';
import type {
  BestMinute,
  GiftTotals,
  HistoryImport,
  HistoryRepository,
  ImportOutcome,
  ImportedEntry,
  ImportedViewer,
  LeaderboardQuery,
  SessionRecap,
  SummaryBucket,
  SummaryQuery,
  ViewerAllTime,
  ViewerHistory,
  ViewerSessionGifts,
} from '../history-repository.js';
import type {
  ImportedViewerRow,
  SessionGiftRow,
  SessionRow,
  SessionViewerRow,
  ViewerTotalsRow,
} from '../rows.js';
import { inTransaction, pgFailure, withClient } from './pg-database.js';
import { bump, TOP_KEPT } from './pg-history-folds.js';

/**
 * The history questions answered from one profile in a PostgreSQL database, with the same
 * answers, orders and tie rules as SQLite (src/storage/sqlite-history.ts is the reference;
 * its comments say why each rule is what it is). Calendar buckets are found in JavaScript
 * with the domain's calendar, exactly as on SQLite, never with PostgreSQL's time zones.
 *
 * Questions that take several statements read one snapshot (a read-only repeatable-read
 * transaction): an entry folded by another process meanwhile is never counted twice or
 * missed. Text is ordered by its bytes (`COLLATE "C"`), as SQLite orders it, whatever the
 * database's locale.
 */
export class PgHistory implements HistoryRepository {
  constructor(
    private readonly pool: Pool,
    private readonly profileId: number,
    private readonly now: () => number = Date.now,
  ) {}

  async summary(query: SummaryQuery): Promise<SummaryBucket[]> {
    return this.snapshot('reading the history summary', async (client) => {
      const { rows } = await client.query<SummaryRow>(
        `SELECT id, started_at, ended_at, updated_at, peak_viewers, likes, total_coins,
                followers, shares, gifts, folded, gifters
           FROM sessions
          WHERE profile_id = $1 AND started_at >= $2 AND started_at < $3
          ORDER BY started_at, id`,
        [this.profileId, bound(query.start), bound(query.end)],
      );
      const buckets = new Map<string, { bucket: SummaryBucket; rows: SummaryRow[] }>();
      for (const row of rows) {
        const label = bucketLabel(row.started_at, query.period, query.zone);
        let entry = buckets.get(label);
        if (!entry) {
          entry = { bucket: emptyBucket(label), rows: [] };
          buckets.set(label, entry);
        }
        const b = entry.bucket;
        b.sessions++;
        b.liveMs += durationOf(row);
        b.peakViewers = Math.max(b.peakViewers, row.peak_viewers);
        b.likes += row.likes;
        b.totalCoins += row.total_coins;
        b.followers += row.followers;
        b.shares += row.shares;
        b.gifts += row.gifts;
        entry.rows.push(row);
      }
      // Distinct gifters: a lone folded entry knows its own; the other buckets are counted
      // together in one statement (folded entries from their gifters, open ones from rows).
      const ids: number[] = [];
      const indexes: number[] = [];
      const folded: boolean[] = [];
      const list = [...buckets.values()];
      list.forEach(({ bucket, rows: entries }, index) => {
        const only = entries.length === 1 ? entries[0]! : undefined;
        if (only && only.folded === 1 && only.gifters !== null) {
          bucket.gifters = only.gifters;
          return;
        }
        for (const row of entries) {
          ids.push(row.id);
          indexes.push(index);
          folded.push(row.folded === 1);
        }
      });
      if (ids.length > 0) {
        const counted = await client.query<{ bucket: number; gifters: number }>(
          `SELECT b.bucket, count(DISTINCT u.user_id) AS gifters
             FROM unnest($2::bigint[], $3::int[], $4::boolean[]) AS b (session_id, bucket, folded)
             CROSS JOIN LATERAL (
               SELECT g.user_id FROM session_gifters g
                WHERE b.folded AND g.profile_id = $1 AND g.session_id = b.session_id
               UNION ALL
               SELECT sv.user_id FROM session_viewers sv
                WHERE NOT b.folded AND sv.profile_id = $1 AND sv.session_id = b.session_id
                  AND sv.gifts > 0
             ) AS u
            GROUP BY b.bucket`,
          [this.profileId, ids, indexes, folded],
        );
        for (const row of counted.rows) list[row.bucket]!.bucket.gifters = Number(row.gifters);
      }
      return list.map((entry) => entry.bucket);
    });
  }

  async leaderboard(query: LeaderboardQuery): Promise<ViewerTotals[]> {
    return guard('reading a leaderboard', () => this.leaderboardOf(query));
  }

  private async leaderboardOf(query: LeaderboardQuery): Promise<ViewerTotals[]> {
    const column = metricColumn(query.metric);
    const { scope, limit } = query;
    if (scope.kind === 'session') {
      const { rows } = await this.pool.query<SessionViewerRow>(
        `SELECT * FROM session_viewers
          WHERE profile_id = $1 AND session_id = $2 AND ${column} > 0
          ORDER BY ${column} DESC, user_id COLLATE "C" LIMIT $3`,
        [this.profileId, scope.sessionId, limit],
      );
      return rows.map(toViewer);
    }
    if (scope.kind === 'range') {
      // One statement: one snapshot.
      const { rows } = await this.pool.query<SessionViewerRow>(
        `WITH chosen AS (
           SELECT id FROM sessions
            WHERE profile_id = $1 AND started_at >= $2 AND started_at < $3
         ), top AS (
           SELECT user_id FROM session_viewers
            WHERE profile_id = $1 AND session_id IN (SELECT id FROM chosen) AND ${column} > 0
            GROUP BY user_id ORDER BY sum(${column}) DESC, user_id COLLATE "C" LIMIT $4
         )
         SELECT * FROM session_viewers
          WHERE profile_id = $1 AND session_id IN (SELECT id FROM chosen)
            AND user_id IN (SELECT user_id FROM top)
          ORDER BY session_id, user_id COLLATE "C"`,
        [this.profileId, bound(scope.start), bound(scope.end), limit],
      );
      return rank(sumViewers(rows), query.metric, limit);
    }
    return this.snapshot('reading a leaderboard', (client) =>
      this.allTimeLeaderboard(client, query.metric, limit),
    );
  }

  async viewer(userId: string): Promise<ViewerHistory | null> {
    return this.snapshot("reading a viewer's history", async (client) => {
      const params = [this.profileId, userId];
      const folded = (
        await client.query<ViewerTotalsRow & { imported: number; gift_sessions: number }>(
          `SELECT vt.*,
                  (SELECT count(*) FROM imported_viewers
                    WHERE profile_id = $1 AND user_id = $2) AS imported,
                  (SELECT count(*) FROM session_gifters
                    WHERE profile_id = $1 AND user_id = $2) AS gift_sessions
             FROM (SELECT 1) AS one
             LEFT JOIN viewer_totals vt ON vt.profile_id = $1 AND vt.user_id = $2`,
          params,
        )
      ).rows[0]!;
      const live = (
        await client.query<SessionViewerRow & { streamer: string; session_started_at: number }>(
          `SELECT sv.*, s.streamer, s.started_at AS session_started_at
             FROM session_viewers sv
             JOIN sessions s ON s.profile_id = sv.profile_id AND s.id = sv.session_id
            WHERE sv.profile_id = $1 AND sv.user_id = $2 AND s.folded = 0
            ORDER BY sv.session_id`,
          params,
        )
      ).rows;
      const hasFolded = folded.user_id !== null;
      if (!hasFolded && live.length === 0) return null;
      const totals = combine(hasFolded ? folded : undefined, live).get(userId)!;
      const recent = (
        await client.query<ViewerSessionGifts>(
          `SELECT g.session_id AS "sessionId", s.streamer, s.started_at AS "startedAt",
                  sv.coins, sv.gifts
             FROM session_gifters g
             JOIN sessions s ON s.profile_id = g.profile_id AND s.id = g.session_id
             JOIN session_viewers sv
               ON sv.profile_id = g.profile_id AND sv.session_id = g.session_id
              AND sv.user_id = g.user_id
            WHERE g.profile_id = $1 AND g.user_id = $2
            ORDER BY g.started_at DESC, g.session_id DESC LIMIT $3`,
          [...params, RECENT_GIFT_SESSIONS],
        )
      ).rows;
      const liveGifts = live.filter((row) => row.gifts > 0);
      for (const row of liveGifts) {
        recent.push({
          sessionId: row.session_id,
          streamer: row.streamer,
          startedAt: row.session_started_at,
          coins: row.coins,
          gifts: row.gifts,
        });
      }
      recent.sort((a, b) => b.startedAt - a.startedAt || b.sessionId - a.sessionId);
      return {
        ...totals.viewer,
        sessions: totals.sessions,
        giftSessions: Number(folded.gift_sessions) + liveGifts.length,
        imported: Number(folded.imported) > 0,
        recentGifts: recent.slice(0, RECENT_GIFT_SESSIONS),
      };
    });
  }

  async allViewers(): Promise<ViewerAllTime[]> {
    return this.snapshot('reading every viewer', async (client) => {
      const sums = new Map<string, Summed>();
      const totals = await client.query<ViewerTotalsRow>(
        'SELECT * FROM viewer_totals WHERE profile_id = $1',
        [this.profileId],
      );
      for (const row of totals.rows) sums.set(row.user_id, fromTotalsRow(row));
      addRows(sums, (await this.openRows(client, null)).rows);
      return [...sums.values()]
        .map((s) => ({ ...s.viewer, sessions: s.sessions }))
        .sort((a, b) => b.coins - a.coins || byUserId(a, b));
    });
  }

  async recap(sessionId: number): Promise<SessionRecap | null> {
    return this.snapshot('reading a recap', async (client) => {
      const row = (
        await client.query<SessionRow & { gifter_rows: number }>(
          `SELECT s.*,
                  (SELECT count(*) FROM session_viewers sv
                    WHERE sv.profile_id = s.profile_id AND sv.session_id = s.id AND sv.gifts > 0)
                    AS gifter_rows
             FROM sessions s WHERE s.profile_id = $1 AND s.id = $2`,
          [this.profileId, sessionId],
        )
      ).rows[0];
      if (!row) return null;
      const previous = (
        await client.query<SessionRow>(
          `SELECT * FROM sessions
            WHERE profile_id = $1
              AND (started_at < $2 OR (started_at = $2 AND id < $3))
              AND (($4::text <> '' AND streamer_id = $4::text)
                   OR (($4::text = '' OR streamer_id = '') AND lower(streamer) = lower($5::text)))
            ORDER BY started_at DESC, id DESC LIMIT 1`,
          [this.profileId, row.started_at, row.id, row.streamer_id, row.streamer],
        )
      ).rows[0];
      // Gifters of this entry with no gift in an earlier entry (folded or still open) nor in
      // imported history, in one statement however many there are.
      const fresh = (
        await client.query<SessionViewerRow & { fresh_count: number }>(
          `SELECT sv.*, count(*) OVER () AS fresh_count
             FROM session_viewers sv
            WHERE sv.profile_id = $1 AND sv.session_id = $2 AND sv.gifts > 0
              AND NOT EXISTS (
                SELECT 1 FROM session_gifters g
                 WHERE g.profile_id = $1 AND g.user_id = sv.user_id
                   AND (g.started_at < $3 OR (g.started_at = $3 AND g.session_id < $2)))
              AND NOT EXISTS (
                SELECT 1 FROM imported_viewers iv
                 WHERE iv.profile_id = $1 AND iv.user_id = sv.user_id AND iv.gifts > 0
                   AND coalesce(iv.first_gift_at, 0) <= $3)
              AND NOT EXISTS (
                SELECT 1 FROM sessions o
                  JOIN session_viewers ov ON ov.profile_id = o.profile_id AND ov.session_id = o.id
                 WHERE o.profile_id = $1 AND o.folded = 0 AND o.id <> $2
                   AND (o.started_at < $3 OR (o.started_at = $3 AND o.id < $2))
                   AND ov.user_id = sv.user_id AND ov.gifts > 0)
            ORDER BY sv.coins DESC, sv.user_id COLLATE "C"
            LIMIT $4`,
          [this.profileId, row.id, row.started_at, FIRST_TIME_GIFTERS],
        )
      ).rows;
      const top = (
        await client.query<SessionViewerRow>(
          `SELECT * FROM session_viewers
            WHERE profile_id = $1 AND session_id = $2 AND coins > 0
            ORDER BY coins DESC, user_id COLLATE "C" LIMIT $3`,
          [this.profileId, row.id, TOP_GIFTERS],
        )
      ).rows;
      const samples = (
        await client.query<{ t: number; coins: number }>(
          `SELECT t, total_coins AS coins FROM session_samples
            WHERE profile_id = $1 AND session_id = $2 ORDER BY t`,
          [this.profileId, row.id],
        )
      ).rows;
      return {
        session: toSession(row),
        durationMs: durationOf(row),
        previous: previous ? toSession(previous) : null,
        difference: previous
          ? {
              viewers: row.viewers - previous.viewers,
              likes: row.likes - previous.likes,
              totalCoins: row.total_coins - previous.total_coins,
              followers: row.followers - previous.followers,
              shares: row.shares - previous.shares,
              gifts: row.gifts - previous.gifts,
              peakViewers: row.peak_viewers - previous.peak_viewers,
              durationMs: durationOf(row) - durationOf(previous),
            }
          : null,
        topGifters: top.map(toViewer),
        gifters: Number(row.gifter_rows),
        newGifters: fresh.length > 0 ? Number(fresh[0]!.fresh_count) : 0,
        firstTimeGifters: fresh.map(toViewer),
        bestMinute: bestMinute(samples),
      };
    });
  }

  async giftBreakdown(sessionId: number): Promise<GiftTotals[] | null> {
    const { rows } = await guard('reading a gift breakdown', () =>
      this.pool.query<Partial<SessionGiftRow>>(
        `SELECT g.* FROM sessions s
         LEFT JOIN session_gifts g ON g.profile_id = s.profile_id AND g.session_id = s.id
        WHERE s.profile_id = $1 AND s.id = $2
        ORDER BY g.coins DESC, g.count DESC, g.gift_id COLLATE "C"`,
        [this.profileId, sessionId],
      ),
    );
    if (rows.length === 0) return null;
    return rows
      .filter((r): r is SessionGiftRow => r.gift_id != null)
      .map((r) => ({
        giftId: r.gift_id,
        giftName: r.gift_name,
        diamonds: r.diamonds,
        count: r.count,
        coins: r.coins,
      }));
  }

  async importHistory(batch: HistoryImport): Promise<ImportOutcome> {
    return guard('importing history', () =>
      inTransaction(this.pool, (client) => this.importInto(client, batch)),
    );
  }

  // ----------------------------------------------------------------------------------------

  private async importInto(client: ClientBase, batch: HistoryImport): Promise<ImportOutcome> {
    // The profile's history row, locked: folds and other imports of this profile wait.
    await client.query(
      `INSERT INTO history_state (profile_id, folds) VALUES ($1, 0)
       ON CONFLICT (profile_id) DO UPDATE SET folds = history_state.folds`,
      [this.profileId],
    );
    const seen = (
      await client.query<{ imported_at: number; session_id: number | null }>(
        `SELECT imported_at, session_id FROM imports
          WHERE profile_id = $1 AND source = $2 AND content_hash = $3`,
        [this.profileId, batch.source, batch.contentHash],
      )
    ).rows[0];
    if (seen) {
      return {
        applied: false,
        importedAt: seen.imported_at,
        sessionId: seen.session_id,
        viewersChanged: 0,
      };
    }
    const now = this.now();
    const sessionId = batch.entry
      ? await this.importEntry(client, batch.source, batch.entry, now)
      : null;
    let changed = 0;
    let done = 0;
    for (const round of rounds(batch.viewers)) {
      for (let i = 0; i < round.length; i += IMPORT_CHUNK) {
        const chunk = round.slice(i, i + IMPORT_CHUNK);
        changed += await this.importViewers(client, batch.source, chunk);
        done += chunk.length;
        if (done < batch.viewers.length) batch.onProgress?.(done, batch.viewers.length);
      }
    }
    batch.onProgress?.(batch.viewers.length, batch.viewers.length);
    await client.query(
      `INSERT INTO imports (profile_id, source, file_name, content_hash, imported_at,
                            session_id, viewers)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        this.profileId,
        batch.source,
        batch.fileName,
        batch.contentHash,
        now,
        sessionId,
        batch.viewers.length,
      ],
    );
    if (changed > 0) await bump(client, this.profileId);
    return { applied: true, importedAt: now, sessionId, viewersChanged: changed };
  }

  private async allTimeLeaderboard(
    client: ClientBase,
    metric: LeaderboardMetric,
    limit: number,
  ): Promise<ViewerTotals[]> {
    const column = metricColumn(metric);
    // Folded totals only grow with what the open entries add, so the top `limit` overall are
    // among the folded top `limit` and the viewers of the open entries. The folded top is
    // the kept list while it is valid, else a scan (reads never write).
    const top = await client.query<{ user_id: string }>(
      `WITH valid AS (
         SELECT EXISTS (
           SELECT 1 FROM viewer_top_state s
            WHERE s.profile_id = $1 AND s.metric = $2
              AND s.folds = coalesce((SELECT folds FROM history_state WHERE profile_id = $1), 0)
         ) AS ok
       )
       SELECT t.user_id FROM viewer_top t
        WHERE (SELECT ok FROM valid) AND t.profile_id = $1 AND t.metric = $2 AND t.position < $3
       UNION ALL
       (SELECT vt.user_id FROM viewer_totals vt
         WHERE NOT (SELECT ok FROM valid) AND vt.profile_id = $1 AND vt.${column} > 0
         ORDER BY vt.${column} DESC, vt.user_id COLLATE "C" LIMIT $3)`,
      [this.profileId, metric, Math.min(limit, TOP_KEPT)],
    );
    const topIds = top.rows.map((r) => r.user_id);
    const live = (await this.openRows(client, { column, users: topIds })).rows;
    const wanted = new Set(topIds);
    for (const row of live) wanted.add(row.user_id);
    const folded = await client.query<ViewerTotalsRow>(
      'SELECT * FROM viewer_totals WHERE profile_id = $1 AND user_id = ANY($2::text[])',
      [this.profileId, [...wanted]],
    );
    const combined = new Map<string, Summed>();
    for (const row of folded.rows) combined.set(row.user_id, fromTotalsRow(row));
    addRows(combined, live);
    return rank(combined, metric, limit);
  }

  /**
   * Rows of the entries not folded yet, in entry order: all of them, or (for a leaderboard)
   * those with some of `column` or of one of `users`.
   */
  private openRows(
    client: ClientBase,
    only: { column: string; users: string[] } | null,
  ): Promise<{ rows: SessionViewerRow[] }> {
    const filter = only ? `AND (sv.${only.column} > 0 OR sv.user_id = ANY($2::text[]))` : '';
    return client.query<SessionViewerRow>(
      `SELECT sv.* FROM session_viewers sv
         JOIN sessions s ON s.profile_id = sv.profile_id AND s.id = sv.session_id
        WHERE sv.profile_id = $1 AND s.folded = 0 ${filter}
        ORDER BY sv.session_id, sv.user_id COLLATE "C"`,
      only ? [this.profileId, only.users] : [this.profileId],
    );
  }

  private async importEntry(
    client: ClientBase,
    source: string,
    entry: ImportedEntry,
    now: number,
  ): Promise<number> {
    const known = (
      await client.query<{ session_id: number }>(
        `SELECT session_id FROM imported_entries
          WHERE profile_id = $1 AND source = $2 AND entry_key = $3`,
        [this.profileId, source, entry.key],
      )
    ).rows[0]?.session_id;
    const s = entry.stats;
    const six = [s.viewers, s.likes, s.totalCoins, s.followers, s.shares, s.gifts];
    if (known !== undefined) {
      await client.query(
        `UPDATE sessions SET viewers = $3, likes = $4, total_coins = $5, followers = $6,
           shares = $7, gifts = $8, peak_viewers = greatest(peak_viewers, $3), updated_at = $9
         WHERE profile_id = $1 AND id = $2`,
        [this.profileId, known, ...six, now],
      );
      return Number(known);
    }
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO sessions (profile_id, streamer, streamer_id, room_id, started_at, ended_at,
                             end_reason, viewers, likes, total_coins, followers, shares, gifts,
                             peak_viewers, updated_at, folded, gifters)
       VALUES ($1, $2, '', 'imported', $3, $3, 'imported', $4, $5, $6, $7, $8, $9, $4, $10, 1, 0)
       RETURNING id`,
      [this.profileId, entry.streamer, entry.at, ...six, now],
    );
    const id = Number(inserted.rows[0]!.id);
    await client.query(
      `INSERT INTO imported_entries (profile_id, source, entry_key, session_id)
       VALUES ($1, $2, $3, $4)`,
      [this.profileId, source, entry.key, id],
    );
    return id;
  }

  /**
   * Replaces what earlier imports said about these viewers (each user at most once here);
   * all-time totals move by the change. A few statements for the whole chunk. Returns how
   * many changed.
   */
  private async importViewers(
    client: ClientBase,
    source: string,
    viewers: readonly ImportedViewer[],
  ): Promise<number> {
    const before = new Map<string, ImportedViewerRow>();
    const found = await client.query<ImportedViewerRow>(
      `SELECT iv.* FROM imported_viewers iv
         JOIN unnest($3::text[], $4::text[]) AS k (user_id, streamer_key)
           ON iv.user_id = k.user_id AND iv.streamer_key = k.streamer_key
        WHERE iv.profile_id = $1 AND iv.source = $2`,
      [this.profileId, source, viewers.map((v) => v.userId), viewers.map((v) => v.streamerKey)],
    );
    for (const row of found.rows) before.set(`${row.user_id}\u0000${row.streamer_key}`, row);
    const changed: { v: ImportedViewer; delta: Record<DeltaField, number> }[] = [];
    for (const v of viewers) {
      const old = before.get(`${v.userId}\u0000${v.streamerKey}`);
      const delta = {
        coins: v.coins - (old?.coins ?? 0),
        gifts: v.gifts - (old?.gifts ?? 0),
        likes: v.likes - (old?.likes ?? 0),
        comments: v.comments - (old?.comments ?? 0),
        shares: v.shares - (old?.shares ?? 0),
        follows: v.follows - (old?.follows ?? 0),
      };
      const same =
        old !== undefined &&
        Object.values(delta).every((d) => d === 0) &&
        old.handle === v.handle &&
        old.nickname === v.nickname &&
        old.first_seen === v.firstSeen &&
        old.last_seen === v.lastSeen &&
        old.first_gift_at === v.firstGiftAt;
      if (!same) changed.push({ v, delta });
    }
    if (changed.length === 0) return 0;
    const vs = changed.map((c) => c.v);
    const column = <T>(pick: (v: ImportedViewer) => T) => vs.map(pick);
    await client.query(
      `INSERT INTO imported_viewers
         (profile_id, source, user_id, streamer_key, handle, nickname, coins, gifts, likes,
          comments, shares, follows, first_seen, last_seen, first_gift_at)
       SELECT $1::bigint, $2::text, v.* FROM unnest($3::text[], $4::text[], $5::text[], $6::text[],
                                      $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[],
                                      $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[],
                                      $15::bigint[]) AS v
       ON CONFLICT (profile_id, source, user_id, streamer_key) DO UPDATE SET
         handle = excluded.handle, nickname = excluded.nickname, coins = excluded.coins,
         gifts = excluded.gifts, likes = excluded.likes, comments = excluded.comments,
         shares = excluded.shares, follows = excluded.follows,
         first_seen = excluded.first_seen, last_seen = excluded.last_seen,
         first_gift_at = excluded.first_gift_at`,
      [
        this.profileId,
        source,
        column((v) => v.userId),
        column((v) => v.streamerKey),
        column((v) => v.handle),
        column((v) => v.nickname),
        column((v) => v.coins),
        column((v) => v.gifts),
        column((v) => v.likes),
        column((v) => v.comments),
        column((v) => v.shares),
        column((v) => v.follows),
        column((v) => v.firstSeen),
        column((v) => v.lastSeen),
        column((v) => v.firstGiftAt),
      ],
    );
    // Known viewers move by the change (never below 0); the others start from it.
    const deltas = DELTA_FIELDS.map((field) => changed.map((c) => c.delta[field]));
    const params = [
      this.profileId,
      column((v) => v.userId),
      column((v) => v.handle),
      column((v) => v.nickname),
      ...deltas,
      column((v) => v.firstSeen),
      column((v) => v.lastSeen),
    ];
    const input = `unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                          $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[],
                          $11::bigint[], $12::bigint[])
                   AS d (user_id, handle, nickname, coins, gifts, likes, comments, shares,
                         follows, first_seen, last_seen)`;
    await client.query(
      `WITH d AS (SELECT * FROM ${input}),
       updated AS (
         UPDATE viewer_totals vt SET
           handle = CASE WHEN d.handle <> '' AND (vt.handle = ''
                      OR coalesce(d.last_seen, 0) >= coalesce(vt.last_seen, 0))
                    THEN d.handle ELSE vt.handle END,
           nickname = CASE WHEN d.nickname <> '' AND (vt.nickname = ''
                        OR coalesce(d.last_seen, 0) >= coalesce(vt.last_seen, 0))
                      THEN d.nickname ELSE vt.nickname END,
           coins = greatest(vt.coins + d.coins, 0), gifts = greatest(vt.gifts + d.gifts, 0),
           likes = greatest(vt.likes + d.likes, 0),
           comments = greatest(vt.comments + d.comments, 0),
           shares = greatest(vt.shares + d.shares, 0),
           follows = greatest(vt.follows + d.follows, 0),
           first_seen = least(coalesce(vt.first_seen, d.first_seen),
                              coalesce(d.first_seen, vt.first_seen)),
           last_seen = greatest(coalesce(vt.last_seen, d.last_seen),
                                coalesce(d.last_seen, vt.last_seen))
           FROM d
          WHERE vt.profile_id = $1 AND vt.user_id = d.user_id
         RETURNING vt.user_id
       )
       INSERT INTO viewer_totals (profile_id, user_id, handle, nickname, coins, gifts, likes,
                                  comments, shares, follows, sessions, first_seen, last_seen)
       SELECT $1::bigint, d.user_id, d.handle, d.nickname, greatest(d.coins, 0), greatest(d.gifts, 0),
              greatest(d.likes, 0), greatest(d.comments, 0), greatest(d.shares, 0),
              greatest(d.follows, 0), 0, d.first_seen, d.last_seen
         FROM d WHERE d.user_id NOT IN (SELECT user_id FROM updated)`,
      params,
    );
    return changed.length;
  }

  /** `fn` on one read-only snapshot of the database. */
  private snapshot<T>(doing: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return guard(doing, () =>
      // withClient drops a connection that failed on the way.
      withClient(this.pool, async (client) => {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        try {
          const result = await fn(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      }),
    );
  }
}

/** Runs `work`; a database that cannot be reached becomes a clear `database_unreachable`. */
async function guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw pgFailure(error, doing) ?? error;
  }
}

// ------------------------------------------------------------------------------------------

const RECENT_GIFT_SESSIONS = 20;
const FIRST_TIME_GIFTERS = 50;
const TOP_GIFTERS = 5;
const MINUTE = 60_000;
/** Viewers written per statement by an import. */
const IMPORT_CHUNK = 5000;

const DELTA_FIELDS = ['coins', 'gifts', 'likes', 'comments', 'shares', 'follows'] as const;
type DeltaField = (typeof DELTA_FIELDS)[number];

type SummaryRow = Pick<
  SessionRow,
  | 'id'
  | 'started_at'
  | 'ended_at'
  | 'updated_at'
  | 'peak_viewers'
  | 'likes'
  | 'total_coins'
  | 'followers'
  | 'shares'
  | 'gifts'
  | 'folded'
  | 'gifters'
>;

/** The column of a metric; SQL is only ever built from the fixed list. */
function metricColumn(metric: LeaderboardMetric): string {
  if (!LEADERBOARD_METRICS.includes(metric)) {
    throw new RangeError(`unknown leaderboard metric ${String(metric)}`);
  }
  return metric;
}

/**
 * An import's viewers split so that no user appears twice in one part, in order: a part is
 * written with a few statements (one row per user), and a user's rows still apply one
 * after another, as SQLite applies them.
 */
function rounds(viewers: readonly ImportedViewer[]): ImportedViewer[][] {
  const seen = new Map<string, number>();
  const parts: ImportedViewer[][] = [];
  for (const v of viewers) {
    const n = seen.get(v.userId) ?? 0;
    seen.set(v.userId, n + 1);
    (parts[n] ??= []).push(v);
  }
  return parts;
}

/**
 * The minute with the most coins, from the 10-second samples (see SQLite's bestMinute: a
 * sample holds the counters as they stood at its time).
 */
function bestMinute(samples: readonly { t: number; coins: number }[]): BestMinute | null {
  let best: BestMinute | null = null;
  let before = 0;
  for (let i = 0; i < samples.length;) {
    const minute = Math.floor((samples[i]!.t - 1) / MINUTE);
    let last = samples[i]!.coins;
    while (i < samples.length && Math.floor((samples[i]!.t - 1) / MINUTE) === minute) {
      last = samples[i]!.coins;
      i++;
    }
    const gained = last - before;
    if (gained > 0 && (!best || gained > best.coins))
      best = { start: minute * MINUTE, coins: gained };
    before = last;
  }
  return best;
}
