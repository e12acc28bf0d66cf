import type { Migration } from './migration.js';

/**
 * Broadcast history, per-viewer totals, and what the de-duplication and follower rules
 * need to survive a restart during the same broadcast (keyed by room: a reset starts a new
 * session but the broadcast, and what was already counted in it, goes on).
 *
 * A row left by an older program becomes the first history entry, so its numbers are not
 * lost when the streamer next connects to someone.
 */
export const sessions: Migration = {
  version: 2,
  name: 'sessions',
  sql: `
    ALTER TABLE stream_stats ADD COLUMN streamer TEXT;
    ALTER TABLE stream_stats ADD COLUMN streamer_id TEXT;
    ALTER TABLE stream_stats ADD COLUMN room_id TEXT;
    ALTER TABLE stream_stats ADD COLUMN session_id INTEGER;
    ALTER TABLE stream_stats ADD COLUMN peak_viewers INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE sessions (
      id INTEGER PRIMARY KEY,
      streamer TEXT NOT NULL,
      streamer_id TEXT NOT NULL DEFAULT '',
      room_id TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      ended_at INTEGER,
      end_reason TEXT,
      viewers INTEGER NOT NULL DEFAULT 0,
      likes INTEGER NOT NULL DEFAULT 0,
      total_coins INTEGER NOT NULL DEFAULT 0,
      followers INTEGER NOT NULL DEFAULT 0,
      shares INTEGER NOT NULL DEFAULT 0,
      gifts INTEGER NOT NULL DEFAULT 0,
      peak_viewers INTEGER NOT NULL DEFAULT 0,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_start ON sessions (started_at);

    CREATE TABLE session_viewers (
      session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
      user_id TEXT NOT NULL,
      handle TEXT NOT NULL,
      nickname TEXT NOT NULL,
      coins INTEGER NOT NULL DEFAULT 0,
      gifts INTEGER NOT NULL DEFAULT 0,
      likes INTEGER NOT NULL DEFAULT 0,
      comments INTEGER NOT NULL DEFAULT 0,
      shares INTEGER NOT NULL DEFAULT 0,
      follows INTEGER NOT NULL DEFAULT 0,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      PRIMARY KEY (session_id, user_id)
    ) WITHOUT ROWID;

    CREATE TABLE session_samples (
      session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
      t INTEGER NOT NULL,
      viewers INTEGER NOT NULL,
      likes INTEGER NOT NULL,
      total_coins INTEGER NOT NULL,
      followers INTEGER NOT NULL,
      shares INTEGER NOT NULL,
      gifts INTEGER NOT NULL,
      PRIMARY KEY (session_id, t)
    ) WITHOUT ROWID;

    CREATE TABLE room_followers (
      room_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      PRIMARY KEY (room_id, user_id)
    ) WITHOUT ROWID;

    CREATE TABLE room_message_ids (
      id INTEGER PRIMARY KEY,
      room_id TEXT NOT NULL,
      count INTEGER NOT NULL,
      ids TEXT NOT NULL
    );
    CREATE INDEX room_message_ids_by_room ON room_message_ids (room_id, id);

    CREATE TABLE room_gift_streaks (
      room_id TEXT NOT NULL,
      streak_key TEXT NOT NULL,
      streak TEXT NOT NULL,
      PRIMARY KEY (room_id, streak_key)
    ) WITHOUT ROWID;

    INSERT INTO sessions (streamer, room_id, started_at, ended_at, end_reason, viewers, likes,
                          total_coins, followers, shares, gifts, peak_viewers, updated_at)
    SELECT 'unknown', 'imported',
           COALESCE(CAST(strftime('%s', updated_at) AS INTEGER) * 1000, 0),
           COALESCE(CAST(strftime('%s', updated_at) AS INTEGER) * 1000, 0),
           'imported',
           MAX(COALESCE(viewers, 0), 0), MAX(COALESCE(likes, 0), 0),
           MAX(COALESCE(total_coins, 0), 0), MAX(COALESCE(followers, 0), 0),
           MAX(COALESCE(shares, 0), 0), MAX(COALESCE(gifts, 0), 0),
           MAX(COALESCE(viewers, 0), 0),
           COALESCE(CAST(strftime('%s', updated_at) AS INTEGER) * 1000, 0)
      FROM stream_stats
     WHERE id = 1
       AND COALESCE(viewers, 0) + COALESCE(likes, 0) + COALESCE(total_coins, 0)
         + COALESCE(followers, 0) + COALESCE(shares, 0) + COALESCE(gifts, 0) > 0;
  `,
};
