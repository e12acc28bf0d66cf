import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';
import { dropStamp, isUnchangedSinceCheck, markDamaged, writeStamp } from './checked-stamp.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.js';
import { missingSchema } from './schema-check.js';
import { isCorruption, storageFailure } from './storage-errors.js';

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Header bytes 18 and 19: 2 = WAL mode, 1 = rollback journal. */
const WAL_MODE = 2;
/**
 * Up to this size a reader works on a copy of the file in memory, so that nothing at all is
 * written — SQLite would create the -wal and -shm files next to a WAL-mode file even for a
 * read-only connection. Larger files are read in place (see `openReader`).
 */
const SNAPSHOT_LIMIT_BYTES = 256 * 1024 * 1024;

export interface OpenDatabaseOptions {
  /** Open without any write: no migration, no pragma, no side file. */
  readonly?: boolean;
  /** Create the file (owner-only) when it does not exist. */
  create?: boolean;
  /**
   * Check every page (`PRAGMA quick_check`) unless livetally closed the file cleanly and
   * nobody touched it since. Default true; a second connection to a file that was just
   * checked passes false.
   */
  verify?: boolean;
  /** Used to name backups taken before a migration. */
  now?: () => number;
  /** Told about backups, migrations and older files shown as upgraded. */
  onNotice?: (message: string) => void;
}

/**
 * Opens a profile database, proving first — without writing — that it is an intact SQLite
 * file with the schema this version of livetally understands. A foreign, damaged, newer or
 * incomplete file is refused before a single byte of it can change. Older files are backed
 * up, then migrated (by writers); readers see them as the upgrade would, in memory.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const { readonly = false, create = false } = options;
  const label = path.basename(file);
  if (!fs.existsSync(file)) {
    if (readonly || !create) {
      throw new LivetallyError('not_found', `database ${label} does not exist`);
    }
    createEmpty(file);
  }
  const header = readHeader(file, label);
  return readonly ? openReader(file, label, header, options) : openWriter(file, label, options);
}

interface Header {
  size: number;
  walMode: boolean;
}

function createEmpty(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    throw storageFailure(error, { path: file, doing: 'creating the profile file' }) ?? error;
  }
}

function readHeader(file: string, label: string): Header {
  let size: number;
  const bytes = Buffer.alloc(100);
  try {
    size = fs.statSync(file).size;
    if (size === 0) return { size, walMode: false }; // SQLite treats it as an empty database
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, bytes, 0, bytes.length, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    throw storageFailure(error, { path: file, doing: 'reading the profile file' }) ?? error;
  }
  if (size < 100 || !bytes.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) {
    throw corrupt(label);
  }
  return { size, walMode: bytes[18] === WAL_MODE };
}

// Readers ---------------------------------------------------------------------------------

function openReader(
  file: string,
  label: string,
  header: Header,
  options: OpenDatabaseOptions,
): SqliteDatabase {
  const { verify = true, onNotice = () => {} } = options;
  let db = readOnlyView(file, label, header);
  try {
    const version = checkFile(db, file, label, verify && !isUnchangedSinceCheck(file));
    if (version === SCHEMA_VERSION) return db;
    // An older file: show it as the upgrade will make it, on a copy in memory. The file
    // stays as it is; the next writing command upgrades it (after a backup).
    const copy = memoryCopy(db.serialize(), false);
    db.close();
    db = copy;
    migrate(copy, version);
    db = memoryCopy(copy.serialize(), true);
    copy.close();
    onNotice(
      `${label} is in an older format; shown as it will be once upgraded — the next writing command (start, replay, reset) upgrades it and keeps a backup`,
    );
    return db;
  } catch (error) {
    if (db.open) db.close();
    throw error;
  }
}

/**
 * A read-only view of the file that writes nothing next to it. While a writer runs (its WAL
 * file exists) the view must share SQLite's WAL index with it: that is a normal read-only
 * connection. Otherwise the whole file is in its main file, and a copy in memory shows it
 * without SQLite creating the -wal and -shm files a read-only connection would leave behind.
 */
function readOnlyView(file: string, label: string, header: Header): SqliteDatabase {
  const inPlace =
    !header.walMode || fs.existsSync(`${file}-wal`) || header.size > SNAPSHOT_LIMIT_BYTES;
  if (inPlace) return connect(file, label, true);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw storageFailure(error, { path: file, doing: 'reading the profile file' }) ?? error;
  }
  try {
    return memoryCopy(bytes, true);
  } catch (error) {
    throw corrupt(label, error);
  }
}

/** An in-memory database holding `image` (a file's bytes or a serialized database). */
function memoryCopy(image: Buffer, readonly: boolean): SqliteDatabase {
  if (image.length === 0) return new Database(':memory:');
  // SQLite keeps a copy in memory only in rollback-journal mode.
  if (image.length >= 20 && image[18] === WAL_MODE) image[18] = image[19] = 1;
  return new Database(image, { readonly });
}

// Writers ---------------------------------------------------------------------------------

function openWriter(file: string, label: string, options: OpenDatabaseOptions): SqliteDatabase {
  const { verify = true, now = Date.now, onNotice = () => {} } = options;
  const sideFilesBefore = sideFiles(file);
  let version: number;
  let empty: boolean;
  const probe = connect(file, label, true);
  try {
    version = checkFile(probe, file, label, verify && !isUnchangedSinceCheck(file));
    empty = isEmpty(probe);
  } catch (error) {
    probe.close();
    // A refused file is left as it was found: without the side files the probe created.
    // Writers hold the data directory lock, so no other writer can be using them.
    removeCreatedSideFiles(file, sideFilesBefore);
    throw error;
  } finally {
    if (probe.open) probe.close();
  }

  const failure = (doing: string) => (error: unknown) =>
    storageFailure(error, { path: file, doing }) ?? error;
  if (version < SCHEMA_VERSION && !empty) {
    const backup = backupBeforeMigration(file, version, now());
    onNotice(`backed up ${label} to ${path.basename(backup)} before upgrading it`);
  }
  const db = connect(file, label, false);
  try {
    dropStamp(file); // it is going to change
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -16000');
    migrate(db, version);
  } catch (error) {
    db.close();
    throw failure('opening the profile for writing')(error);
  }
  // Once its last connection has closed cleanly, the file may skip the check next time.
  const close = db.close.bind(db);
  db.close = () => {
    close();
    try {
      writeStamp(file);
    } catch {
      // without the note the next open checks the file: slower, never wrong
    }
    return db;
  };
  return db;
}

/** Remembers that SQLite found `file` damaged while it was in use. */
export function noteDamaged(file: string): void {
  markDamaged(file);
}

const SIDE_SUFFIXES = ['-wal', '-shm'] as const;

function sideFiles(file: string): Set<string> {
  return new Set(SIDE_SUFFIXES.filter((s) => fs.existsSync(file + s)));
}

function removeCreatedSideFiles(file: string, before: Set<string>): void {
  const wal = `${file}-wal`;
  try {
    if (!before.has('-wal') && fs.existsSync(wal) && fs.statSync(wal).size > 0) return;
    for (const suffix of SIDE_SUFFIXES) {
      if (!before.has(suffix)) fs.rmSync(file + suffix, { force: true });
    }
  } catch {
    // best effort: they hold nothing
  }
}

// Checks ----------------------------------------------------------------------------------

/**
 * Proves the file is a livetally database this version can use — schema version, tables
 * and columns, and (when `verify`) every page — and returns its schema version.
 */
function checkFile(db: SqliteDatabase, file: string, label: string, verify: boolean): number {
  let version: unknown;
  try {
    version = db.pragma('user_version', { simple: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    throw readFailure(error, file, label);
  }
  if (typeof version !== 'number') throw corrupt(label);
  if (version > SCHEMA_VERSION) {
    throw new LivetallyError(
      'newer_database',
      `${label} was written by a newer livetally (schema ${version}, this one knows ${SCHEMA_VERSION}); ` +
        'upgrade livetally to open it — the file was left untouched',
    );
  }
  let missing: string | undefined;
  try {
    missing = missingSchema(db, version);
  } catch (error) {
    throw readFailure(error, file, label);
  }
  if (missing) {
    throw new LivetallyError(
      'corrupt_database',
      `${label} says it is a livetally database (schema ${version}) but ${missing}; ` +
        'it may be damaged or made by another program — it was left untouched',
    );
  }
  if (verify) {
    let rows: { quick_check: string }[];
    try {
      rows = db.pragma('quick_check(2)') as { quick_check: string }[];
    } catch (error) {
      throw readFailure(error, file, label);
    }
    const problems = rows.map((r) => r.quick_check).filter((r) => !r.startsWith('*** in database'));
    if (problems[0] !== 'ok') throw damaged(label, problems[0] ?? 'unknown damage');
  }
  return version;
}

function readFailure(error: unknown, file: string, label: string): LivetallyError {
  if (isCorruption(error)) return damaged(label, (error as Error).message);
  return (
    storageFailure(error, { path: file, doing: 'reading the profile file' }) ??
    corrupt(label, error)
  );
}

function isEmpty(db: SqliteDatabase): boolean {
  const row = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
  return row.n === 0;
}

function backupBeforeMigration(file: string, version: number, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[:.]/g, '-');
  const target = `${file}.v${version}-${stamp}.bak`;
  const db = connect(file, path.basename(file), true);
  try {
    db.prepare('VACUUM INTO ?').run(target);
    fs.chmodSync(target, 0o600);
  } catch (error) {
    fs.rmSync(target, { force: true });
    const failure = storageFailure(error, { path: target, doing: 'backing up before an upgrade' });
    if (failure) throw failure;
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
    return new Database(file, { readonly, fileMustExist: true, timeout: 5000 });
  } catch (error) {
    throw readFailure(error, file, label);
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

function damaged(label: string, detail: string): LivetallyError {
  return new LivetallyError(
    'corrupt_database',
    `${label} is not a readable livetally database: it is damaged (SQLite's page check says: ` +
      `${detail.split('\n')[0]}); it was left untouched — replace it with a backup copy or move ` +
      'it out of the profiles folder',
  );
}
