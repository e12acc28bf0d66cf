import { LivetallyError } from '../../domain/errors.js';
import { PgBus } from '../../storage/pg/pg-bus.js';
import { newClaimsOwner } from '../../storage/pg/pg-claims.js';
import { migratePg, openPgPool, pgFailure } from '../../storage/pg/pg-database.js';
import { PgProfiles } from '../../storage/pg/pg-profiles.js';
import { PgServiceState } from '../../storage/pg/pg-service-state.js';
import { maskDatabaseUrl } from '../database-url.js';
import type { Logger } from '../logger.js';
import type { HostedRuntime } from './hosted-profiles.js';

export interface OpenHostedRuntime extends HostedRuntime {
  /** Closes the listening connection and the pool (the claims are the claim loop's). */
  close(): Promise<void>;
}

/**
 * Connects a process to the service's database: the pool (schema brought up to date,
 * several processes starting at once included), the listening connection, and who this
 * process is. A database that cannot be reached or used is one clear error, before
 * anything else starts.
 */
export async function openHostedRuntime(url: string, logger: Logger): Promise<OpenHostedRuntime> {
  const owner = newClaimsOwner();
  const pool = openPgPool(url, { applicationName: `livetally ${owner.processId}` });
  let bus: PgBus | undefined;
  try {
    const applied = await migratePg(pool);
    if (applied.length > 0) logger.info(`database schema brought to version ${applied.at(-1)}`);
    bus = await PgBus.listen(url, `livetally listen ${owner.processId}`);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw startFailure(error, url);
  }
  const listening = bus;
  listening.on('down', (error) =>
    logger.warn(`hosted mode: lost the database's notifications (${error.message}); reconnecting`),
  );
  listening.on('reconnected', () => logger.info('hosted mode: notifications are back'));
  return {
    url,
    pool,
    bus: listening,
    state: new PgServiceState(pool),
    profiles: new PgProfiles(pool),
    owner,
    logger,
    async close() {
      await listening.close();
      await pool.end().catch(() => undefined);
    },
  };
}

/** What a streamer or an operator is told when the database cannot be used at start. */
function startFailure(error: unknown, url: string): unknown {
  if (error instanceof LivetallyError) {
    if (error.code !== 'database_unreachable') return error;
  } else if (!pgFailure(error, 'starting')) {
    return error;
  }
  const cause = error instanceof LivetallyError ? (error.cause ?? error) : error;
  return new LivetallyError(
    'database_unreachable',
    `cannot use the database ${maskDatabaseUrl(url)} (${describe(cause)}); check that ` +
      'PostgreSQL is running there and that the URL (host, port, user, password, database) is right',
    { cause },
  );
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors[0] instanceof Error) {
    return describe(error.errors[0]);
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}
