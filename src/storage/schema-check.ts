import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';
import type { SqliteDatabase } from './open-database.js';

/** Table name → its column names. */
type TableShapes = ReadonlyMap<string, readonly string[]>;

const shapes = new Map<number, TableShapes>();

/**
 * The tables and columns a file at `version` must have, taken from the migrations themselves
 * (applied to an empty database in memory), so the check can never drift from the schema.
 */
export function expectedTables(version: number): TableShapes {
  let known = shapes.get(version);
  if (!known) {
    const db = new Database(':memory:');
    try {
      for (const migration of MIGRATIONS) {
        if (migration.version > version) break;
        db.exec(migration.sql);
      }
      known = tablesOf(db);
    } finally {
      db.close();
    }
    shapes.set(version, known);
  }
  return known;
}

/**
 * What is missing from a file that claims `version`, in words; undefined when every table
 * and column the schema needs is there. Extra tables and columns are allowed: a file may
 * come from the original program, which kept more in it.
 */
export function missingSchema(db: SqliteDatabase, version: number): string | undefined {
  const actual = tablesOf(db);
  // Before the first migration only the original program's table can be there; when it is,
  // it must be the table that migration expects.
  const expected = expectedTables(Math.max(version, 1));
  for (const [table, columns] of expected) {
    const present = actual.get(table);
    if (!present) {
      if (version === 0) continue;
      return `its table "${table}" is missing`;
    }
    const absent = columns.filter((c) => !present.includes(c));
    if (absent.length > 0) {
      return `its table "${table}" lacks the column${absent.length > 1 ? 's' : ''} ${absent.map((c) => `"${c}"`).join(', ')}`;
    }
  }
  return undefined;
}

function tablesOf(db: SqliteDatabase): Map<string, string[]> {
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  const tables = new Map<string, string[]>();
  for (const name of names) {
    const columns = db
      .prepare('SELECT name FROM pragma_table_info(?)')
      .pluck()
      .all(name) as string[];
    tables.set(name, columns);
  }
  return tables;
}
