import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migratePg, openPgPool, type PgPool } from '../../src/storage/pg/pg-database.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { tempDir } from '../helpers/temp-dir.js';

// 002-history holds SQLite's history tables (migration 005) by the hosted mode's schema
// rule: the same names and columns in the same order, profile_id first and leading every
// key and index — checked against a real SQLite profile file, not a list written here.

/** SQLite's speed structures for distinct gifters, which PostgreSQL does without. */
const LEFT_OUT = ['viewer_keys', 'session_gifter_keys'];
const HISTORY_TABLES = [
  'viewer_totals',
  'history_state',
  'viewer_top',
  'viewer_top_state',
  'session_gifters',
  'session_gifts',
  'imports',
  'imported_entries',
  'imported_viewers',
];

let pool: PgPool;

beforeAll(async () => {
  pool = openPgPool(await freshDatabase(inject('pgUrl'), 'pg_history_schema'), { max: 2 });
  await migratePg(pool);
});

afterAll(async () => {
  await pool?.end();
});

describe('002-history', () => {
  it("has every history table of SQLite with SQLite's columns, profile_id first", async () => {
    const file = path.join(tempDir(), 'p.db');
    ProfileStore.open(file, { create: true }).close();
    const sqlite = new Database(file, { readonly: true });
    try {
      const sqliteTables = (
        sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
          name: string;
        }[]
      ).map((t) => t.name);
      expect(sqliteTables).toEqual(expect.arrayContaining([...HISTORY_TABLES, ...LEFT_OUT]));
      for (const table of HISTORY_TABLES) {
        const columns = (sqlite.pragma(`table_info(${table})`) as { name: string }[]).map(
          (c) => c.name,
        );
        const { rows } = await pool.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        );
        expect(
          rows.map((r) => r.column_name),
          table,
        ).toEqual(['profile_id', ...columns]);
      }
    } finally {
      sqlite.close();
    }
    const { rows } = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name = ANY($1::text[])`,
      [LEFT_OUT],
    );
    expect(rows).toEqual([]);
  });

  it('leads every key and index of its tables with profile_id', async () => {
    const { rows } = await pool.query<{ table_name: string; index_name: string; first: string }>(
      `SELECT t.relname AS table_name, i.relname AS index_name, a.attname AS first
         FROM pg_index x
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
        WHERE t.relname = ANY($1::text[])`,
      [HISTORY_TABLES],
    );
    expect(new Set(rows.map((r) => r.table_name))).toEqual(new Set(HISTORY_TABLES));
    for (const row of rows) expect(row.first, row.index_name).toBe('profile_id');
  });

  it('goes with its profile: deleting a profile deletes its history rows', async () => {
    const { rows } = await pool.query<{ id: number }>(
      "INSERT INTO profiles (name, name_key, created_at) VALUES ('gone', 'gone', 0) RETURNING id",
    );
    const id = rows[0]!.id;
    await pool.query(
      `INSERT INTO sessions (profile_id, id, streamer, room_id, started_at, updated_at)
       VALUES ($1, 1, 'a', 'r', 0, 0)`,
      [id],
    );
    await pool.query("INSERT INTO viewer_totals (profile_id, user_id) VALUES ($1, 'u')", [id]);
    await pool.query(
      'INSERT INTO session_gifters (profile_id, session_id, user_id, started_at) VALUES ($1, 1, $2, 0)',
      [id, 'u'],
    );
    await pool.query('DELETE FROM profiles WHERE id = $1', [id]);
    for (const table of ['viewer_totals', 'session_gifters']) {
      const left = await pool.query(`SELECT 1 FROM ${table} WHERE profile_id = $1`, [id]);
      expect(left.rowCount, table).toBe(0);
    }
  });
});
