import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { LiveService } from '../app/live-service.js';
import type { Logger } from '../app/logger.js';
import {
  REALTIME,
  type ActivityView,
  type ClientToServerEvents,
  type ConnectionView,
  type ServerToClientEvents,
} from '../shared/api-types.js';
import { presentedToken, type AccessPolicy } from './security.js';

export interface RealtimeOptions {
  /** Stats are pushed at most this often (default 100 ms: 10 per second). */
  intervalMs?: number;
  /** A client with more packets than this waiting to be sent is dropped. */
  maxBacklog?: number;
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** More alerts than this within 100 ms cannot be shown anyway; the oldest are skipped. */
const MAX_ACTIVITY_PER_TICK = 50;

/**
 * Pushes what the dashboard and overlays show: `stats` coalesced (only on change, at most
 * ten times a second), `connection` on every change, `profile` after a switch, `activity`
 * (gifts at streak end, follows, shares) with the next tick. A new socket gets the current `stats` and `connection` at once. A client
 * that falls behind is dropped instead of buffered without bound.
 */
export class RealtimeHub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private timer: NodeJS.Timeout | undefined;
  private lastRevision = '';
  private readonly maxBacklog: number;
  private readonly unsubscribe: (() => void)[] = [];
  private activity: ActivityView[] = [];

  constructor(
    server: HttpServer,
    private readonly service: LiveService,
    policy: AccessPolicy,
    private readonly logger: Logger,
    options: RealtimeOptions = {},
  ) {
    this.maxBacklog = options.maxBacklog ?? 64;
    this.io = new Server(server, {
      serveClient: false,
      maxHttpBufferSize: 4096, // pages send nothing
      allowRequest: (req, callback) => {
        const ok =
          policy.hostAllowed(req.headers.host) &&
          policy.originAllowed(req.headers.origin) &&
          policy.tokenAllowed(presentedToken(req.headers, req.url));
        callback(ok ? null : 'forbidden', ok);
      },
    });
    this.io.on('connection', (socket: LiveSocket) => {
      socket.emit(REALTIME.stats, this.service.view());
      socket.emit(REALTIME.connection, this.service.connection.current);
    });
    const onConnection = (view: ConnectionView) => {
      this.io.emit(REALTIME.connection, view);
      this.pushStats(); // the live numbers change with the connection (e.g. cleared)
    };
    const onProfile = (active: string) => {
      this.io.emit(REALTIME.profile, { active });
      this.pushStats();
    };
    const onActivity = (activity: ActivityView) => {
      // Sent with the next tick; a burst beyond what an overlay could show is trimmed.
      if (this.activity.length >= MAX_ACTIVITY_PER_TICK) this.activity.shift();
      this.activity.push(activity);
    };
    service.on('connection', onConnection);
    service.on('profile', onProfile);
    service.on('activity', onActivity);
    this.unsubscribe.push(
      () => service.off('connection', onConnection),
      () => service.off('profile', onProfile),
      () => service.off('activity', onActivity),
    );
    this.timer = setInterval(() => this.tick(), options.intervalMs ?? 100);
    this.timer.unref();
  }

  /** Number of connected sockets. */
  get clients(): number {
    return this.io.engine.clientsCount;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const off of this.unsubscribe.splice(0)) off();
    // Closing the connections without a socket.io "disconnect" lets pages and overlays
    // reconnect by themselves when livetally comes back.
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  private tick(): void {
    if (this.service.revision !== this.lastRevision) this.pushStats();
    if (this.activity.length > 0) {
      const batch = this.activity;
      this.activity = [];
      if (this.io.engine.clientsCount > 0) {
        this.dropSlowClients();
        for (const activity of batch) this.io.emit(REALTIME.activity, activity);
      }
    }
  }

  private pushStats(): void {
    this.lastRevision = this.service.revision;
    if (this.io.engine.clientsCount === 0) return;
    this.dropSlowClients();
    this.io.emit(REALTIME.stats, this.service.view());
  }

  private dropSlowClients(): void {
    for (const socket of this.io.sockets.sockets.values()) {
      // engine.io keeps unsent packets in `writeBuffer` (public in JS, private in its types).
      const backlog = (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
      if (backlog > this.maxBacklog) {
        this.logger.warn(`dropping a realtime client that fell ${backlog} messages behind`);
        // Close without waiting to flush what it could not take anyway.
        socket.conn.close(true);
      }
    }
  }
}
