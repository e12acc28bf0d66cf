import type { Migration } from './migration.js';

/**
 * What the history questions need, kept so that none of them has to read every entry:
 *
 * - `viewer_totals`: each viewer's all-time totals. An entry's per-viewer rows are folded in
 *   once, when the entry ends (`sessions.folded` = 1, in the transaction that ends it), and
 *   taken out again if the same broadcast is resumed. All-time answers are these folded
 *   totals plus the rows of the few entries not folded yet (the one being counted). Saves
 *   during a broadcast never touch this table.
 * - `session_gifters`: who sent a gift in which entry (filled at the fold), for "never sent a
 *   gift before" and a viewer's gifts entry by entry; `session_gifter_keys` the same as
 *   integer arrays, for distinct gifters per summary bucket.
 * - No index per metric on `viewer_totals`: each would make every fold several times
 *   slower. `viewer_top` keeps each metric's top 100 instead, merged at every fold.
 * - `session_gifts`: items and coins per gift type per entry, added to with every save.
 * - `imports` / `imported_viewers`: history brought over from another program, keyed so that
 *   importing the same thing again changes nothing.
 *
 * Entries that had already ended are folded here; their viewers' names are the latest seen.
 */
export const history: Migration = {
  version: 5,
  name: 'history',
  sql: `
    ALTER TABLE sessions ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN gifters INTEGER;
    CREATE INDEX sessions_not_folded ON sessions (id) WHERE folded = 0;
    -- Everything a summary reads, in start order: a year of entries in a few pages. A save
    -- rewrites one entry of it (beside the hundreds of viewer rows it writes).
    CREATE INDEX sessions_for_summary ON sessions (started_at, id, ended_at, updated_at,
      peak_viewers, likes, total_coins, followers, shares, gifts, folded, gifters);

    CREATE TABLE viewer_totals (
      user_id TEXT PRIMARY KEY,
      handle TEXT NOT NULL DEFAULT '',
      nickname TEXT NOT NULL DEFAULT '',
      coins INTEGER NOT NULL DEFAULT 0,
      gifts INTEGER NOT NULL DEFAULT 0,
      likes INTEGER NOT NULL DEFAULT 0,
      comments INTEGER NOT NULL DEFAULT 0,
      shares INTEGER NOT NULL DEFAULT 0,
      follows INTEGER NOT NULL DEFAULT 0,
      sessions INTEGER NOT NULL DEFAULT 0,
      first_seen INTEGER,
      last_seen INTEGER
    ) WITHOUT ROWID;

    -- Grows whenever viewer_totals changes (a fold, an unfold, an import): what was
    -- computed from the folded totals stays valid while it does not.
    CREATE TABLE history_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      folds INTEGER NOT NULL
    );
    INSERT INTO history_state (id, folds) VALUES (1, 0);

    -- The folded top 100 viewers of each metric, in order; valid while viewer_top_state
    -- holds the current history_state.folds (kept up to date by every fold).
    CREATE TABLE viewer_top (
      metric TEXT NOT NULL,
      position INTEGER NOT NULL,
      user_id TEXT NOT NULL,
      PRIMARY KEY (metric, position)
    ) WITHOUT ROWID;
    CREATE TABLE viewer_top_state (
      metric TEXT PRIMARY KEY,
      folds INTEGER NOT NULL
    ) WITHOUT ROWID;

    -- Gifters as small integers, and each folded entry's gifters as a sorted array of them
    -- (4 bytes each), so that distinct gifters over many entries are counted without
    -- comparing text ids.
    CREATE TABLE viewer_keys (
      key INTEGER PRIMARY KEY,
      user_id TEXT NOT NULL UNIQUE
    );
    CREATE TABLE session_gifter_keys (
      session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
      keys BLOB NOT NULL
    );

    CREATE TABLE session_gifters (
      session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
      user_id TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      PRIMARY KEY (session_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX session_gifters_by_user ON session_gifters (user_id, started_at, session_id);

    CREATE TABLE session_gifts (
      session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
      gift_id TEXT NOT NULL,
      gift_name TEXT NOT NULL,
      diamonds INTEGER NOT NULL,
      count INTEGER NOT NULL DEFAULT 0,
      coins INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (session_id, gift_id)
    ) WITHOUT ROWID;

    CREATE TABLE imports (
      id INTEGER PRIMARY KEY,
      source TEXT NOT NULL,
      file_name TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      imported_at INTEGER NOT NULL,
      session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
      viewers INTEGER NOT NULL,
      UNIQUE (source, content_hash)
    );

    CREATE TABLE imported_entries (
      source TEXT NOT NULL,
      entry_key TEXT NOT NULL,
      session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
      PRIMARY KEY (source, entry_key)
    ) WITHOUT ROWID;

    CREATE TABLE imported_viewers (
      source TEXT NOT NULL,
      user_id TEXT NOT NULL,
      streamer_key TEXT NOT NULL,
      handle TEXT NOT NULL,
      nickname TEXT NOT NULL,
      coins INTEGER NOT NULL,
      gifts INTEGER NOT NULL,
      likes INTEGER NOT NULL,
      comments INTEGER NOT NULL,
      shares INTEGER NOT NULL,
      follows INTEGER NOT NULL,
      first_seen INTEGER,
      last_seen INTEGER,
      first_gift_at INTEGER,
      PRIMARY KEY (source, user_id, streamer_key)
    ) WITHOUT ROWID;
    CREATE INDEX imported_viewers_by_user ON imported_viewers (user_id);

    -- Entries that have already ended: fold them now.
    WITH names AS (
      SELECT sv.user_id, sv.handle, sv.nickname, max(sv.last_seen) AS last_seen
        FROM session_viewers sv JOIN sessions s ON s.id = sv.session_id
       WHERE s.ended_at IS NOT NULL
       GROUP BY sv.user_id
    ), sums AS (
      SELECT sv.user_id, sum(sv.coins) AS coins, sum(sv.gifts) AS gifts, sum(sv.likes) AS likes,
             sum(sv.comments) AS comments, sum(sv.shares) AS shares, sum(sv.follows) AS follows,
             count(*) AS sessions, min(sv.first_seen) AS first_seen
        FROM session_viewers sv JOIN sessions s ON s.id = sv.session_id
       WHERE s.ended_at IS NOT NULL
       GROUP BY sv.user_id
    )
    INSERT INTO viewer_totals (user_id, handle, nickname, coins, gifts, likes, comments, shares,
                               follows, sessions, first_seen, last_seen)
    SELECT sums.user_id, names.handle, names.nickname, sums.coins, sums.gifts, sums.likes,
           sums.comments, sums.shares, sums.follows, sums.sessions, sums.first_seen,
           names.last_seen
      FROM sums JOIN names ON names.user_id = sums.user_id;

    INSERT INTO session_gifters (session_id, user_id, started_at)
    SELECT sv.session_id, sv.user_id, s.started_at
      FROM session_viewers sv JOIN sessions s ON s.id = sv.session_id
     WHERE s.ended_at IS NOT NULL AND sv.gifts > 0;

    INSERT OR IGNORE INTO viewer_keys (user_id) SELECT user_id FROM session_gifters;

    UPDATE sessions
       SET folded = 1,
           gifters = (SELECT count(*) FROM session_gifters g WHERE g.session_id = sessions.id)
     WHERE ended_at IS NOT NULL;
  `,
};
