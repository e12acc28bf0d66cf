import { EventEmitter } from 'node:events';
import type { Activity } from '../../domain/broadcast-tally.js';
import { LivetallyError } from '../../domain/errors.js';
import { normalizeStreamerHandle } from '../../domain/streamer-handle.js';
import type { ConnectionView, GoalsPush, StatsView } from '../../shared/api-types.js';
import { notify, type PgBus } from '../../storage/pg/pg-bus.js';
import type { ClaimsOwner } from '../../storage/pg/pg-claims.js';
import type { PgPool } from '../../storage/pg/pg-database.js';
import type { PgProfiles } from '../../storage/pg/pg-profiles.js';
import { ACTIVE_PROFILE_SETTING, type PgServiceState } from '../../storage/pg/pg-service-state.js';
import type { Logger } from '../logger.js';
import { ClaimLoop, type CountingTarget } from './claim-loop.js';
import {
  PushPublisher,
  RemoteViews,
  type LocalViews,
  type PushMessage,
  type RemoteView,
} from './push-relay.js';

/** What one process of a hosted service shares with the others (see `openHostedRuntime`). */
export interface HostedRuntime {
  url: string;
  pool: PgPool;
  bus: PgBus;
  state: PgServiceState;
  profiles: PgProfiles;
  owner: ClaimsOwner;
  logger: Logger;
  /** How often the claim loop looks (default 2 s). */
  claimPeriodMs?: number;
}

/** What the fleet does for the claim loop: count a profile here, or stop. */
export interface HostedCounters extends CountingTarget, LocalViews {
  /** Resets the stats of a profile counted here (asked by another process). */
  reset(profile: string): Promise<void>;
}

/** `livetally_settings` payload prefix: a profile's goals changed (then its name). */
const GOALS_NOTICE = 'goals:';

/** How long a reset asked of the process that counts the profile may take. */
const REMOTE_RESET_MS = 10_000;

interface HostedEvents {
  /** About profiles counted by another process (the fleet's own events cover the rest). */
  stats: [string];
  connection: [string, ConnectionView];
  activity: [string, Activity];
  goals: [string];
  /** Another process may have changed the active profile: read it again. */
  active: [];
  /** A process of the service changed this profile's goals: read them again. */
  goalsChanged: [string];
}

const DISCONNECTED: ConnectionView = {
  state: 'disconnected',
  streamer: null,
  roomId: null,
  error: null,
  retryInMs: null,
  source: null,
  lastEnd: null,
};

/**
 * The fleet's hosted mode (`start --database URL`): connecting and disconnecting write the
 * desired state to the database, and the claim loop — not the HTTP request — decides which
 * process of the service counts each LIVE. The pushes of LIVEs counted here go to the other
 * processes; theirs come back as events, so a page gets every profile's pushes whichever
 * process it is connected to.
 */
export class HostedProfiles extends EventEmitter<HostedEvents> {
  readonly loop: ClaimLoop;
  private readonly publisher: PushPublisher;
  private readonly remote: RemoteViews;
  /** Resets asked of other processes, by request id. */
  private readonly resets = new Map<string, (error?: { code: string; message: string }) => void>();
  /** Waiters for a profile's next connection view, by profile key. */
  private readonly waiters = new Map<string, Set<(view: ConnectionView) => void>>();

  constructor(
    private readonly runtime: HostedRuntime,
    private readonly counters: HostedCounters,
    /** How long a connect waits for its first outcome before answering "connecting". */
    private readonly answerWithinMs = 10_000,
  ) {
    super();
    this.setMaxListeners(0);
    const { pool, bus, state, owner, logger, url } = runtime;
    this.publisher = new PushPublisher(pool, owner.processId, counters, logger);
    this.remote = new RemoteViews(bus, owner.processId, (p) => counters.isCounting(p));
    bus.on('message', (channel, payload) => {
      if (channel !== 'livetally_settings') return;
      if (payload === ACTIVE_PROFILE_SETTING) this.emit('active');
      else if (payload.startsWith(GOALS_NOTICE)) {
        this.emit('goalsChanged', payload.slice(GOALS_NOTICE.length));
      }
    });
    bus.on('reconnected', () => this.emit('active'));
    bus.on('message', (channel, payload) => {
      if (channel === 'livetally_push') this.command(payload);
    });
    this.remote.on('stats', (p) => this.emit('stats', p));
    this.remote.on('goals', (p) => this.emit('goals', p));
    this.remote.on('activity', (p, a) => this.emit('activity', p, a));
    this.remote.on('connection', (p, view) => {
      this.emit('connection', p, view);
      this.answer(p, view);
    });
    this.loop = new ClaimLoop({
      url,
      owner,
      state,
      bus,
      target: counters,
      logger,
      periodMs: runtime.claimPeriodMs,
    });
    this.loop.on('claimed', (w) => this.remote.forget(w.profile));
    this.loop.on('failed', (w, error) => {
      // Nothing to connect to: the connect waiting anywhere is answered with the error.
      const code = error instanceof LivetallyError ? error.code : 'connection_failed';
      const view: ConnectionView = {
        ...DISCONNECTED,
        streamer: w.streamer,
        error: { code, message: error.message },
      };
      this.answer(w.profile, view);
      this.publisher.connection(w.profile, view);
    });
  }

  start(): void {
    this.loop.start();
  }

  /** The latest view of a profile counted by another process, if any. */
  remoteView(profile: string): RemoteView | undefined {
    return this.counters.isCounting(profile) ? undefined : this.remote.get(profile);
  }

  remoteGoals(profile: string): GoalsPush | undefined {
    return this.remoteView(profile)?.goals;
  }

  /**
   * The profile is to watch `streamer`; answers with the first outcome wherever it is
   * counted (connected, or the failure), or "connecting" after `answerWithinMs`.
   */
  async connect(profile: string, input: string): Promise<ConnectionView> {
    const streamer = normalizeStreamerHandle(input);
    const { id } = await this.runtime.profiles.resolve(profile);
    const outcome = this.nextOutcome(profile);
    const now = Date.now();
    const row = await this.runtime.state.want(id, streamer, now);
    if (row.wantedAt !== now || row.streamer !== streamer) {
      outcome.cancel();
      throw new LivetallyError(
        'already_connected',
        `"${profile}" is already connected to @${row.streamer}; disconnect first`,
      );
    }
    const view = await outcome.wait(this.answerWithinMs);
    if (!view) return { ...DISCONNECTED, state: 'connecting', streamer };
    if (view.state === 'disconnected' && view.error && !view.lastEnd) {
      throw new LivetallyError(view.error.code, view.error.message);
    }
    return view;
  }

  /** The profile is to watch nobody; answers once its counter stopped (or after a while). */
  async disconnect(profile: string): Promise<ConnectionView> {
    const { id } = await this.runtime.profiles.resolve(profile);
    const outcome = this.nextOutcome(profile, (v) => v.state === 'disconnected');
    if (!(await this.runtime.state.unwant(id))) {
      outcome.cancel();
      throw new LivetallyError('not_connected', `"${profile}" is not connected to anyone`);
    }
    return (await outcome.wait(this.answerWithinMs)) ?? DISCONNECTED;
  }

  /**
   * Resets a profile counted by another process: that process does it (it holds the
   * numbers) and says when it is done.
   */
  async resetRemote(profile: string): Promise<void> {
    const r = `${this.runtime.owner.processId}:${Math.random().toString(36).slice(2)}`;
    const done = new Promise<{ code: string; message: string } | undefined | 'timeout'>(
      (resolve) => {
        const timer = setTimeout(() => resolve('timeout'), REMOTE_RESET_MS);
        this.resets.set(r, (error) => {
          clearTimeout(timer);
          resolve(error);
        });
      },
    );
    try {
      await this.say({ o: this.runtime.owner.processId, p: profile, s: 0, k: 'reset', r });
      const outcome = await done;
      if (outcome === 'timeout') {
        throw new LivetallyError(
          'profile_counting',
          `the livetally process that counts "${profile}" did not answer; try again in a moment`,
        );
      }
      if (outcome) throw new LivetallyError(outcome.code, outcome.message);
    } finally {
      this.resets.delete(r);
    }
  }

  /** Tells every process (this one too) that the profile's goals changed. */
  async goalsChanged(profile: string): Promise<void> {
    await notify(this.runtime.pool, 'livetally_settings', `${GOALS_NOTICE}${profile}`).catch(
      (error: unknown) =>
        this.runtime.logger.warn(
          `hosted mode: could not reach the other processes: ${String(error)}`,
        ),
    );
  }

  /** Whether the profile is to watch someone (wherever it is counted). */
  async isWanted(profile: string): Promise<boolean> {
    const found = await this.runtime.profiles.find(profile);
    return found ? (await this.runtime.state.wantedFor(found.id)) !== null : false;
  }

  // What the fleet tells about the profiles it counts here, for the other processes ------

  localStats(profile: string): void {
    this.publisher.stats(profile);
  }

  localActivity(profile: string, activity: Activity): void {
    this.publisher.activity(profile, activity);
  }

  localConnection(profile: string, view: ConnectionView): void {
    this.publisher.connection(profile, view);
    this.answer(profile, view);
    if (view.state === 'disconnected') {
      // Ended by itself (a LIVE that ended, a recording that ran out): no longer wanted.
      setImmediate(() => {
        const held = this.loop.counting.find((w) => key(w.profile) === key(profile));
        if (held && !this.counters.isCounting(profile)) this.loop.ended(held.profileId);
      });
    }
  }

  localGoals(profile: string): void {
    this.publisher.goals(profile);
  }

  /** Last view of a profile this process stops counting, for the other processes. */
  localReleased(profile: string, last: StatsView): void {
    this.publisher.released(profile, last);
  }

  /** Stops every LIVE counted here (saved; their wanted rows stay) and lets go of them. */
  async close(): Promise<void> {
    await this.loop.close();
    await this.publisher.close();
    this.remote.close();
  }

  /** Requests between processes (a reset), as they arrive on the push channel. */
  private command(payload: string): void {
    let message: PushMessage;
    try {
      message = JSON.parse(payload) as PushMessage;
    } catch {
      return;
    }
    if (message.k === 'reset-done') {
      this.resets.get(message.r)?.(message.e);
    } else if (message.k === 'reset' && this.counters.isCounting(message.p)) {
      const { p, r } = message;
      const me = this.runtime.owner.processId;
      this.counters.reset(p).then(
        () => this.say({ o: me, p, s: 0, k: 'reset-done', r }),
        (error: unknown) =>
          this.say({
            o: me,
            p,
            s: 0,
            k: 'reset-done',
            r,
            e: {
              code: error instanceof LivetallyError ? error.code : 'reset_failed',
              message: error instanceof Error ? error.message : String(error),
            },
          }),
      );
    }
  }

  private async say(message: PushMessage): Promise<void> {
    await notify(this.runtime.pool, 'livetally_push', JSON.stringify(message)).catch(
      (error: unknown) =>
        this.runtime.logger.warn(
          `hosted mode: could not reach the other processes: ${String(error)}`,
        ),
    );
  }

  private answer(profile: string, view: ConnectionView): void {
    const waiting = this.waiters.get(key(profile));
    if (!waiting) return;
    for (const waiter of [...waiting]) waiter(view);
  }

  /** The first connection view of the profile that is an outcome, from now on. */
  private nextOutcome(
    profile: string,
    isOutcome: (view: ConnectionView) => boolean = (v) =>
      v.state === 'connected' ||
      v.state === 'reconnecting' ||
      v.state === 'disconnected' ||
      (v.state === 'connecting' && v.error !== null),
  ) {
    const k = key(profile);
    let settle: (view: ConnectionView | undefined) => void = () => undefined;
    const settled = new Promise<ConnectionView | undefined>((resolve) => (settle = resolve));
    const waiter = (view: ConnectionView) => {
      if (isOutcome(view)) settle(view);
    };
    let set = this.waiters.get(k);
    if (!set) this.waiters.set(k, (set = new Set()));
    set.add(waiter);
    const done = () => {
      set.delete(waiter);
      if (set.size === 0 && this.waiters.get(k) === set) this.waiters.delete(k);
    };
    return {
      cancel: () => {
        done();
        settle(undefined);
      },
      wait: async (ms: number) => {
        const timer = setTimeout(() => settle(undefined), ms);
        try {
          return await settled;
        } finally {
          clearTimeout(timer);
          done();
        }
      },
    };
  }
}

function key(name: string): string {
  return name.toLowerCase();
}
