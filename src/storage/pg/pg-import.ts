import { LivetallyError } from '../../domain/errors.js';
import { SCHEMA_VERSION } from '../migrations/index.js';
import type { SqliteDatabase } from '../open-database.js';
import { expectedTables } from '../schema-check.js';
import { CLAIM_LOCK_CLASS } from './pg-claims.js';
import { type PgClient, type PgPool, inTransaction, pgFailure } from './pg-database.js';

/** Tables whose row ids other tables point at; their ids are new in PostgreSQL. */
type Parent = 'sessions' | 'rooms';

/** How one SQLite table comes over. */
type TableRule =
  | {
      /** Read in this order (the primary key), so ids stay in the order they were made. */
      order: string;
      /** SQLite's `INTEGER PRIMARY KEY`, an identity in PostgreSQL: given a new value. */
      identity?: string;
      /** Columns holding a parent's id, rewritten to the parent's new id. */
      refs?: Readonly<Record<string, Parent>>;
      /** SQLite columns PostgreSQL has no place for, and why. */
      omit?: Readonly<Record<string, string>>;
    }
  | { skip: string };

/**
 * Every table of a livetally SQLite file (the schema of src/storage/migrations/) and how it
 * comes over. Same names and columns in PostgreSQL (each row gets the profile's id), except:
 * row ids become new identity values, unique in the whole database, and every column that
 * points at one follows it. `importSqliteProfile` refuses to run if a table of the SQLite
 * schema is missing here, so a new SQLite migration cannot be forgotten.
 */
export const SQLITE_TABLES: Readonly<Record<string, TableRule>> = {
  sessions: { order: 'id', identity: 'id' },
  rooms: { order: 'key', identity: 'key' },
  stream_stats: { order: 'id', refs: { session_id: 'sessions' } },
  session_viewers: { order: 'session_id, user_id', refs: { session_id: 'sessions' } },
  session_samples: { order: 'session_id, t', refs: { session_id: 'sessions' } },
  room_followers: { order: 'room_id, user_id' },
  room_message_ids: { order: 'id', identity: 'id' },
  room_gift_streaks: { order: 'room_id, streak_key' },
  room_message_keys: { order: 'room_key, key', refs: { room_key: 'rooms' } },
  goals: { order: 'seq', identity: 'seq' },
  viewer_totals: { order: 'user_id' },
  history_state: {
    order: 'id',
    omit: { id: "SQLite's single row (id = 1) is the profile's one row in PostgreSQL" },
  },
  viewer_top: { order: 'metric, position' },
  viewer_top_state: { order: 'metric' },
  session_gifters: { order: 'session_id, user_id', refs: { session_id: 'sessions' } },
  session_gifts: { order: 'session_id, gift_id', refs: { session_id: 'sessions' } },
  imports: { order: 'id', identity: 'id', refs: { session_id: 'sessions' } },
  imported_entries: { order: 'source, entry_key', refs: { session_id: 'sessions' } },
  imported_viewers: { order: 'source, user_id, streamer_key' },
  viewer_keys: {
    skip: 'gifters as small integers for SQLite; PostgreSQL counts them from session_gifters',
  },
  session_gifter_keys: {
    skip: "each entry's gifters as integers for SQLite; the same as session_gifters",
  },
};

export interface SqliteImportProgress {
  /** The table being copied. */
  table: string;
  /** Rows copied so far, all tables together. */
  rows: number;
  /** Rows to copy in all. */
  totalRows: number;
}

export interface SqliteImportOptions {
  onProgress?: (progress: SqliteImportProgress) => void;
  /** Rows per INSERT (default 5,000). */
  batchRows?: number;
  now?: () => number;
}

export interface SqliteImportReport {
  profile: string;
  profileId: number;
  /** Whether the profile was made by this import (else it existed, empty). */
  created: boolean;
  /** Rows copied, per table. */
  rows: Record<string, number>;
  /**
   * Rows left out because they belong to a history entry or room that is no longer in the
   * file (possible only in a file written without foreign-key checks).
   */
  orphans: number;
}

/** The part of the app's name rules this module needs (the caller checks the name). */
const nameKey = (name: string) => name.toLowerCase();

/**
 * Copies one SQLite profile (`source`, opened read-only: see `openDatabase`) into the
 * profile `profileName` of the PostgreSQL database, table by table, in ONE transaction: it
 * all arrives or nothing does. The profile (a valid name: the caller checks it) is created
 * when absent; when it exists it must hold nothing yet (`profile_not_empty`) and no process
 * may be counting it (`profile_counting`); otherwise nothing is written.
 *
 * The file is read inside one read transaction, so a livetally counting into it meanwhile
 * cannot make the copy half old, half new.
 */
export async function importSqliteProfile(
  pool: PgPool,
  source: SqliteDatabase,
  profileName: string,
  options: SqliteImportOptions = {},
): Promise<SqliteImportReport> {
  const { onProgress, batchRows = 5000, now = Date.now } = options;
  const tables = plannedTables();
  source.exec('BEGIN');
  try {
    const counts = new Map(tables.map(([table]) => [table, countRows(source, table)]));
    const totalRows = [...counts.values()].reduce((a, b) => a + b, 0);
    // Every file shown as upgraded has its history counter row; data is anything else.
    if (totalRows === (counts.get('history_state') ?? 0)) refuseForeign(source);
    return await inTransaction(pool, async (client) => {
      const claimed = await claimEmptyProfile(client, profileName, now);
      const { id: profileId, created } = claimed;
      const copier = new TableCopier(client, source, profileId, batchRows, (table, rows) =>
        onProgress?.({ table, rows, totalRows }),
      );
      const report: SqliteImportReport = {
        profile: claimed.name,
        profileId,
        created,
        rows: {},
        orphans: 0,
      };
      for (const [table, rule] of tables) {
        if (counts.get(table) === 0) {
          report.rows[table] = 0;
          continue;
        }
        const { copied, orphans } = await copier.copy(table, rule);
        report.rows[table] = copied;
        report.orphans += orphans;
      }
      return report;
    }).catch((error: unknown) => {
      throw pgFailure(error, 'importing the profile') ?? importFailure(error);
    });
  } finally {
    source.exec('COMMIT');
  }
}

type CopiedRule = Exclude<TableRule, { skip: string }>;

/** The tables to copy, in an order that puts parents before the rows pointing at them. */
function plannedTables(): [string, CopiedRule][] {
  const schema = expectedTables(SCHEMA_VERSION);
  const unknown = [...schema.keys()].filter((t) => !(t in SQLITE_TABLES));
  if (unknown.length > 0) {
    // A SQLite migration added a table nobody told the import about: a bug, not bad input.
    throw new Error(`the SQLite import does not know the table(s) ${unknown.join(', ')}`);
  }
  return Object.entries(SQLITE_TABLES).filter(
    (entry): entry is [string, CopiedRule] => !('skip' in entry[1]) && schema.has(entry[0]),
  );
}

/**
 * A file with no livetally data but tables of its own is some other program's database:
 * livetally reads any SQLite file without its tables as an empty profile, which is right
 * for opening a profile but would make an import of the wrong file look like a success.
 */
function refuseForeign(source: SqliteDatabase): void {
  const schema = expectedTables(SCHEMA_VERSION);
  const tables = readSqlite(
    () =>
      source
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .pluck()
        .all() as string[],
  );
  const foreign = tables.filter((t) => !schema.has(t));
  if (foreign.length > 0) {
    throw new LivetallyError(
      'corrupt_database',
      `the file holds no livetally profile (no stats, history or goals; tables of another ` +
        `program such as "${foreign[0]}") — nothing was written to the database`,
    );
  }
}

function countRows(source: SqliteDatabase, table: string): number {
  return readSqlite(
    () => source.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number,
  );
}

/**
 * The profile to import into, locked for this transaction (a second import of the same
 * name waits here, then finds it full): created when absent, else it must be empty.
 */
async function claimEmptyProfile(
  client: PgClient,
  name: string,
  now: () => number,
): Promise<{ id: number; name: string; created: boolean }> {
  const inserted = await client.query<{ id: number }>(
    `INSERT INTO profiles (name, name_key, created_at) VALUES ($1, $2, $3)
     ON CONFLICT (name_key) DO NOTHING RETURNING id`,
    [name, nameKey(name), Math.floor(now())],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, name, created: true };
  const { rows } = await client.query<{ id: number; name: string }>(
    'SELECT id, name FROM profiles WHERE name_key = $1 FOR UPDATE',
    [nameKey(name)],
  );
  const existing = rows[0];
  if (!existing) throw new Error('the profile vanished while it was being imported into');
  // The claim a counting process holds (pg-claims.ts): refused while one counts it, and
  // held until the import commits, so none starts counting it halfway.
  const free = await client.query<{ ok: boolean }>(
    'SELECT pg_try_advisory_xact_lock($1::int, $2::int) AS ok',
    [CLAIM_LOCK_CLASS, existing.id],
  );
  if (!free.rows[0]?.ok) {
    throw new LivetallyError(
      'profile_counting',
      `profile "${existing.name}" is counting a LIVE on a livetally process right now; ` +
        'import into a new profile name (--profile) — nothing was written',
    );
  }
  const held = await heldData(client, existing.id);
  if (held) {
    throw new LivetallyError(
      'profile_not_empty',
      `profile "${existing.name}" in the database already holds ${held}; import into a new ` +
        'profile name (--profile), or delete that profile first — nothing was written',
    );
  }
  // What an empty profile may have: a zeroed current-stats row, a history counter at 0,
  // caches of a leaderboard asked for while there was nobody in it.
  for (const table of ['stream_stats', 'history_state', 'viewer_top', 'viewer_top_state']) {
    await client.query(`DELETE FROM ${table} WHERE profile_id = $1`, [existing.id]);
  }
  return { id: existing.id, name: existing.name, created: false };
}

/** What the profile holds, in words, or undefined when it holds nothing that counts. */
async function heldData(client: PgClient, profileId: number): Promise<string | undefined> {
  const { rows } = await client.query<{ sessions: number; goals: number; other: boolean }>(
    `SELECT (SELECT count(*) FROM sessions WHERE profile_id = $1) AS sessions,
            (SELECT count(*) FROM goals WHERE profile_id = $1) AS goals,
            EXISTS (SELECT 1 FROM stream_stats WHERE profile_id = $1
                      AND (COALESCE(viewers, 0) + COALESCE(likes, 0) + COALESCE(total_coins, 0)
                           + COALESCE(followers, 0) + COALESCE(shares, 0) + COALESCE(gifts, 0)
                           + peak_viewers > 0 OR streamer IS NOT NULL OR session_id IS NOT NULL))
            OR EXISTS (SELECT 1 FROM rooms WHERE profile_id = $1)
            OR EXISTS (SELECT 1 FROM room_message_keys WHERE profile_id = $1)
            OR EXISTS (SELECT 1 FROM room_followers WHERE profile_id = $1)
            OR EXISTS (SELECT 1 FROM room_gift_streaks WHERE profile_id = $1)
            OR EXISTS (SELECT 1 FROM room_message_ids WHERE profile_id = $1)
            OR EXISTS (SELECT 1 FROM viewer_totals WHERE profile_id = $1)
            OR EXISTS (SELECT 1 FROM history_state WHERE profile_id = $1 AND folds > 0)
            OR EXISTS (SELECT 1 FROM imports WHERE profile_id = $1)
            OR EXISTS (SELECT 1 FROM imported_viewers WHERE profile_id = $1) AS other`,
    [profileId],
  );
  const row = rows[0]!;
  const parts = [
    row.sessions > 0 && `${row.sessions} history ${row.sessions === 1 ? 'entry' : 'entries'}`,
    row.goals > 0 && `${row.goals} goal${row.goals === 1 ? '' : 's'}`,
  ].filter((p): p is string => typeof p === 'string');
  if (parts.length > 0) return parts.join(' and ');
  return row.other ? 'stats or viewer totals' : undefined;
}

interface Column {
  name: string;
  /** PostgreSQL's type, as an array cast takes it (`bigint`, `text`, …). */
  type: string;
}

type SqliteValue = number | bigint | string | Buffer | null;

/** Copies tables into one profile, keeping the new ids of parents for their children. */
class TableCopier {
  private readonly newIds = new Map<Parent, Map<bigint, bigint>>();
  private copiedRows = 0;

  constructor(
    private readonly client: PgClient,
    private readonly source: SqliteDatabase,
    private readonly profileId: number,
    private readonly batchRows: number,
    private readonly progress: (table: string, rows: number) => void,
  ) {}

  async copy(table: string, rule: CopiedRule): Promise<{ copied: number; orphans: number }> {
    const sqliteColumns = expectedTables(SCHEMA_VERSION).get(table) ?? [];
    const pgColumns = await this.columnsOf(table);
    const columns = sqliteColumns
      .filter((name) => !(rule.omit && name in rule.omit))
      .map((name) => {
        const type = pgColumns.get(name);
        if (!type) throw new Error(`PostgreSQL's table ${table} has no column ${name}`);
        return { name, type };
      });
    const ids = rule.identity ? await this.allocateIds(table, rule.identity) : undefined;
    const refs = Object.entries(rule.refs ?? {}).map(([column, parent]) => ({
      index: columns.findIndex((c) => c.name === column),
      ids: this.newIds.get(parent) ?? new Map<bigint, bigint>(),
      // A NOT NULL reference to a missing parent leaves the row out; a nullable one is
      // cleared (SQLite's ON DELETE SET NULL).
      required: !(table === 'stream_stats' || table === 'imports'),
    }));
    const identityIndex = rule.identity ? columns.findIndex((c) => c.name === rule.identity) : -1;

    const statement = this.source
      .prepare(
        `SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM "${table}" ORDER BY ${rule.order}`,
      )
      .raw(true)
      .safeIntegers(true);
    let batch: SqliteValue[][] = [];
    let copied = 0;
    let orphans = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await this.insert(table, columns, batch);
      copied += batch.length;
      this.copiedRows += batch.length;
      this.progress(table, this.copiedRows);
      batch = [];
    };
    const rows = readSqlite(() => statement.iterate()) as IterableIterator<SqliteValue[]>;
    for (;;) {
      const next = readSqlite(() => rows.next());
      if (next.done) break;
      const row = next.value;
      let keep = true;
      for (const ref of refs) {
        const old = row[ref.index];
        if (old === null || old === undefined) continue;
        const mapped = ref.ids.get(BigInt(old as number | bigint));
        if (mapped !== undefined) row[ref.index] = mapped;
        else if (ref.required) keep = false;
        else row[ref.index] = null;
      }
      if (!keep) {
        orphans++;
        continue;
      }
      if (ids && identityIndex >= 0) row[identityIndex] = ids.next(row[identityIndex] ?? null);
      batch.push(row);
      if (batch.length >= this.batchRows) await flush();
    }
    await flush();
    if (ids && (table === 'sessions' || table === 'rooms')) this.newIds.set(table, ids.map);
    return { copied, orphans };
  }

  /** The table's columns in PostgreSQL and their types. */
  private async columnsOf(table: string): Promise<Map<string, string>> {
    const { rows } = await this.client.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
         FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
      [table],
    );
    return new Map(rows.map((r) => [r.name, r.type]));
  }

  /**
   * New identity values for every row of `table`, taken from its own sequence in one go and
   * handed out in the rows' order, so ids keep the order they had.
   */
  private async allocateIds(table: string, column: string) {
    const count = countRows(this.source, table);
    const { rows } = await this.client.query<{ id: string }>(
      `SELECT nextval(pg_get_serial_sequence($1, $2))::text AS id
         FROM generate_series(1, $3::int)`,
      [table, column, count],
    );
    const fresh = rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const map = new Map<bigint, bigint>();
    let used = 0;
    return {
      map,
      next(old: SqliteValue): bigint {
        const id = fresh[used++];
        if (id === undefined) throw new Error(`${table} grew while it was being read`);
        if (typeof old === 'bigint' || typeof old === 'number') map.set(BigInt(old), id);
        return id;
      },
    };
  }

  /** One INSERT of many rows: each column sent as one array, unnested side by side. */
  private async insert(table: string, columns: Column[], batch: SqliteValue[][]): Promise<void> {
    const arrays = columns.map((column, i) => batch.map((row) => pgValue(row[i] ?? null, column)));
    const list = columns.map((c) => `"${c.name}"`).join(', ');
    const unnest = columns.map((c, i) => `$${i + 2}::${c.type}[]`).join(', ');
    await this.client.query(
      `INSERT INTO "${table}" (profile_id, ${list}) SELECT $1, * FROM unnest(${unnest})`,
      [this.profileId, ...arrays],
    );
  }
}

/**
 * A SQLite value as PostgreSQL takes it for the column's type. SQLite does not enforce
 * column types, so the value is turned into what the column holds: whole numbers as
 * decimal text (exact beyond 2^53), fractions of older programs' times cut to whole
 * milliseconds, numbers in text columns as their text.
 */
function pgValue(value: SqliteValue, column: Column): string | Buffer | number | null {
  if (value === null) return null;
  if (Buffer.isBuffer(value)) return column.type === 'bytea' ? value : value.toString('utf8');
  if (column.type === 'bigint' || column.type === 'integer') {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number')
      return Number.isFinite(value) ? Math.trunc(value).toString() : null;
    return value;
  }
  if (column.type === 'double precision') return Number(value);
  return typeof value === 'string' ? value : value.toString();
}

/** Runs a read of the SQLite file; a failure there means the file is damaged. */
function readSqlite<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new LivetallyError(
      'corrupt_database',
      `the profile file could not be read to the end (${(error as Error).message}); it may be ` +
        'damaged — nothing was written to the database',
      { cause: error },
    );
  }
}

/** PostgreSQL refusing a value of the file: the file holds something livetally never wrote. */
function importFailure(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(22|23)/.test(code)) {
    const table = (error as { table?: string }).table;
    return new LivetallyError(
      'corrupt_database',
      `the profile file holds a value the database refuses${table ? ` in ${table}` : ''} ` +
        `(${(error as Error).message}); it may be damaged or made by another program — ` +
        'nothing was written to the database',
      { cause: error },
    );
  }
  return error;
}
