import pg from 'pg';
import { LivetallyError } from '../../domain/errors.js';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from './migrations/index.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

export interface PgPoolOptions {
  /** Shown in `pg_stat_activity`, so an operator sees which process holds which connection. */
  applicationName?: string;
  /** Most connections the pool opens (default 10). */
  max?: number;
}

/** PostgreSQL's type ids for bigint and numeric (sum() of bigint is numeric). */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Every number livetally keeps fits in 2^53 (counters are capped there, times are epoch
 * milliseconds), so bigint and numeric columns read as JS numbers. The parsers belong to
 * this pool only: the global `pg.types` stay as they are for anyone else in the process.
 * (The one bigint that does not fit, a 64-bit message key, is only ever read split in
 * two halves by SQL.)
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID || oid === NUMERIC_OID) {
      return (value: string | null) => (value === null ? null : Number(value));
    }
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** A pool of connections to the database at `url`; nothing is connected until first used. */
export function openPgPool(url: string, options: PgPoolOptions = {}): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: options.applicationName ?? 'livetally',
    max: options.max ?? 10,
    types,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that the server drops (restart, network) is reported here; the next
  // query gets a new connection or a clear error, so it must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/**
 * Any fixed number: every livetally process migrating the same database takes this lock,
 * so two starting at once migrate one after the other (the second finds nothing to do).
 */
const MIGRATION_LOCK = 0x6c69_7665_7461_6c6cn; // "livetall"

/**
 * Brings the database's schema up to this program's, each missing migration in order, all
 * in one transaction under an advisory lock. A database set up by a newer livetally is
 * refused before anything changes. Returns the versions applied now.
 */
export async function migratePg(pool: PgPool, now: () => number = Date.now): Promise<number[]> {
  try {
    return await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version int PRIMARY KEY,
           name text NOT NULL,
           applied_at bigint NOT NULL
         )`,
      );
      const { rows } = await client.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM schema_migrations',
      );
      const current = rows[0]?.version ?? 0;
      if (current > PG_SCHEMA_VERSION) {
        throw new LivetallyError(
          'database_too_new',
          `the database was set up by a newer livetally (schema ${current}, this one knows ` +
            `${PG_SCHEMA_VERSION}); upgrade livetally to use it — nothing in it was changed`,
        );
      }
      const applied: number[] = [];
      for (const migration of PG_MIGRATIONS) {
        if (migration.version <= current) continue;
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
          [migration.version, migration.name, Math.floor(now())],
        );
        applied.push(migration.version);
      }
      return applied;
    });
  } catch (error) {
    throw pgFailure(error, 'setting up the database') ?? error;
  }
}

/**
 * Runs `work` on one connection of the pool, then hands it back (or drops it when it broke).
 * While it is out, the connection's own error events are caught here: a connection that
 * the server or the network cuts between two queries must not crash the process.
 */
export async function withClient<T>(
  pool: PgPool,
  work: (client: PgClient) => Promise<T>,
): Promise<T> {
  let client: PgClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw pgFailure(error, 'connecting to the database') ?? error;
  }
  let broken = false;
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    if (isConnectionError(error)) broken = true;
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/**
 * Runs `work` in one transaction on one connection: committed when it resolves, rolled back
 * when it throws.
 */
export function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

/** Node's and PostgreSQL's codes for "the server is not there, or went away". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed',
];

/** Whether `error` says the database cannot be reached (rather than refusing a statement). */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_MESSAGES.some((m) => message.includes(m));
}

/**
 * The error a streamer or an operator is told about when PostgreSQL cannot be reached
 * (`database_unreachable`, HTTP 503) or refuses the login; undefined for anything else.
 */
export function pgFailure(error: unknown, doing: string): LivetallyError | undefined {
  if (error instanceof LivetallyError) return undefined;
  if (isConnectionError(error)) {
    return new LivetallyError(
      'database_unreachable',
      `the PostgreSQL database cannot be reached (${doing}: ${describe(error)}); ` +
        'check that it is running and that the database URL is right — livetally keeps trying',
      { cause: error },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '28P01' || code === '28000' || code === '3D000') {
    return new LivetallyError(
      'database_unreachable',
      `PostgreSQL refused livetally (${doing}: ${describe(error)}); check the user, password ` +
        'and database name in the database URL',
      { cause: error },
    );
  }
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors[0] instanceof Error) {
    return describe(error.errors[0]);
  }
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}
