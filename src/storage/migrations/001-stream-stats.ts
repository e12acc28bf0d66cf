import type { Migration } from './migration.js';

/** The original feature's single-row table, exactly as older programs created it. */
export const streamStats: Migration = {
  version: 1,
  name: 'stream-stats',
  sql: `
    CREATE TABLE IF NOT EXISTS stream_stats (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      viewers INTEGER DEFAULT 0,
      likes INTEGER DEFAULT 0,
      total_coins INTEGER DEFAULT 0,
      followers INTEGER DEFAULT 0,
      shares INTEGER DEFAULT 0,
      gifts INTEGER DEFAULT 0,
      updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
    );
  `,
};
