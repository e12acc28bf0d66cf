import { EventEmitter } from 'node:events';
import os from 'node:os';
import pg from 'pg';
import { LivetallyError } from '../../domain/errors.js';

/**
 * The first key of every claim's advisory lock (the second is the profile's id), so that
 * livetally's locks cannot collide with an application sharing the database that uses the
 * single-key form or another class. "LT" in ASCII.
 */
export const CLAIM_LOCK_CLASS = 0x4c54;

/** The `application_name` of claims connections starts with this (then the process id). */
export const CLAIMS_APPLICATION = 'livetally claims';

/** Who holds the claims: shown in `claims` rows and in `pg_stat_activity.application_name`. */
export interface ClaimsOwner {
  /** Unique per process run: host, pid and a random part (pids are reused). */
  processId: string;
  pid: number;
  host: string;
}

export function newClaimsOwner(): ClaimsOwner {
  const host = os.hostname();
  const random = Math.random().toString(36).slice(2, 8);
  return { processId: `${host}:${process.pid}:${random}`, pid: process.pid, host };
}

/** Connection options of a process's own long-lived connections (claims, listening). */
export function dedicatedClientConfig(url: string, applicationName: string): pg.ClientConfig {
  return {
    connectionString: url,
    // PostgreSQL shows this in pg_stat_activity; it is at most 63 bytes there.
    application_name: applicationName.slice(0, 63),
    // A connection that silently died (a cable, a NAT) is noticed by both sides.
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    connectionTimeoutMillis: 10_000,
    // A claims query that hangs means the connection cannot be trusted any more.
    query_timeout: 10_000,
  };
}

interface ClaimsEvents {
  /**
   * The claims connection failed or ended: every lock it held is gone (PostgreSQL releases
   * session locks with the session), so whatever this process counted under them it must
   * stop counting at once. The object is closed; make a new one to claim again.
   */
  lost: [Error];
}

/**
 * The LIVEs this process counts, claimed with PostgreSQL's own locking: one dedicated
 * connection holding a session-level advisory lock per profile,
 * `pg_try_advisory_lock(CLAIM_LOCK_CLASS, profile_id)`. Only one session can hold it, and it
 * goes when the session does — a process killed with SIGKILL loses its connection, so its
 * claims are free for another process at once. Nothing here expires by a clock.
 *
 * The `claims` table is written beside the lock for people to read; it is never trusted.
 */
export class PgClaims extends EventEmitter<ClaimsEvents> {
  private readonly held = new Set<number>();
  private closed = false;

  private constructor(
    private readonly client: pg.Client,
    readonly owner: ClaimsOwner,
    /** The server process of the claims connection (`pg_locks.pid`). */
    readonly backendPid: number,
  ) {
    super();
    client.on('error', (error) => this.lose(error));
    client.on('end', () => this.lose(new Error('the claims connection to the database ended')));
  }

  /** Opens the claims connection. */
  static async connect(url: string, owner: ClaimsOwner): Promise<PgClaims> {
    const client = new pg.Client(
      dedicatedClientConfig(url, `${CLAIMS_APPLICATION} ${owner.processId}`),
    );
    client.on('error', () => undefined); // until the claims object listens
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return new PgClaims(client, owner, rows[0]!.pid);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Profile ids this process holds. */
  get profiles(): ReadonlySet<number> {
    return this.held;
  }

  holds(profileId: number): boolean {
    return this.held.has(profileId);
  }

  /**
   * Takes the profile's claim if nobody holds it; true when this process holds it now
   * (also when it already did: advisory locks stack, so a second lock is never taken).
   */
  async tryClaim(profileId: number, now = Date.now()): Promise<boolean> {
    if (this.held.has(profileId)) return true;
    this.assertOpen();
    const { rows } = await this.run<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1::int, $2::int) AS ok',
      [CLAIM_LOCK_CLASS, profileId],
    );
    if (!rows[0]?.ok) return false;
    this.held.add(profileId);
    // For people reading the table; a failure here changes nothing about the claim.
    await this.client
      .query(
        `INSERT INTO claims (profile_id, process_id, pid, host, backend_pid, since)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (profile_id) DO UPDATE SET process_id = EXCLUDED.process_id,
           pid = EXCLUDED.pid, host = EXCLUDED.host, backend_pid = EXCLUDED.backend_pid,
           since = EXCLUDED.since`,
        [profileId, this.owner.processId, this.owner.pid, this.owner.host, this.backendPid, now],
      )
      .catch(() => undefined);
    return true;
  }

  /** Lets go of a profile's claim (after its counting stopped and its last save is in). */
  async release(profileId: number): Promise<void> {
    if (!this.held.has(profileId) || this.closed) return;
    await this.client
      .query('DELETE FROM claims WHERE profile_id = $1 AND backend_pid = $2', [
        profileId,
        this.backendPid,
      ])
      .catch(() => undefined);
    await this.run('SELECT pg_advisory_unlock($1::int, $2::int)', [CLAIM_LOCK_CLASS, profileId]);
    this.held.delete(profileId);
  }

  /**
   * How many livetally processes hold a claims connection to this database now (this one
   * included): the service's size, by which each process takes its fair share.
   */
  async processCount(): Promise<number> {
    this.assertOpen();
    const { rows } = await this.run<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE $1`,
      [`${CLAIMS_APPLICATION} %`],
    );
    return Math.max(1, Number(rows[0]?.n ?? 1));
  }

  /** A round trip on the claims connection: fails (and `lost` fires) when it is gone. */
  async check(): Promise<void> {
    this.assertOpen();
    await this.run('SELECT 1');
  }

  /** Closes the connection: PostgreSQL releases every claim with it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.removeAllListeners();
    this.client.on('error', () => undefined);
    const mine = [...this.held];
    this.held.clear();
    if (mine.length > 0) {
      await this.client
        .query('DELETE FROM claims WHERE backend_pid = $1', [this.backendPid])
        .catch(() => undefined);
    }
    await this.client.end().catch(() => undefined);
  }

  /**
   * A query on the claims connection. Any failure (a timeout included) means what the
   * connection holds cannot be trusted: the connection is dropped and `lost` fires.
   */
  private async run<R extends pg.QueryResultRow>(
    sql: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.client.query<R>(sql, values);
    } catch (error) {
      this.lose(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  private lose(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.held.clear();
    this.client.removeAllListeners();
    this.client.on('error', () => undefined);
    void this.client.end().catch(() => undefined);
    this.emit('lost', error);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the claims connection is closed');
  }
}

/**
 * Refuses a write (inside its transaction) when another process holds the profile's claim:
 * `claim_lost`. `backendPid` is this process's claims connection (undefined when it has
 * none). Fencing: a process that lost its claims connection, and so its locks, cannot
 * overwrite what the new owner saves, even before it notices. A profile nobody holds may
 * be written (a reset of an idle profile); whoever claims it next reads what was written.
 */
export async function assertNoOtherClaim(
  client: pg.ClientBase,
  profileId: number,
  backendPid: number | undefined,
): Promise<void> {
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 2
        AND classid = $1::int::oid AND objid = $2::int::oid
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [CLAIM_LOCK_CLASS, profileId],
  );
  if (rows.some((r) => r.pid !== backendPid)) {
    throw new LivetallyError(
      'claim_lost',
      'another livetally process of the service counts this profile now; nothing was saved here',
    );
  }
}

/** One holder of a claim as PostgreSQL sees it. */
export interface ClaimHolder {
  profileId: number;
  /** The holder's server process (`pg_stat_activity.pid`). */
  backendPid: number;
  applicationName: string | null;
}

/**
 * Every claim held now, from `pg_locks` — the truth, unlike the `claims` table. A profile
 * listed twice would be a broken invariant (advisory locks make it impossible).
 */
export async function claimHolders(db: pg.ClientBase | pg.Pool): Promise<ClaimHolder[]> {
  const { rows } = await db.query<{ profile_id: string; pid: number; app: string | null }>(
    `SELECT l.objid::text AS profile_id, l.pid, a.application_name AS app
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid = $1::int::oid
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [CLAIM_LOCK_CLASS],
  );
  return rows.map((r) => ({
    profileId: Number(r.profile_id),
    backendPid: r.pid,
    applicationName: r.app,
  }));
}
