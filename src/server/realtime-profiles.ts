import { behind, cut } from './slow-clients.js';
import type { Namespace, Server, Socket } from 'socket.io';
import type { Activity } from '../domain/broadcast-tally.js';
import type { Logger } from '../app/logger.js';
import type { ProfileFleet } from '../app/profile-fleet.js';
import type { TestAlert } from '../app/test-alerts.js';
import { isLivetallyError } from '../domain/errors.js';
import {
  REALTIME,
  type ActivityView,
  type ClientToServerEvents,
  type ConnectionView,
  type ServerToClientEvents,
} from '../shared/api-types.js';
import type { RealtimeOptions } from './realtime.js';

/**
 * The socket.io namespace of pages that follow one profile by name:
 * `io('/profile', { query: { profile: NAME } })`. Such a socket gets that profile's `stats`,
 * `connection`, `activity` and `goals` — the same events, shapes and pacing as the default
 * namespace gives for the active profile — and nothing of any other profile.
 */
export const PROFILE_NAMESPACE = '/profile';

type FollowerSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const MAX_ACTIVITY_PER_PUSH = 50;

interface Room {
  name: string;
  timer: NodeJS.Timeout | undefined;
  activityPush: NodeJS.Immediate | undefined;
  activity: ActivityView[];
  lastPush: number;
  lastRevision: string;
  lastGoals: string;
  pushing: boolean;
}

/** Pushes each followed profile's events to its room, coalesced as the default channel is. */
export class ProfileRealtime {
  private readonly nsp: Namespace<ClientToServerEvents, ServerToClientEvents>;
  private readonly rooms = new Map<string, Room>();
  private readonly intervalMs: number;
  private readonly maxBacklog: number;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  constructor(
    io: Server<ClientToServerEvents, ServerToClientEvents>,
    private readonly fleet: ProfileFleet,
    private readonly logger: Logger,
    options: RealtimeOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.maxBacklog = options.maxBacklog ?? 64;
    this.nsp = io.of(PROFILE_NAMESPACE);
    this.nsp.use(async (socket, next) => {
      const requested = socket.handshake.query['profile'];
      try {
        if (typeof requested !== 'string' || requested === '') {
          throw Object.assign(new Error('say which profile to follow: ?profile=NAME'), {
            code: 'invalid_request',
          });
        }
        (socket.data as { profile?: string }).profile = await fleet.resolve(requested);
        next();
      } catch (error) {
        const refused = new Error((error as Error).message) as Error & { data?: unknown };
        const code = isLivetallyError(error)
          ? error.code
          : ((error as { code?: string }).code ?? 'invalid_request');
        refused.data = { code };
        next(refused);
      }
    });
    this.nsp.on('connection', (socket: FollowerSocket) => void this.welcome(socket));
    const onStats = (name: string) => {
      const room = this.rooms.get(key(name));
      if (room) this.schedule(room);
    };
    const onConnection = (name: string, view: ConnectionView) => {
      const room = this.rooms.get(key(name));
      if (!room) return;
      this.nsp.to(key(name)).emit(REALTIME.connection, view);
      this.schedule(room);
    };
    const onActivity = (name: string, activity: Activity | ActivityView) => {
      const room = this.rooms.get(key(name));
      if (!room) return;
      if (room.activity.length >= MAX_ACTIVITY_PER_PUSH) room.activity.shift();
      room.activity.push(activity);
      room.activityPush ??= setImmediate(() => this.pushActivity(room));
    };
    // The dashboard's test buttons are for the active profile's overlays, named ones included.
    const onTestAlert = (name: string, alert: TestAlert) => {
      if (alert.kind === 'activity') onActivity(name, alert.activity);
      else if (this.rooms.has(key(name))) this.nsp.to(key(name)).emit(REALTIME.goals, alert.push);
    };
    fleet.on('testAlert', onTestAlert);
    fleet.on('stats', onStats);
    fleet.on('goals', onStats);
    fleet.on('connection', onConnection);
    fleet.on('activity', onActivity);
    this.unsubscribe.push(
      () => fleet.off('stats', onStats),
      () => fleet.off('goals', onStats),
      () => fleet.off('connection', onConnection),
      () => fleet.off('activity', onActivity),
      () => fleet.off('testAlert', onTestAlert),
    );
  }

  /** Stops every timer and listener (the server closes the sockets). */
  close(): void {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const room of this.rooms.values()) this.forget(room);
    this.rooms.clear();
  }

  private async welcome(socket: FollowerSocket): Promise<void> {
    const name = (socket.data as { profile: string }).profile;
    const k = key(name);
    await socket.join(k);
    let room = this.rooms.get(k);
    if (!room) {
      room = {
        name,
        timer: undefined,
        activityPush: undefined,
        activity: [],
        lastPush: 0,
        lastRevision: '',
        lastGoals: '',
        pushing: false,
      };
      this.rooms.set(k, room);
    }
    socket.on('disconnect', () => {
      const current = this.rooms.get(k);
      if (current && !this.nsp.adapter.rooms.get(k)?.size) {
        this.forget(current);
        this.rooms.delete(k);
      }
    });
    try {
      this.fleet.armStats(name);
      room.lastRevision = this.fleet.revision(name);
      const view = await this.fleet.view(name);
      socket.emit(REALTIME.stats, view);
      socket.emit(REALTIME.connection, view.connection);
      socket.emit(REALTIME.goals, await this.fleet.goalsView(name));
    } catch (error) {
      this.logger.warn(`could not show profile "${name}": ${(error as Error).message}`);
    }
  }

  private schedule(room: Room): void {
    if (room.timer || this.closed) return;
    const wait = Math.max(0, room.lastPush + this.intervalMs - Date.now());
    room.timer = setTimeout(() => {
      room.timer = undefined;
      void this.push(room);
    }, wait);
  }

  private async push(room: Room): Promise<void> {
    if (this.closed || room.pushing) return;
    room.pushing = true;
    try {
      room.lastPush = Date.now();
      const { name } = room;
      const revision = this.fleet.revision(name);
      const changed = revision !== room.lastRevision;
      room.lastRevision = revision;
      this.fleet.armStats(name);
      const goals = this.fleet.goalsNow(name) ?? (await this.fleet.goalsView(name));
      const goalsKey = JSON.stringify(goals);
      const goalsChanged = goalsKey !== room.lastGoals;
      room.lastGoals = goalsKey;
      const view = changed ? await this.fleet.view(name) : undefined;
      if (this.closed || this.rooms.get(key(name)) !== room) return;
      if (changed || goalsChanged) this.dropSlowClients(room);
      if (view) this.nsp.to(key(name)).emit(REALTIME.stats, view);
      if (goalsChanged) this.nsp.to(key(name)).emit(REALTIME.goals, goals);
    } catch (error) {
      this.logger.warn(`could not push profile "${room.name}": ${(error as Error).message}`);
    } finally {
      room.pushing = false;
    }
  }

  private pushActivity(room: Room): void {
    room.activityPush = undefined;
    if (this.closed) return;
    const activity = room.activity;
    room.activity = [];
    if (activity.length === 0) return;
    this.dropSlowClients(room);
    for (const item of activity) this.nsp.to(key(room.name)).emit(REALTIME.activity, item);
  }

  private dropSlowClients(room: Room): void {
    const ids = this.nsp.adapter.rooms.get(key(room.name));
    if (!ids) return;
    for (const id of ids) {
      const socket = this.nsp.sockets.get(id);
      if (!socket) continue;
      const reason = behind(socket.conn, this.maxBacklog);
      if (reason) {
        this.logger.warn(`dropping a realtime client that fell ${reason}`);
        cut(socket.conn);
      }
    }
  }

  private forget(room: Room): void {
    if (room.timer) clearTimeout(room.timer);
    if (room.activityPush) clearImmediate(room.activityPush);
    room.timer = undefined;
    room.activityPush = undefined;
  }
}

function key(name: string): string {
  return name.toLowerCase();
}
