import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { LiveService } from '../app/live-service.js';
import type { Logger } from '../app/logger.js';
import type { TestAlert } from '../app/test-alerts.js';
import {
  REALTIME,
  type ActivityView,
  type ClientToServerEvents,
  type ConnectionView,
  type ServerToClientEvents,
} from '../shared/api-types.js';
import { presentedToken, type AccessPolicy } from './security.js';
import { behind, cut, cutAll, cutOnMissedHeartbeat } from './slow-clients.js';

export interface RealtimeOptions {
  /** Pushes are at least this far apart (default 100 ms: at most 10 per second). */
  intervalMs?: number;
  /** A client with more packets than this waiting to be sent is dropped. */
  maxBacklog?: number;
  /**
   * The server pings each client this often and drops one that has not answered within as
   * long again: a client that stopped reading (default 10 s).
   */
  heartbeatMs?: number;
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** More alerts than this in one go cannot be shown anyway; the oldest are skipped. */
const MAX_ACTIVITY_PER_PUSH = 50;

/**
 * Pushes what the dashboard and overlays show: `stats` when they changed, at most ten times
 * a second; `connection` on every change; `profile` after a switch; `activity` (gifts at
 * streak end, follows, shares) at once. A new socket gets the current `stats` and
 * `connection` at once. A client that falls behind is dropped instead of buffered.
 *
 * Driven by changes, not a clock: the first change after a quiet spell is pushed at once,
 * later ones are gathered until the interval has passed, and nothing runs while nothing
 * changes. Alerts are not gathered like that — an alert seen a tenth of a second late
 * looks late on stream — only the alerts of one batch of messages go out together.
 */
export class RealtimeHub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private timer: NodeJS.Timeout | undefined;
  private activityPush: NodeJS.Immediate | undefined;
  private lastPush = 0;
  private lastRevision = '';
  private readonly intervalMs: number;
  private readonly maxBacklog: number;
  private readonly unsubscribe: (() => void)[] = [];
  private activity: ActivityView[] = [];
  /** The last `goals` sent, to send them only when a value changed. */
  private lastGoals = '';
  private closed = false;

  constructor(
    server: HttpServer,
    private readonly service: LiveService,
    policy: AccessPolicy,
    private readonly logger: Logger,
    options: RealtimeOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.maxBacklog = options.maxBacklog ?? 64;
    const heartbeatMs = options.heartbeatMs ?? 10_000;
    this.io = new Server(server, {
      serveClient: false,
      maxHttpBufferSize: 4096, // pages send nothing
      pingInterval: heartbeatMs,
      pingTimeout: heartbeatMs,
      allowRequest: (req, callback) => {
        const ok =
          policy.hostAllowed(req.headers.host) &&
          policy.originAllowed(req.headers.origin) &&
          policy.tokenAllowed(presentedToken(req.headers, req.url));
        callback(ok ? null : 'forbidden', ok);
      },
    });
    // Every client, whichever namespace it then joins (`/profile` too).
    this.io.engine.on('connection', (conn: Parameters<typeof cutOnMissedHeartbeat>[0]) =>
      cutOnMissedHeartbeat(conn, logger),
    );
    this.io.on('connection', (socket: LiveSocket) => {
      socket.emit(REALTIME.stats, this.service.view());
      socket.emit(REALTIME.connection, this.service.view().connection);
      socket.emit(REALTIME.goals, this.service.goalsView());
    });
    const onStats = () => this.schedule();
    const onConnection = (view: ConnectionView) => {
      this.io.emit(REALTIME.connection, view);
      this.schedule(); // the live numbers change with the connection (e.g. cleared)
    };
    const onProfile = (active: string) => {
      this.io.emit(REALTIME.profile, { active });
      // Pages drop what they show on `profile`; the new profile's numbers follow at once,
      // even if they were pushed a moment before (while the old file was being closed).
      this.lastGoals = '';
      this.push(true);
    };
    const onActivity = (activity: ActivityView) => {
      if (this.activity.length >= MAX_ACTIVITY_PER_PUSH) this.activity.shift();
      this.activity.push(activity);
      this.scheduleActivity();
    };
    // Test alerts: activity goes out with the next push like any other; test goals at once.
    const onTestAlert = (alert: TestAlert) => {
      if (alert.kind === 'activity') onActivity(alert.activity);
      else this.io.emit(REALTIME.goals, alert.push);
    };
    service.on('stats', onStats);
    service.on('connection', onConnection);
    service.on('profile', onProfile);
    service.on('activity', onActivity);
    service.on('goals', onStats);
    service.on('testAlert', onTestAlert);
    this.unsubscribe.push(
      () => service.off('stats', onStats),
      () => service.off('connection', onConnection),
      () => service.off('profile', onProfile),
      () => service.off('activity', onActivity),
      () => service.off('goals', onStats),
      () => service.off('testAlert', onTestAlert),
    );
    this.lastRevision = service.revision;
    service.armStats();
  }

  /** Number of connected sockets. */
  get clients(): number {
    return this.io.engine.clientsCount;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.activityPush) clearImmediate(this.activityPush);
    this.activityPush = undefined;
    for (const off of this.unsubscribe.splice(0)) off();
    // Closing the connections without a socket.io "disconnect" lets pages and overlays
    // reconnect by themselves when livetally comes back.
    cutAll(this.io);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  /** A push is due: now if the last one is long enough ago, else when it will be. */
  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastPush + this.intervalMs - Date.now());
    // Even "now" waits for the current turn: the rest of a batch of events counts first.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.push();
    }, wait);
  }

  /**
   * Alerts go out at once: after the current turn of the event loop, so that the rest of
   * the batch of messages being counted (a WebSocket frame from TikTok) goes with them.
   */
  private scheduleActivity(): void {
    if (this.activityPush || this.closed) return;
    this.activityPush = setImmediate(() => {
      this.activityPush = undefined;
      this.pushActivity();
    });
  }

  private push(force = false): void {
    if (this.closed) return;
    this.lastPush = Date.now();
    const revision = this.service.revision;
    const changed = force || revision !== this.lastRevision;
    this.lastRevision = revision;
    this.service.armStats(); // hear about the next change
    const goals = this.service.goalsView();
    const goalsKey = JSON.stringify(goals);
    const goalsChanged = goalsKey !== this.lastGoals;
    this.lastGoals = goalsKey;
    if (this.io.engine.clientsCount === 0) return;
    if (changed || goalsChanged) this.dropSlowClients();
    if (changed) this.io.emit(REALTIME.stats, this.service.view());
    if (goalsChanged) this.io.emit(REALTIME.goals, goals);
  }

  private pushActivity(): void {
    if (this.closed) return;
    const activity = this.activity;
    this.activity = [];
    if (activity.length === 0 || this.io.engine.clientsCount === 0) return;
    this.dropSlowClients();
    for (const item of activity) this.io.emit(REALTIME.activity, item);
  }

  private dropSlowClients(): void {
    for (const socket of this.io.sockets.sockets.values()) {
      const reason = behind(socket.conn, this.maxBacklog);
      if (reason) {
        this.logger.warn(`dropping a realtime client that fell ${reason}`);
        cut(socket.conn);
      }
    }
  }
}
