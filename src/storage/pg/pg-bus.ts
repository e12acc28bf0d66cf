import { EventEmitter } from 'node:events';
import pg from 'pg';
import { dedicatedClientConfig } from './pg-claims.js';

/**
 * The channels livetally processes on one database talk on (PostgreSQL LISTEN/NOTIFY):
 * - `livetally_wanted`: the desired state changed (a connect or disconnect anywhere); the
 *   payload is the profile id, a hint only — listeners re-read `wanted_connections`.
 * - `livetally_push`: a counting process's realtime pushes for one profile (JSON).
 * - `livetally_settings`: a shared setting changed (the payload is its key).
 */
export const BUS_CHANNELS = ['livetally_wanted', 'livetally_push', 'livetally_settings'] as const;
export type BusChannel = (typeof BUS_CHANNELS)[number];

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7999;

interface BusEvents {
  message: [BusChannel, string];
  /**
   * The listening connection is back after a failure: notifications sent meanwhile were
   * missed, so whoever listens re-reads what they stand for.
   */
  reconnected: [];
  /** The listening connection failed; it is retried until `close`. */
  down: [Error];
}

/** Waits between reconnection attempts: 0.5 s doubling to 5 s. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 5_000;

/**
 * One process's ear on the database: a dedicated connection LISTENing on every livetally
 * channel, reconnected after a failure. Sending goes through the pool (`notify`), so a
 * sender hears its own messages too, as every other process does.
 */
export class PgBus extends EventEmitter<BusEvents> {
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly url: string,
    private readonly applicationName: string,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Connects and listens; the first connection must succeed (later ones are retried). */
  static async listen(url: string, applicationName: string): Promise<PgBus> {
    const bus = new PgBus(url, applicationName);
    await bus.open();
    return bus;
  }

  get isListening(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }

  private async open(): Promise<void> {
    const client = new pg.Client(dedicatedClientConfig(this.url, this.applicationName));
    client.on('error', () => undefined);
    await client.connect();
    try {
      for (const channel of BUS_CHANNELS) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    client.removeAllListeners('error');
    client.on('notification', (note) => {
      if ((BUS_CHANNELS as readonly string[]).includes(note.channel)) {
        this.emit('message', note.channel as BusChannel, note.payload ?? '');
      }
    });
    const failed = (error: Error) => this.failed(client, error);
    client.on('error', failed);
    client.on('end', () => failed(new Error('the listening connection to the database ended')));
    this.client = client;
    this.retryMs = RETRY_MIN_MS;
  }

  private failed(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.emit('down', error);
    this.retry();
  }

  private retry(): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open().then(
        () => {
          if (!this.closed) this.emit('reconnected');
        },
        () => {
          this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
          this.retry();
        },
      );
    }, this.retryMs);
    this.retryTimer.unref();
  }
}

/**
 * Sends a notification (through any connection, e.g. the pool). A payload over
 * PostgreSQL's limit is refused here with a clear error instead of by the server.
 */
export async function notify(
  db: pg.ClientBase | pg.Pool,
  channel: BusChannel,
  payload: string,
): Promise<void> {
  if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) {
    throw new Error(
      `a ${channel} notification of ${Buffer.byteLength(payload)} bytes is over PostgreSQL's limit`,
    );
  }
  await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
}
