import { bucketLabel } from '../domain/calendar.js';
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
} from './history-rows.js';
import type { LeaderboardMetric, ViewerTotals } from '../domain/history.js';
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
} from './history-repository.js';
import type { SqliteDatabase, SqliteStatement } from './open-database.js';
import { decodeGifterKeys } from './sqlite-history-folds.js';
import { ViewerTop } from './sqlite-viewer-top.js';
import type {
  ImportedViewerRow,
  SessionGiftRow,
  SessionRow,
  SessionViewerRow,
  ViewerTotalsRow,
} from './rows.js';

/** Column of each leaderboard metric; SQL is only ever built from this fixed table. */
const METRIC_COLUMN: Record<LeaderboardMetric, string> = {
  coins: 'coins',
  gifts: 'gifts',
  likes: 'likes',
  comments: 'comments',
  shares: 'shares',
};

const RECENT_GIFT_SESSIONS = 20;
const FIRST_TIME_GIFTERS = 50;
const TOP_GIFTERS = 5;
const MINUTE = 60_000;
/** What a summary reads of an entry (all in the `sessions_for_summary` index). */
const SUMMARY_COLUMNS = `id, started_at, ended_at, updated_at, peak_viewers, likes, total_coins,
  followers, shares, gifts, folded, gifters`;
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

/**
 * The history questions answered from one profile's SQLite file. Read-only except for
 * `importHistory`, so it works on a read-only connection beside a running server.
 */
export class SqliteHistory implements HistoryRepository {
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly top: ViewerTop;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.top = new ViewerTop(db);
  }

  async summary(query: SummaryQuery): Promise<SummaryBucket[]> {
    const rows = this.sql(
      `SELECT ${SUMMARY_COLUMNS} FROM sessions
        WHERE started_at >= ? AND started_at < ? ORDER BY started_at, id`,
    ).all(bound(query.start), bound(query.end)) as SummaryRow[];
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
    const seen = new GifterStamps();
    for (const { bucket, rows: entries } of buckets.values()) {
      bucket.gifters = this.distinctGifters(entries, seen);
    }
    return [...buckets.values()].map((entry) => entry.bucket);
  }

  async leaderboard(query: LeaderboardQuery): Promise<ViewerTotals[]> {
    const column = METRIC_COLUMN[query.metric];
    if (!column) throw new RangeError(`unknown leaderboard metric ${String(query.metric)}`);
    const { scope, limit } = query;
    if (scope.kind === 'session') {
      const rows = this.sql(
        `SELECT * FROM session_viewers WHERE session_id = ? AND ${column} > 0
          ORDER BY ${column} DESC, user_id LIMIT ?`,
      ).all(scope.sessionId, limit) as SessionViewerRow[];
      return rows.map(toViewer);
    }
    if (scope.kind === 'range') {
      const ids = this.sql(
        `SELECT user_id FROM session_viewers
          WHERE session_id IN (SELECT id FROM sessions WHERE started_at >= ? AND started_at < ?)
            AND ${column} > 0
          GROUP BY user_id ORDER BY sum(${column}) DESC, user_id LIMIT ?`,
      )
        .pluck()
        .all(bound(scope.start), bound(scope.end), limit) as string[];
      if (ids.length === 0) return [];
      const rows = this.sql(
        `SELECT * FROM session_viewers
          WHERE session_id IN (SELECT id FROM sessions WHERE started_at >= ? AND started_at < ?)
            AND user_id IN (SELECT value FROM json_each(?))`,
      ).all(bound(scope.start), bound(scope.end), JSON.stringify(ids)) as SessionViewerRow[];
      return rank(sumViewers(rows), query.metric, limit);
    }
    return this.allTimeLeaderboard(query.metric, column, limit);
  }

  async viewer(userId: string): Promise<ViewerHistory | null> {
    const folded = this.sql('SELECT * FROM viewer_totals WHERE user_id = ?').get(userId) as
      ViewerTotalsRow | undefined;
    const live = this.sql(
      `SELECT sv.* FROM session_viewers sv
        WHERE sv.session_id IN (SELECT id FROM sessions WHERE folded = 0) AND sv.user_id = ?`,
    ).all(userId) as SessionViewerRow[];
    if (!folded && live.length === 0) return null;
    const totals = combine(folded, live).get(userId)!;
    const imported = this.sql('SELECT count(*) FROM imported_viewers WHERE user_id = ?')
      .pluck()
      .get(userId) as number;
    const foldedGiftSessions = this.sql('SELECT count(*) FROM session_gifters WHERE user_id = ?')
      .pluck()
      .get(userId) as number;
    const recent = this.sql(
      `SELECT g.session_id AS sessionId, s.streamer, s.started_at AS startedAt,
              sv.coins, sv.gifts
         FROM session_gifters g
         JOIN sessions s ON s.id = g.session_id
         JOIN session_viewers sv ON sv.session_id = g.session_id AND sv.user_id = g.user_id
        WHERE g.user_id = ?
        ORDER BY g.started_at DESC, g.session_id DESC LIMIT ?`,
    ).all(userId, RECENT_GIFT_SESSIONS) as ViewerSessionGifts[];
    const liveGifts = live.filter((row) => row.gifts > 0);
    for (const row of liveGifts) {
      const session = this.sessionRow(row.session_id);
      if (!session) continue;
      recent.push({
        sessionId: row.session_id,
        streamer: session.streamer,
        startedAt: session.started_at,
        coins: row.coins,
        gifts: row.gifts,
      });
    }
    recent.sort((a, b) => b.startedAt - a.startedAt || b.sessionId - a.sessionId);
    return {
      ...totals.viewer,
      sessions: totals.sessions,
      giftSessions: foldedGiftSessions + liveGifts.length,
      imported: imported > 0,
      recentGifts: recent.slice(0, RECENT_GIFT_SESSIONS),
    };
  }

  async allViewers(): Promise<ViewerAllTime[]> {
    const sums = new Map<string, Summed>();
    for (const row of this.sql(
      'SELECT * FROM viewer_totals',
    ).iterate() as Iterable<ViewerTotalsRow>)
      sums.set(row.user_id, fromTotalsRow(row));
    addRows(
      sums,
      this.sql(
        'SELECT * FROM session_viewers WHERE session_id IN (SELECT id FROM sessions WHERE folded = 0)',
      ).all() as SessionViewerRow[],
    );
    return [...sums.values()]
      .map((s) => ({ ...s.viewer, sessions: s.sessions }))
      .sort((a, b) => b.coins - a.coins || byUserId(a, b));
  }

  async recap(sessionId: number): Promise<SessionRecap | null> {
    const row = this.sessionRow(sessionId);
    if (!row) return null;
    const previous = this.sql(
      `SELECT * FROM sessions
        WHERE (started_at < @startedAt OR (started_at = @startedAt AND id < @id))
          AND ((@streamerId <> '' AND streamer_id = @streamerId)
               OR ((@streamerId = '' OR streamer_id = '') AND lower(streamer) = lower(@streamer)))
        ORDER BY started_at DESC, id DESC LIMIT 1`,
    ).get({
      startedAt: row.started_at,
      id: row.id,
      streamerId: row.streamer_id,
      streamer: row.streamer,
    }) as SessionRow | undefined;
    const gifters = this.gifterRows(row);
    const fresh = this.firstTimeGifters(row, gifters);
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
      topGifters: await this.leaderboard({
        metric: 'coins',
        scope: { kind: 'session', sessionId },
        limit: TOP_GIFTERS,
      }),
      gifters: gifters.length,
      newGifters: fresh.length,
      firstTimeGifters: fresh.slice(0, FIRST_TIME_GIFTERS).map(toViewer),
      bestMinute: this.bestMinute(sessionId),
    };
  }

  async giftBreakdown(sessionId: number): Promise<GiftTotals[] | null> {
    if (!this.sessionRow(sessionId)) return null;
    const rows = this.sql(
      `SELECT * FROM session_gifts WHERE session_id = ?
        ORDER BY coins DESC, count DESC, gift_id`,
    ).all(sessionId) as SessionGiftRow[];
    return rows.map((r) => ({
      giftId: r.gift_id,
      giftName: r.gift_name,
      diamonds: r.diamonds,
      count: r.count,
      coins: r.coins,
    }));
  }

  async importHistory(batch: HistoryImport): Promise<ImportOutcome> {
    return this.db.transaction((): ImportOutcome => {
      const seen = this.sql(
        'SELECT imported_at, session_id FROM imports WHERE source = ? AND content_hash = ?',
      ).get(batch.source, batch.contentHash) as
        { imported_at: number; session_id: number | null } | undefined;
      if (seen) {
        return {
          applied: false,
          importedAt: seen.imported_at,
          sessionId: seen.session_id,
          viewersChanged: 0,
        };
      }
      const now = this.now();
      const sessionId = batch.entry ? this.importEntry(batch.source, batch.entry, now) : null;
      let changed = 0;
      batch.viewers.forEach((viewer, i) => {
        if (this.importViewer(batch.source, viewer)) changed++;
        if ((i + 1) % 5000 === 0) batch.onProgress?.(i + 1, batch.viewers.length);
      });
      batch.onProgress?.(batch.viewers.length, batch.viewers.length);
      this.sql(
        `INSERT INTO imports (source, file_name, content_hash, imported_at, session_id, viewers)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(batch.source, batch.fileName, batch.contentHash, now, sessionId, batch.viewers.length);
      if (changed > 0) this.sql('UPDATE history_state SET folds = folds + 1 WHERE id = 1').run();
      return { applied: true, importedAt: now, sessionId, viewersChanged: changed };
    })();
  }

  // ----------------------------------------------------------------------------------------

  private allTimeLeaderboard(
    metric: LeaderboardMetric,
    column: string,
    limit: number,
  ): ViewerTotals[] {
    // Folded totals only grow with what the open entries add, so the top `limit` overall are
    // among the folded top `limit` and the viewers of the open entries.
    const top = this.top.top(metric).slice(0, limit);
    const folded = new Map(top.map((row) => [row.user_id, row]));
    const live = this.sql(
      `SELECT * FROM session_viewers
        WHERE session_id IN (SELECT id FROM sessions WHERE folded = 0)
          AND (${column} > 0 OR user_id IN (SELECT value FROM json_each(?)))`,
    ).all(JSON.stringify([...folded.keys()])) as SessionViewerRow[];
    const lookup = this.sql('SELECT * FROM viewer_totals WHERE user_id = ?');
    for (const row of live) {
      if (folded.has(row.user_id)) continue;
      const found = lookup.get(row.user_id) as ViewerTotalsRow | undefined;
      if (found) folded.set(row.user_id, found);
    }
    const combined = new Map<string, Summed>();
    for (const row of folded.values()) combined.set(row.user_id, fromTotalsRow(row));
    addRows(combined, live);
    return rank(combined, metric, limit);
  }

  /** Distinct gifters over entries: from the fold when ended, from their rows when open. */
  private distinctGifters(rows: SummaryRow[], seen: GifterStamps): number {
    if (rows.length === 1) {
      const only = rows[0]!;
      if (only.folded === 1 && only.gifters !== null) return only.gifters;
    }
    if (rows.every((r) => r.folded === 1)) {
      const arrays: Int32Array[] = [];
      for (const row of rows) {
        const blob = this.sql('SELECT keys FROM session_gifter_keys WHERE session_id = ?')
          .pluck()
          .get(row.id) as Uint8Array | undefined;
        if (!blob) return this.distinctGiftersBySql(rows);
        arrays.push(decodeGifterKeys(blob));
      }
      return seen.countDistinct(arrays);
    }
    return this.distinctGiftersBySql(rows);
  }

  /** The slow way, for a bucket with an open entry (there is at most one or two). */
  private distinctGiftersBySql(rows: SummaryRow[]): number {
    const folded = rows.filter((r) => r.folded === 1).map((r) => r.id);
    const open = rows.filter((r) => r.folded !== 1).map((r) => r.id);
    return this.sql(
      `SELECT count(*) FROM (
         SELECT user_id FROM session_gifters
          WHERE session_id IN (SELECT value FROM json_each(?))
         UNION
         SELECT user_id FROM session_viewers
          WHERE session_id IN (SELECT value FROM json_each(?)) AND gifts > 0)`,
    )
      .pluck()
      .get(JSON.stringify(folded), JSON.stringify(open)) as number;
  }

  private gifterRows(session: SessionRow): SessionViewerRow[] {
    return this.sql(
      `SELECT * FROM session_viewers WHERE session_id = ? AND gifts > 0
        ORDER BY coins DESC, user_id`,
    ).all(session.id) as SessionViewerRow[];
  }

  /** Gifters of `session` with no gift in any earlier entry nor in imported history. */
  private firstTimeGifters(session: SessionRow, gifters: SessionViewerRow[]): SessionViewerRow[] {
    const earlierFolded = this.sql(
      `SELECT 1 FROM session_gifters
        WHERE user_id = @userId
          AND (started_at < @startedAt OR (started_at = @startedAt AND session_id < @id))
        LIMIT 1`,
    );
    const imported = this.sql(
      `SELECT 1 FROM imported_viewers
        WHERE user_id = ? AND gifts > 0 AND coalesce(first_gift_at, 0) <= ? LIMIT 1`,
    );
    const openEarlier = this.sql(
      `SELECT id FROM sessions
        WHERE folded = 0 AND id <> @id
          AND (started_at < @startedAt OR (started_at = @startedAt AND id < @id))`,
    )
      .pluck()
      .all({ id: session.id, startedAt: session.started_at }) as number[];
    const openGift = this.sql(
      'SELECT 1 FROM session_viewers WHERE session_id = ? AND user_id = ? AND gifts > 0',
    );
    return gifters.filter((g) => {
      const params = { userId: g.user_id, startedAt: session.started_at, id: session.id };
      if (earlierFolded.get(params)) return false;
      if (imported.get(g.user_id, session.started_at)) return false;
      return !openEarlier.some((id) => openGift.get(id, g.user_id));
    });
  }

  /**
   * The minute with the most coins, from the 10-second samples: a sample holds the counters
   * as they stood at its time, so a minute's coins are the last value at or before its end
   * minus the last value at or before its start.
   */
  private bestMinute(sessionId: number): BestMinute | null {
    const samples = this.sql(
      'SELECT t, total_coins AS coins FROM session_samples WHERE session_id = ? ORDER BY t',
    ).all(sessionId) as { t: number; coins: number }[];
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

  private importEntry(source: string, entry: ImportedEntry, now: number): number {
    const known = this.sql(
      'SELECT session_id FROM imported_entries WHERE source = ? AND entry_key = ?',
    )
      .pluck()
      .get(source, entry.key) as number | undefined;
    const six = {
      viewers: entry.stats.viewers,
      likes: entry.stats.likes,
      totalCoins: entry.stats.totalCoins,
      followers: entry.stats.followers,
      shares: entry.stats.shares,
      gifts: entry.stats.gifts,
    };
    if (known !== undefined) {
      this.sql(
        `UPDATE sessions SET viewers = @viewers, likes = @likes, total_coins = @totalCoins,
           followers = @followers, shares = @shares, gifts = @gifts,
           peak_viewers = max(peak_viewers, @viewers), updated_at = @now WHERE id = @id`,
      ).run({ ...six, now, id: known });
      return known;
    }
    const id = Number(
      this.sql(
        `INSERT INTO sessions (streamer, streamer_id, room_id, started_at, ended_at, end_reason,
                               viewers, likes, total_coins, followers, shares, gifts, peak_viewers,
                               updated_at, folded, gifters)
         VALUES (@streamer, '', 'imported', @at, @at, 'imported', @viewers, @likes, @totalCoins,
                 @followers, @shares, @gifts, @viewers, @now, 1, 0)`,
      ).run({ ...six, streamer: entry.streamer, at: entry.at, now }).lastInsertRowid,
    );
    this.sql('INSERT INTO imported_entries (source, entry_key, session_id) VALUES (?, ?, ?)').run(
      source,
      entry.key,
      id,
    );
    return id;
  }

  /** Replaces what an earlier import said about this viewer; all-time totals move by the change. */
  private importViewer(source: string, v: ImportedViewer): boolean {
    const before = this.sql(
      'SELECT * FROM imported_viewers WHERE source = ? AND user_id = ? AND streamer_key = ?',
    ).get(source, v.userId, v.streamerKey) as ImportedViewerRow | undefined;
    const delta = {
      coins: v.coins - (before?.coins ?? 0),
      gifts: v.gifts - (before?.gifts ?? 0),
      likes: v.likes - (before?.likes ?? 0),
      comments: v.comments - (before?.comments ?? 0),
      shares: v.shares - (before?.shares ?? 0),
      follows: v.follows - (before?.follows ?? 0),
    };
    const same =
      before !== undefined &&
      Object.values(delta).every((d) => d === 0) &&
      before.handle === v.handle &&
      before.nickname === v.nickname &&
      before.first_seen === v.firstSeen &&
      before.last_seen === v.lastSeen &&
      before.first_gift_at === v.firstGiftAt;
    if (same) return false;
    this.sql(
      `INSERT OR REPLACE INTO imported_viewers
         (source, user_id, streamer_key, handle, nickname, coins, gifts, likes, comments, shares,
          follows, first_seen, last_seen, first_gift_at)
       VALUES (@source, @userId, @streamerKey, @handle, @nickname, @coins, @gifts, @likes,
               @comments, @shares, @follows, @firstSeen, @lastSeen, @firstGiftAt)`,
    ).run({ ...v, source });
    this.sql(
      `INSERT INTO viewer_totals (user_id, handle, nickname, coins, gifts, likes, comments, shares,
                                  follows, sessions, first_seen, last_seen)
       VALUES (@userId, @handle, @nickname, max(@coins, 0), max(@gifts, 0), max(@likes, 0),
               max(@comments, 0), max(@shares, 0), max(@follows, 0), 0, @firstSeen, @lastSeen)
       ON CONFLICT (user_id) DO UPDATE SET
         handle = CASE WHEN excluded.handle <> '' AND (handle = ''
                    OR coalesce(excluded.last_seen, 0) >= coalesce(last_seen, 0))
                  THEN excluded.handle ELSE handle END,
         nickname = CASE WHEN excluded.nickname <> '' AND (nickname = ''
                      OR coalesce(excluded.last_seen, 0) >= coalesce(last_seen, 0))
                    THEN excluded.nickname ELSE nickname END,
         coins = max(coins + @coins, 0), gifts = max(gifts + @gifts, 0),
         likes = max(likes + @likes, 0), comments = max(comments + @comments, 0),
         shares = max(shares + @shares, 0), follows = max(follows + @follows, 0),
         first_seen = min(coalesce(first_seen, excluded.first_seen),
                          coalesce(excluded.first_seen, first_seen)),
         last_seen = max(coalesce(last_seen, excluded.last_seen),
                         coalesce(excluded.last_seen, last_seen))`,
    ).run({
      ...delta,
      userId: v.userId,
      handle: v.handle,
      nickname: v.nickname,
      firstSeen: v.firstSeen,
      lastSeen: v.lastSeen,
    });
    return true;
  }

  private sessionRow(id: number): SessionRow | undefined {
    return this.sql('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
  }

  private sql(text: string): SqliteStatement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}

// Rows → domain --------------------------------------------------------------------------

/**
 * Counts distinct gifter keys over a bucket's entries without a Set: each key's slot holds
 * the number of the last bucket that saw it. One array for all buckets of a summary.
 */
class GifterStamps {
  private stamps = new Int32Array(1024);
  private bucket = 0;

  countDistinct(arrays: readonly Int32Array[]): number {
    const stamp = ++this.bucket;
    let count = 0;
    for (const keys of arrays) {
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (key >= this.stamps.length) this.grow(key);
        if (this.stamps[key] !== stamp) {
          this.stamps[key] = stamp;
          count++;
        }
      }
    }
    return count;
  }

  private grow(key: number): void {
    let size = this.stamps.length;
    while (size <= key) size *= 2;
    const grown = new Int32Array(size);
    grown.set(this.stamps);
    this.stamps = grown;
  }
}
