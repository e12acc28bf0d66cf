import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.js';

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface OpenDatabaseOptions {
  /** Open without any write: no migration, no pragma that changes the file. */
  readonly?: boolean;
  /** Create the file (owner-only) when it does not exist. */
  create?: boolean;
  /** Used to name backups taken before a migration. */
  now?: () => number;
  /** Told about backups and migrations. */
  onNotice?: (message: string) => void;
}

/**
 * Opens a profile database, proving first — on a read-only connection — that it is an
 * SQLite file this version of livetally understands. A foreign, corrupt or newer file is
 * refused before a single byte of it can change. Older files are backed up, then migrated.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const { readonly = false, create = false, now = Date.now, onNotice = () => {} } = options;
  const label = path.basename(file);
  if (!fs.existsSync(file)) {
    if (readonly || !create) {
      throw new LivetallyError('not_found', `database ${label} does not exist`);
    }
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  }
  assertSqliteHeader(file, label);

  const version = inspect(file, label);
  if (version > SCHEMA_VERSION) {
    throw new LivetallyError(
      'newer_database',
      `${label} was written by a newer livetally (schema ${version}, this one knows ${SCHEMA_VERSION}); ` +
        'upgrade livetally to open it — the file was left untouched',
    );
  }
  if (readonly) {
    if (version < SCHEMA_VERSION) {
      throw new LivetallyError(
        'needs_upgrade',
        `${label} needs an upgrade that only a writing command can do (stop the running livetally, then retry)`,
      );
    }
    return connect(file, label, true);
  }

  if (version < SCHEMA_VERSION && !isEmpty(file)) {
    const backup = backupBeforeMigration(file, version, now());
    onNotice(`backed up ${label} to ${path.basename(backup)} before upgrading it`);
  }
  const db = connect(file, label, false);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -16000');
    migrate(db, version);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function assertSqliteHeader(file: string, label: string): void {
  const size = fs.statSync(file).size;
  if (size === 0) return; // SQLite treats an empty file as an empty database
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (size < 100 || !header.equals(SQLITE_HEADER)) throw corrupt(label);
}

/** Reads the schema version and proves the schema is readable, without writing anything. */
function inspect(file: string, label: string): number {
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const version = db.pragma('user_version', { simple: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (typeof version !== 'number') throw corrupt(label);
    return version;
  } catch (error) {
    if (error instanceof LivetallyError) throw error;
    throw corrupt(label, error);
  } finally {
    db?.close();
  }
}

function isEmpty(file: string): boolean {
  if (fs.statSync(file).size === 0) return true;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
    return row.n === 0;
  } finally {
    db.close();
  }
}

function backupBeforeMigration(file: string, version: number, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[:.]/g, '-');
  const target = `${file}.v${version}-${stamp}.bak`;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw corrupt(path.basename(file));
    db.prepare('VACUUM INTO ?').run(target);
    fs.chmodSync(target, 0o600);
  } catch (error) {
    if (error instanceof LivetallyError) throw error;
    throw new LivetallyError(
      'backup_failed',
      `could not back up ${path.basename(file)} before upgrading it: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    db.close();
  }
  return target;
}

function connect(file: string, label: string, readonly: boolean): SqliteDatabase {
  try {
    const db = new Database(file, { readonly, fileMustExist: true, timeout: 5000 });
    return db;
  } catch (error) {
    throw corrupt(label, error);
  }
}

function migrate(db: SqliteDatabase, from: number): void {
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

function corrupt(label: string, cause?: unknown): LivetallyError {
  return new LivetallyError(
    'corrupt_database',
    `${label} is not a readable livetally database (damaged or not SQLite); it was left untouched`,
    { cause },
  );
}
