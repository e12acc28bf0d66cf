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
  private readonly totals: SqliteStatement;
  private readonly clear: SqliteStatement;
  private readonly insert: SqliteStatement;
  private readonly mark: SqliteStatement;
  private readonly entryViewers: SqliteStatement;
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
    this.totals = db.prepare('SELECT * FROM viewer_totals WHERE user_id = ?');
    this.clear = db.prepare('DELETE FROM viewer_top WHERE metric = ?');
    this.insert = db.prepare('INSERT INTO viewer_top (metric, position, user_id) VALUES (?, ?, ?)');
    this.mark = db.prepare('INSERT OR REPLACE INTO viewer_top_state (metric, folds) VALUES (?, ?)');
    this.entryViewers = db
      .prepare('SELECT user_id FROM session_viewers WHERE session_id = ?')
      .pluck();
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
    const valid = LEADERBOARD_METRICS.filter((m) => this.state.get(m) === before);
    for (const metric of LEADERBOARD_METRICS) {
      if (!valid.includes(metric)) this.store(metric, this.scan(metric), folds);
    }
    if (valid.length === 0) return;
    const candidates = new Map<string, ViewerTotalsRow>();
    const add = (userId: string) => {
      if (candidates.has(userId)) return;
      const row = this.totals.get(userId) as ViewerTotalsRow | undefined;
      if (row) candidates.set(userId, row);
    };
    for (const userId of this.entryViewers.all(sessionId) as string[]) add(userId);
    for (const metric of valid) {
      for (const row of this.list.all(metric) as ViewerTotalsRow[]) add(row.user_id);
    }
    const all = [...candidates.values()];
    for (const metric of valid) {
      const rows = all
        .filter((r) => r[metric] > 0)
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
