import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';

/**
 * Reads a profile database of PupCid's Little TikTool Helper (LTTH) without ever writing
 * to it: the file (and its write-ahead log, if the helper left one) is copied byte for byte
 * into a private temp folder and only the copy is opened by SQLite. The original is only
 * ever read as plain bytes, so neither it nor a `-wal`/`-shm` beside it can change.
 */

/** The columns as LTTH stores them; values may be anything an older or damaged file holds. */
export interface LtthUserRow {
  user_id: unknown;
  streamer_id: unknown;
  username: unknown;
  unique_id: unknown;
  total_coins_sent: unknown;
  total_gifts_sent: unknown;
  total_comments: unknown;
  total_likes: unknown;
  total_shares: unknown;
  total_follows: unknown;
  first_seen_at: unknown;
  last_seen_at: unknown;
  last_gift_at: unknown;
}

export interface LtthStreamStatsRow {
  viewers: unknown;
  likes: unknown;
  total_coins: unknown;
  followers: unknown;
  shares: unknown;
  gifts: unknown;
  updated_at: unknown;
}

export interface LtthSnapshot {
  fileName: string;
  /** SHA-256 of the file and its write-ahead log. */
  contentHash: string;
  modifiedAt: number;
  streamStats: LtthStreamStatsRow | null;
  users: LtthUserRow[];
  /** What the file lacks that we could do without. */
  notes: string[];
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const USER_COLUMNS = [
  'user_id',
  'streamer_id',
  'username',
  'unique_id',
  'total_coins_sent',
  'total_gifts_sent',
  'total_comments',
  'total_likes',
  'total_shares',
  'total_follows',
  'first_seen_at',
  'last_seen_at',
  'last_gift_at',
] as const;
/** Columns without which a user row means nothing. */
const REQUIRED_USER_COLUMNS = ['user_id', 'total_coins_sent'];
const STATS_COLUMNS = [
  'viewers',
  'likes',
  'total_coins',
  'followers',
  'shares',
  'gifts',
  'updated_at',
] as const;

export interface ReadLtthOptions {
  /** Told as bytes are copied and rows read. */
  onProgress?: (step: 'copy' | 'read', done: number, total: number) => void;
}

export async function readLtthDatabase(
  file: string,
  options: ReadLtthOptions = {},
): Promise<LtthSnapshot> {
  const label = path.basename(file);
  const stat = statFile(file, label);
  assertSqlite(file, label, stat.size);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-ltth-'));
  try {
    const copy = path.join(dir, 'ltth.db');
    const hash = createHash('sha256');
    await copyHashing(file, copy, hash, (done) => options.onProgress?.('copy', done, stat.size));
    const wal = `${file}-wal`;
    if (fs.existsSync(wal) && fs.statSync(wal).size > 0) {
      await copyHashing(wal, `${copy}-wal`, hash, () => undefined);
    }
    return {
      fileName: label,
      contentHash: hash.digest('hex'),
      modifiedAt: Math.round(stat.mtimeMs),
      ...readCopy(copy, label, options),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function statFile(file: string, label: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new LivetallyError('not_found', `${file} does not exist`);
  }
  if (!stat.isFile()) {
    throw new LivetallyError(
      'not_ltth_database',
      `${label} is not a file; give the path of a Little TikTool Helper profile database (.db)`,
    );
  }
  return stat;
}

function assertSqlite(file: string, label: string, size: number): void {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (size < 100 || !header.equals(SQLITE_HEADER)) {
    throw new LivetallyError(
      'not_ltth_database',
      `${label} is not an SQLite database; give the path of a Little TikTool Helper profile database (.db)`,
    );
  }
}

async function copyHashing(
  from: string,
  to: string,
  hash: ReturnType<typeof createHash>,
  onBytes: (done: number) => void,
): Promise<void> {
  const output = fs.createWriteStream(to, { mode: 0o600 });
  let done = 0;
  try {
    for await (const chunk of fs.createReadStream(from, { highWaterMark: 1 << 20 })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      done += bytes.length;
      if (!output.write(bytes))
        await new Promise<void>((resolve) => output.once('drain', () => resolve()));
      onBytes(done);
    }
  } finally {
    await new Promise<void>((resolve, reject) => {
      output.once('error', reject);
      output.end(() => resolve());
    });
  }
}

function readCopy(
  copy: string,
  label: string,
  options: ReadLtthOptions,
): Pick<LtthSnapshot, 'streamStats' | 'users' | 'notes'> {
  let db: Database.Database;
  try {
    db = new Database(copy, { fileMustExist: true });
  } catch (error) {
    throw unreadable(label, error);
  }
  try {
    const tables = new Set(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
    );
    const hasUsers = tables.has('user_statistics');
    const hasStats = tables.has('stream_stats');
    if (!hasUsers && !hasStats) {
      throw new LivetallyError(
        'not_ltth_database',
        `${label} has neither a user_statistics nor a stream_stats table: it is not a Little TikTool Helper profile database`,
      );
    }
    const notes: string[] = [];
    let users: LtthUserRow[] = [];
    if (hasUsers) {
      const columns = columnsOf(db, 'user_statistics');
      const missing = REQUIRED_USER_COLUMNS.filter((c) => !columns.has(c));
      if (missing.length > 0) {
        throw new LivetallyError(
          'not_ltth_database',
          `${label}: the user_statistics table has no ${missing.join(', ')} column; is it from Little TikTool Helper?`,
        );
      }
      const select = USER_COLUMNS.map((c) => (columns.has(c) ? `"${c}"` : `NULL AS "${c}"`));
      const total = db.prepare('SELECT count(*) FROM user_statistics').pluck().get() as number;
      // Ids are 19-digit integers in some files: read integers exactly, as BigInt.
      const statement = db
        .prepare(`SELECT ${select.join(', ')} FROM user_statistics`)
        .safeIntegers(true);
      users = [];
      for (const row of statement.iterate() as Iterable<LtthUserRow>) {
        users.push(row);
        if (users.length % 10_000 === 0) options.onProgress?.('read', users.length, total);
      }
      options.onProgress?.('read', users.length, total);
    } else {
      notes.push('no user_statistics table: no viewer totals to bring over');
    }
    let streamStats: LtthStreamStatsRow | null = null;
    if (hasStats) {
      const columns = columnsOf(db, 'stream_stats');
      const select = STATS_COLUMNS.map((c) => (columns.has(c) ? `"${c}"` : `NULL AS "${c}"`));
      const order = columns.has('id') ? 'ORDER BY id = 1 DESC, id' : '';
      streamStats =
        (db
          .prepare(`SELECT ${select.join(', ')} FROM stream_stats ${order} LIMIT 1`)
          .safeIntegers(true)
          .get() as LtthStreamStatsRow | undefined) ?? null;
      if (!streamStats) notes.push('the stream_stats table is empty');
    } else {
      notes.push('no stream_stats table: no broadcast totals to bring over');
    }
    return { streamStats, users, notes };
  } catch (error) {
    if (error instanceof LivetallyError) throw error;
    throw unreadable(label, error);
  } finally {
    db.close();
  }
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

function unreadable(label: string, cause: unknown): LivetallyError {
  return new LivetallyError(
    'not_ltth_database',
    `${label} could not be read as an SQLite database (${(cause as Error).message}); if Little TikTool Helper is running, close it and try again`,
    { cause },
  );
}
