import type { LeaderboardMetric } from '../domain/history.js';
import { LEADERBOARD_METRICS } from '../domain/history.js';
import type { SqliteDatabase, SqliteStatement } from './open-database.js';
import type { ViewerTotalsRow } from './rows.js';

/** How many of the folded top viewers per metric are kept (the API's largest limit). */
export const TOP_KEPT = 100;

/**
 * The folded top viewers of each metric, kept in `viewer_top` so that an all-time
 * leaderboard never scans `viewer_totals`. A list is valid while `viewer_top_state.folds`
 * equals `history_state.folds`.
 *
 * A fold only adds to totals, so the new top of a metric is the old top merged with the
 * folded entry's viewers: exact, and about as cheap as the entry is small. An unfold or an
 * import can lower totals; the lists are then rebuilt by one scan when next asked for.
 */
export class ViewerTop {
  private readonly folds: SqliteStatement;
  private readonly state: SqliteStatement;
  private readonly list: SqliteStatement;
  private readonly entrants: SqliteStatement;
  private readonly clear: SqliteStatement;
  private readonly insert: SqliteStatement;
  private readonly mark: SqliteStatement;
  private readonly scans = new Map<LeaderboardMetric, SqliteStatement>();
  /** Lists rebuilt by a read, until the next fold stores them. */
  private readonly memory = new Map<
    LeaderboardMetric,
    { folds: number; rows: ViewerTotalsRow[] }
  >();

  constructor(private readonly db: SqliteDatabase) {
    this.folds = db.prepare('SELECT folds FROM history_state WHERE id = 1').pluck();
    this.state = db.prepare('SELECT folds FROM viewer_top_state WHERE metric = ?').pluck();
    this.list = db.prepare(
      `SELECT vt.* FROM viewer_top t JOIN viewer_totals vt ON vt.user_id = t.user_id
        WHERE t.metric = ? ORDER BY t.position`,
    );
    this.entrants = db.prepare(
      `SELECT vt.* FROM session_viewers sv JOIN viewer_totals vt ON vt.user_id = sv.user_id
        WHERE sv.session_id = @sessionId
          AND (vt.coins >= @coins OR vt.gifts >= @gifts OR vt.likes >= @likes
               OR vt.comments >= @comments OR vt.shares >= @shares)`,
    );
    this.clear = db.prepare('DELETE FROM viewer_top WHERE metric = ?');
    this.insert = db.prepare('INSERT INTO viewer_top (metric, position, user_id) VALUES (?, ?, ?)');
    this.mark = db.prepare('INSERT OR REPLACE INTO viewer_top_state (metric, folds) VALUES (?, ?)');
    for (const metric of LEADERBOARD_METRICS) {
      this.scans.set(
        metric,
        db.prepare(
          `SELECT * FROM viewer_totals WHERE ${metric} > 0
            ORDER BY ${metric} DESC, user_id LIMIT ${TOP_KEPT}`,
        ),
      );
    }
  }

  /**
   * The folded top of a metric, best first. Never writes (a read may run beside a save):
   * a list not valid now is rebuilt by a scan, remembered here, and stored by the next fold.
   */
  top(metric: LeaderboardMetric): ViewerTotalsRow[] {
    const folds = this.folds.get() as number;
    if (this.state.get(metric) === folds) return this.list.all(metric) as ViewerTotalsRow[];
    const remembered = this.memory.get(metric);
    if (remembered?.folds === folds) return remembered.rows;
    const rows = this.scan(metric);
    this.memory.set(metric, { folds, rows });
    return rows;
  }

  /**
   * After `sessionId` was folded and `history_state.folds` moved from `before` on: merges
   * its viewers into every list that was valid before the fold, and rebuilds the others.
   * Inside the fold's transaction.
   */
  afterFold(sessionId: number, before: number): void {
    const folds = this.folds.get() as number;
    const lists = new Map<LeaderboardMetric, ViewerTotalsRow[]>();
    for (const metric of LEADERBOARD_METRICS) {
      if (this.state.get(metric) === before)
        lists.set(metric, this.list.all(metric) as ViewerTotalsRow[]);
      else this.store(metric, this.scan(metric), folds);
    }
    if (lists.size === 0) return;
    // Every old member is at least as high as the lowest of the list (totals only grew), so
    // a viewer of the entry below that cannot get in: only the others are looked at.
    const threshold = (metric: LeaderboardMetric) => {
      const list = lists.get(metric);
      if (!list) return Number.MAX_SAFE_INTEGER;
      // (the list's order is from before the fold: its last is not always its lowest now)
      return list.length < TOP_KEPT ? 1 : Math.max(1, Math.min(...list.map((r) => r[metric])));
    };
    const entrants = this.entrants.all({
      sessionId,
      coins: threshold('coins'),
      gifts: threshold('gifts'),
      likes: threshold('likes'),
      comments: threshold('comments'),
      shares: threshold('shares'),
    }) as ViewerTotalsRow[];
    for (const [metric, list] of lists) {
      const known = new Set(list.map((r) => r.user_id));
      const rows = [...list, ...entrants.filter((r) => !known.has(r.user_id) && r[metric] > 0)]
        .sort((a, b) => b[metric] - a[metric] || (a.user_id < b.user_id ? -1 : 1))
        .slice(0, TOP_KEPT);
      this.store(metric, rows, folds);
    }
  }

  private scan(metric: LeaderboardMetric): ViewerTotalsRow[] {
    return this.scans.get(metric)!.all() as ViewerTotalsRow[];
  }

  private store(metric: LeaderboardMetric, rows: ViewerTotalsRow[], folds: number): void {
    this.clear.run(metric);
    rows.forEach((row, i) => this.insert.run(metric, i, row.user_id));
    this.mark.run(metric, folds);
  }
}
