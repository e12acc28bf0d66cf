import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

/** A user_statistics row as PupCid's Little TikTool Helper keeps it. */
export interface LtthUser {
  user_id: string | number | bigint | null;
  streamer_id: string;
  username?: string | null;
  unique_id?: string | null;
  total_coins_sent?: unknown;
  total_gifts_sent?: unknown;
  total_comments?: unknown;
  total_likes?: unknown;
  total_shares?: unknown;
  total_follows?: unknown;
  first_seen_at?: string | null;
  last_seen_at?: string | null;
  last_gift_at?: string | null;
}

export interface LtthStreamStats {
  viewers: unknown;
  likes: unknown;
  total_coins: unknown;
  followers: unknown;
  shares: unknown;
  gifts: unknown;
  updated_at: string;
}

/**
 * A profile database as the helper app writes it: its original single-row `stream_stats`,
 * `user_statistics` with DATETIME text timestamps, and a few of its many unrelated tables.
 */
export function writeLtthDatabase(
  dir: string,
  content: { streamStats?: LtthStreamStats | null; users?: LtthUser[]; wal?: boolean },
  name = 'ltth-profile.db',
): string {
  const file = path.join(dir, name);
  const db = new Database(file);
  if (content.wal) {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
  }
  db.exec(`
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE alert_configs (id INTEGER PRIMARY KEY AUTOINCREMENT, event_type TEXT, text TEXT,
      sound_file TEXT, duration INTEGER DEFAULT 5, enabled INTEGER DEFAULT 1);
    CREATE TABLE gift_sounds (gift_id INTEGER PRIMARY KEY, label TEXT, mp3_url TEXT, volume REAL);
    CREATE TABLE stream_stats (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      viewers INTEGER DEFAULT 0,
      likes INTEGER DEFAULT 0,
      total_coins INTEGER DEFAULT 0,
      followers INTEGER DEFAULT 0,
      shares INTEGER DEFAULT 0,
      gifts INTEGER DEFAULT 0,
      updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
    );
    CREATE TABLE user_statistics (
      user_id TEXT NOT NULL,
      streamer_id TEXT NOT NULL,
      username TEXT,
      unique_id TEXT,
      profile_picture_url TEXT,
      total_coins_sent INTEGER DEFAULT 0,
      total_gifts_sent INTEGER DEFAULT 0,
      total_comments INTEGER DEFAULT 0,
      total_likes INTEGER DEFAULT 0,
      total_shares INTEGER DEFAULT 0,
      total_follows INTEGER DEFAULT 0,
      first_seen_at DATETIME DEFAULT CURRENT_TIMESTAMP,
      last_seen_at DATETIME DEFAULT CURRENT_TIMESTAMP,
      last_gift_at DATETIME,
      created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
      updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
      PRIMARY KEY (user_id, streamer_id)
    );
    INSERT INTO settings VALUES ('theme', 'dark'), ('language', 'de');
    INSERT INTO alert_configs (event_type, text) VALUES ('gift', '{username} sent {giftName}');
  `);
  if (content.streamStats) {
    db.prepare(
      `INSERT INTO stream_stats (id, viewers, likes, total_coins, followers, shares, gifts, updated_at)
       VALUES (1, @viewers, @likes, @total_coins, @followers, @shares, @gifts, @updated_at)`,
    ).run(content.streamStats);
  }
  const insert = db.prepare(
    `INSERT INTO user_statistics (user_id, streamer_id, username, unique_id, profile_picture_url,
       total_coins_sent, total_gifts_sent, total_comments, total_likes, total_shares, total_follows,
       first_seen_at, last_seen_at, last_gift_at)
     VALUES (@user_id, @streamer_id, @username, @unique_id, 'https://p16.example/a.jpg',
       @total_coins_sent, @total_gifts_sent, @total_comments, @total_likes, @total_shares,
       @total_follows, @first_seen_at, @last_seen_at, @last_gift_at)`,
  );
  for (const user of content.users ?? []) {
    insert.run({
      username: null,
      unique_id: null,
      total_coins_sent: 0,
      total_gifts_sent: 0,
      total_comments: 0,
      total_likes: 0,
      total_shares: 0,
      total_follows: 0,
      first_seen_at: null,
      last_seen_at: null,
      last_gift_at: null,
      ...user,
    });
  }
  if (!content.wal) {
    db.close();
    return file;
  }
  // A helper that is still running (or crashed) has its latest writes only in the
  // write-ahead log: copy the pair while the connection is open, as a backup tool would.
  db.pragma('wal_autocheckpoint = 0');
  db.prepare("INSERT INTO settings VALUES ('last_opened', '2026-03-01')").run();
  const running = path.join(dir, `running-${name}`);
  fs.copyFileSync(file, running);
  fs.copyFileSync(`${file}-wal`, `${running}-wal`);
  db.close();
  fs.rmSync(file);
  fs.renameSync(running, file);
  fs.renameSync(`${running}-wal`, `${file}-wal`);
  return file;
}
