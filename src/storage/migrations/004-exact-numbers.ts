import type { Migration } from './migration.js';

/** A counter column made a whole number from 0 to 2^53 − 1: text, negatives, NULL → 0; fractions cut; larger → capped. */
const counter = (column: string) =>
  `${column} = MAX(0, MIN(9007199254740991, COALESCE(CAST(${column} AS INTEGER), 0)))`;
/** A time column made whole milliseconds (older versions wrote fractions). */
const time = (column: string) => `${column} = CAST(${column} AS INTEGER)`;
const SIX = ['viewers', 'likes', 'total_coins', 'followers', 'shares', 'gifts', 'peak_viewers'];
const VIEWER = ['coins', 'gifts', 'likes', 'comments', 'shares', 'follows'];

/**
 * Numbers that hold in every situation:
 *
 * - `rooms`: one row per broadcast being remembered, with a small integer key, the like
 *   baseline of a reset (`like_base`), the highest room like total seen, and the clock time
 *   of the viewer count shown (an older count is stale).
 * - `room_message_keys`: every message id counted in that broadcast, as its 64-bit key
 *   (see domain/message-key.ts), so "never counted twice" holds for a whole broadcast. The
 *   old list of the last 20,000 ids (`room_message_ids`) is still read, and emptied as soon
 *   as another broadcast starts.
 * - `sessions.last_at`: the broadcast's own clock at its last save, so an entry closed
 *   after a crash ends there, measured by the same clock as its start.
 * - Samples are labelled with the end of their bucket (the time their values were true),
 *   no longer its start: existing ones move by one bucket (10 s).
 * - Values an older program (or a damaged file) left are cleaned: counters become whole
 *   numbers from 0 to 2^53 − 1, times whole milliseconds.
 */
export const exactNumbers: Migration = {
  version: 4,
  name: 'exact-numbers',
  sql: `
    CREATE TABLE rooms (
      key INTEGER PRIMARY KEY,
      room_id TEXT NOT NULL UNIQUE,
      like_base INTEGER NOT NULL DEFAULT 0,
      room_total_max INTEGER NOT NULL DEFAULT 0,
      viewers_at INTEGER
    );

    CREATE TABLE room_message_keys (
      room_key INTEGER NOT NULL,
      key INTEGER NOT NULL,
      PRIMARY KEY (room_key, key)
    ) WITHOUT ROWID;

    ALTER TABLE sessions ADD COLUMN last_at INTEGER;

    -- The broadcast's clock at its last save: its end, or (still open) its latest sample.
    UPDATE sessions SET last_at = COALESCE(ended_at,
      (SELECT max(t) FROM session_samples WHERE session_id = sessions.id), started_at);

    UPDATE session_samples SET t = -(t + 10000);
    UPDATE session_samples SET t = -t;

    UPDATE stream_stats SET ${SIX.map(counter).join(', ')};
    UPDATE sessions SET ${SIX.map(counter).join(', ')}, ${['started_at', 'ended_at', 'updated_at'].map(time).join(', ')};
    UPDATE sessions SET ${time('last_at')};
    UPDATE session_viewers SET ${VIEWER.map(counter).join(', ')}, ${['first_seen', 'last_seen'].map(time).join(', ')};
    UPDATE session_samples SET ${SIX.slice(0, 6).map(counter).join(', ')};
  `,
};
