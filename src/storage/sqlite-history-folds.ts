import type { GiftTypeDelta } from '../domain/broadcast-tally.js';
import type { SqliteDatabase, SqliteStatement } from './open-database.js';
import { ViewerTop } from './sqlite-viewer-top.js';

/**
 * Keeps the all-time tables in step with the entries: folds an ended entry's per-viewer
 * rows into `viewer_totals` (once: `sessions.folded`), takes them out again when the entry
 * is reopened, and adds each save's gift counts to the entry's gift breakdown. Called by
 * the profile store inside the transactions that end, reopen and save entries.
 */
export class HistoryFolds {
  private readonly isFolded: SqliteStatement;
  private readonly foldViewers: SqliteStatement;
  private readonly foldGifters: SqliteStatement;
  private readonly addKeys: SqliteStatement;
  private readonly gifterKeys: SqliteStatement;
  private readonly saveKeys: SqliteStatement;
  private readonly markFolded: SqliteStatement;
  private readonly unfoldViewers: SqliteStatement;
  private readonly unfoldGifters: SqliteStatement;
  private readonly dropKeys: SqliteStatement;
  private readonly markUnfolded: SqliteStatement;
  private readonly bump: SqliteStatement;
  private readonly endedUnfolded: SqliteStatement;
  private readonly missingKeys: SqliteStatement;
  private readonly addGift: SqliteStatement;
  private readonly folds: SqliteStatement;
  private readonly top: ViewerTop;

  constructor(private readonly db: SqliteDatabase) {
    this.top = new ViewerTop(db);
    this.folds = db.prepare('SELECT folds FROM history_state WHERE id = 1').pluck();
    this.isFolded = db.prepare('SELECT folded FROM sessions WHERE id = ?').pluck();
    this.foldViewers = db.prepare(
      `INSERT INTO viewer_totals (user_id, handle, nickname, coins, gifts, likes, comments,
                                  shares, follows, sessions, first_seen, last_seen)
       SELECT user_id, handle, nickname, coins, gifts, likes, comments, shares, follows, 1,
              first_seen, last_seen
         FROM session_viewers WHERE session_id = ?
       ON CONFLICT (user_id) DO UPDATE SET
         handle = CASE WHEN excluded.handle <> ''
                        AND excluded.last_seen >= coalesce(last_seen, excluded.last_seen)
                  THEN excluded.handle ELSE handle END,
         nickname = CASE WHEN excluded.nickname <> ''
                          AND excluded.last_seen >= coalesce(last_seen, excluded.last_seen)
                    THEN excluded.nickname ELSE nickname END,
         coins = coins + excluded.coins, gifts = gifts + excluded.gifts,
         likes = likes + excluded.likes, comments = comments + excluded.comments,
         shares = shares + excluded.shares, follows = follows + excluded.follows,
         sessions = sessions + 1,
         first_seen = min(coalesce(first_seen, excluded.first_seen), excluded.first_seen),
         last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen)`,
    );
    this.foldGifters = db.prepare(
      `INSERT OR IGNORE INTO session_gifters (session_id, user_id, started_at)
       SELECT sv.session_id, sv.user_id, s.started_at
         FROM session_viewers sv JOIN sessions s ON s.id = sv.session_id
        WHERE sv.session_id = ? AND sv.gifts > 0`,
    );
    this.addKeys = db.prepare(
      `INSERT OR IGNORE INTO viewer_keys (user_id)
       SELECT user_id FROM session_gifters WHERE session_id = ?`,
    );
    this.gifterKeys = db
      .prepare(
        `SELECT k.key FROM session_gifters g JOIN viewer_keys k ON k.user_id = g.user_id
          WHERE g.session_id = ? ORDER BY k.key`,
      )
      .pluck();
    this.saveKeys = db.prepare(
      'INSERT OR REPLACE INTO session_gifter_keys (session_id, keys) VALUES (?, ?)',
    );
    this.markFolded = db.prepare(
      `UPDATE sessions SET folded = 1,
         gifters = (SELECT count(*) FROM session_gifters WHERE session_id = @id)
        WHERE id = @id`,
    );
    this.unfoldViewers = db.prepare(
      `UPDATE viewer_totals
          SET coins = viewer_totals.coins - sv.coins, gifts = viewer_totals.gifts - sv.gifts,
              likes = viewer_totals.likes - sv.likes,
              comments = viewer_totals.comments - sv.comments,
              shares = viewer_totals.shares - sv.shares,
              follows = viewer_totals.follows - sv.follows,
              sessions = viewer_totals.sessions - 1
         FROM (SELECT * FROM session_viewers WHERE session_id = ?) AS sv
        WHERE viewer_totals.user_id = sv.user_id`,
    );
    this.unfoldGifters = db.prepare('DELETE FROM session_gifters WHERE session_id = ?');
    this.dropKeys = db.prepare('DELETE FROM session_gifter_keys WHERE session_id = ?');
    this.markUnfolded = db.prepare('UPDATE sessions SET folded = 0, gifters = NULL WHERE id = ?');
    this.bump = db.prepare('UPDATE history_state SET folds = folds + 1 WHERE id = 1');
    this.endedUnfolded = db
      .prepare('SELECT id FROM sessions WHERE folded = 0 AND ended_at IS NOT NULL ORDER BY id')
      .pluck();
    this.missingKeys = db
      .prepare(
        `SELECT id FROM sessions s WHERE folded = 1
            AND NOT EXISTS (SELECT 1 FROM session_gifter_keys k WHERE k.session_id = s.id)`,
      )
      .pluck();
    this.addGift = db.prepare(
      `INSERT INTO session_gifts (session_id, gift_id, gift_name, diamonds, count, coins)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id, gift_id) DO UPDATE SET
         gift_name = CASE WHEN excluded.gift_name <> '' THEN excluded.gift_name ELSE gift_name END,
         diamonds = excluded.diamonds,
         count = count + excluded.count, coins = coins + excluded.coins`,
    );
  }

  /** Adds an ended entry's viewers to the all-time totals; does nothing the second time. */
  fold(sessionId: number): void {
    this.db.transaction(() => {
      if (this.isFolded.get(sessionId) !== 0) return;
      const before = this.folds.get() as number;
      this.foldViewers.run(sessionId);
      this.foldGifters.run(sessionId);
      this.saveGifterKeys(sessionId);
      this.markFolded.run({ id: sessionId });
      this.bump.run();
      this.top.afterFold(sessionId, before);
    })();
  }

  /** Takes a reopened entry's viewers out of the all-time totals again. */
  unfold(sessionId: number): void {
    this.db.transaction(() => {
      if (this.isFolded.get(sessionId) !== 1) return;
      this.unfoldViewers.run(sessionId);
      this.unfoldGifters.run(sessionId);
      this.dropKeys.run(sessionId);
      this.markUnfolded.run(sessionId);
      this.bump.run();
    })();
  }

  /**
   * Folds every ended entry not folded yet (closed by an older livetally, say), and gives
   * entries folded by the migration their gifter arrays.
   */
  foldEnded(): number {
    const ids = this.endedUnfolded.all() as number[];
    for (const id of ids) this.fold(id);
    const missing = this.missingKeys.all() as number[];
    if (missing.length > 0) {
      this.db.transaction(() => {
        for (const id of missing) this.saveGifterKeys(id);
      })();
    }
    return ids.length;
  }

  /** The states of `viewer_totals` are counted: a change of this number invalidates caches. */
  touch(): void {
    this.bump.run();
  }

  addGifts(sessionId: number, gifts: readonly GiftTypeDelta[]): void {
    for (const g of gifts) {
      this.addGift.run(sessionId, g.giftId, g.giftName, g.diamonds, g.count, g.coins);
    }
  }

  private saveGifterKeys(sessionId: number): void {
    this.addKeys.run(sessionId);
    const keys = Int32Array.from(this.gifterKeys.all(sessionId) as number[]);
    this.saveKeys.run(sessionId, Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength));
  }
}

/** A folded entry's gifters, as stored by `HistoryFolds`. */
export function decodeGifterKeys(blob: Uint8Array): Int32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Int32Array(copy.buffer, 0, copy.byteLength >> 2);
}
