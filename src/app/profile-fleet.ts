import { EventEmitter } from 'node:events';
import type { Activity } from '../domain/broadcast-tally.js';
import { LivetallyError } from '../domain/errors.js';
import { goalStatus } from '../domain/goals.js';
import { zeroStats, type StreamStats } from '../domain/stats.js';
import type { SavedCurrent } from '../domain/history.js';
import type {
  ConnectionView,
  GoalsPush,
  SavedView,
  StatsResponse,
  StatsView,
} from '../shared/api-types.js';
import type { HistoryRepository } from '../storage/history-repository.js';
import type { Awaitable, ProfileStorage } from '../storage/profile-storage.js';
import { HostedProfiles, type HostedCounters } from './hosted/hosted-profiles.js';
import type { LiveService, LiveServiceOptions } from './live-service.js';
import { ProfileCounter } from './profile-counter.js';
import type { TestAlert } from './test-alerts.js';

export type { FleetWriterKind } from './profile-counter.js';

interface FleetEvents {
  /** A profile's `view()` may have changed (its name as on disk). */
  stats: [string];
  connection: [string, ConnectionView];
  activity: [string, Activity];
  goals: [string];
  /** A dashboard's test alert: for the overlays of the active profile (its name). */
  testAlert: [string, TestAlert];
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

const HEALTHY = { ok: true, error: null, unsavedSince: null };

interface LastView {
  connection: ConnectionView;
  stats: StreamStats;
  peakViewers: number;
}

/** Reads of one profile's file, whichever way it is open (see `ProfileFleet.reading`). */
export interface ProfileReads {
  name: string;
  /** Runs a query on the profile's history (the active profile's damage checks included). */
  read: <T>(query: (history: HistoryRepository) => Promise<T>) => Promise<T>;
  currentSessionId: () => Awaitable<number | null>;
}

/**
 * Every profile that counts a LIVE at once (DESIGN "Several LIVEs at once"). The active
 * profile stays the service's (the existing routes and events are about it); any other
 * profile that is connected gets a `ProfileCounter` of its own — its file open, its tracker,
 * its saves — and is closed again as soon as its connection ends, so an idle profile costs
 * nothing. Answers about an idle profile are read from its file, read-only.
 *
 * A profile is counted in one place only: a profile counting here cannot be made the
 * active profile or deleted (409 `profile_counting`) until it is disconnected.
 */
export class ProfileFleet extends EventEmitter<FleetEvents> {
  private readonly counters = new Map<string, ProfileCounter>();
  /** Connects and resets under way, by key: the profile is claimed while they run. */
  private readonly pending = new Map<string, number>();
  private readonly queues = new Map<string, Promise<unknown>>();
  /**
   * What a profile that counted in this run showed when its file was let go (after a
   * disconnect: the cleared stats, as the active profile shows them); shown while idle.
   */
  private readonly ended = new Map<string, LastView>();
  /** Grows whenever an idle profile's file changes (a reset), so pages hear of it. */
  private readonly idleEpochs = new Map<string, number>();
  private closed = false;
  /**
   * Hosted mode (`start --database`): the claim loop, not the request, decides which
   * process of the service counts each profile — the active one included, so the service
   * follows the active profile through the fleet instead of the other way round.
   */
  readonly hosted: HostedProfiles | undefined;

  constructor(
    private readonly service: LiveService,
    private readonly options: LiveServiceOptions,
  ) {
    super();
    this.setMaxListeners(0);
    let active = service.profileName;
    if (options.hosted) {
      const hosted = new HostedProfiles(
        options.hosted,
        this.claimTarget(),
        options.connectAnswerMs,
      );
      hosted.on('stats', (p) => this.emit('stats', p));
      hosted.on('goals', (p) => this.emit('goals', p));
      hosted.on('connection', (p, view) => this.emit('connection', p, view));
      hosted.on('activity', (p, activity) => this.emit('activity', p, activity));
      hosted.on('goalsChanged', (p) => {
        const counter = this.counters.get(key(p));
        if (!counter) return;
        counter.reloadGoals().then(
          () => {
            this.emit('goals', p);
            hosted.localGoals(p);
          },
          () => undefined,
        );
      });
      this.hosted = hosted;
    } else {
      service.on('stats', () => this.emit('stats', service.profileName));
      service.on('goals', () => this.emit('goals', service.profileName));
      service.on('connection', (view) => this.emit('connection', service.profileName, view));
      service.on('activity', (activity) => this.emit('activity', service.profileName, activity));
    }
    service.on('testAlert', (alert) => this.emit('testAlert', service.profileName, alert));
    service.on('profile', (name) => {
      // The profile switched away from is closed: it shows what its file holds, as idle
      // profiles do, and the new active one is the service's.
      this.ended.delete(key(active));
      this.bump(active);
      this.emit('stats', active);
      this.emit('goals', active);
      active = name;
      this.emit('stats', name);
      this.emit('goals', name);
    });
  }

  /** The profile's name as kept; 400 for a bad name, 404 for none. */
  async resolve(name: string): Promise<string> {
    return this.options.workspace.resolve(name);
  }

  /** Whether the service counts the profile itself (never in hosted mode: the fleet does). */
  isActive(found: string): boolean {
    return !this.hosted && key(found) === key(this.service.profileName);
  }

  /** Profiles counting beside the active one. */
  get counting(): string[] {
    return [...this.counters.values()].map((c) => c.name);
  }

  /** Refuses a change that needs the profile not to be counting here. */
  assertIdle(found: string, what: string): void {
    const k = key(found);
    if (this.counters.has(k) || (this.pending.get(k) ?? 0) > 0) {
      throw new LivetallyError(
        'profile_counting',
        `"${found}" is counting a LIVE of its own and cannot be ${what}; disconnect it first`,
      );
    }
  }

  async connect(name: string, streamer: string): Promise<ConnectionView> {
    const found = await this.resolve(name);
    if (this.hosted) return this.hosted.connect(found, streamer);
    if (this.isActive(found)) return this.service.connect(streamer);
    this.assertNotSwitching(found);
    return this.claimed(found, async () => {
      if (this.closed) throw new LivetallyError('shutting_down', 'livetally is stopping');
      const counter = this.counters.get(key(found)) ?? (await this.open(found));
      this.ended.delete(key(found));
      return counter.connect(streamer);
    });
  }

  async disconnect(name: string): Promise<ConnectionView> {
    const found = await this.resolve(name);
    if (this.hosted) return this.hosted.disconnect(found);
    if (this.isActive(found)) return this.service.disconnect();
    const counter = this.counters.get(key(found));
    if (!counter || counter.isIdle) {
      throw new LivetallyError('not_connected', `"${found}" is not connected to anyone`);
    }
    return counter.disconnect();
  }

  async reset(name: string): Promise<StreamStats> {
    const found = await this.resolve(name);
    if (this.isActive(found)) return this.service.reset();
    this.assertNotSwitching(found);
    return this.claimed(found, async () => {
      const counter = this.counters.get(key(found));
      if (counter) return counter.tracker.reset();
      if (this.hosted && (await this.hosted.isWanted(found))) {
        // Counted by another process of the service: it resets what it holds.
        await this.hosted.resetRemote(found);
        return zeroStats();
      }
      const { store } = await this.options.workspace.openForWriting(found);
      try {
        await store.resetStreamStats();
      } finally {
        await store.close();
      }
      this.ended.delete(key(found));
      this.bump(found);
      this.emit('stats', found);
      this.emit('goals', found);
      return zeroStats();
    });
  }

  /** What `/api/profiles/:name/stats` answers: the shape of `/api/stats`. */
  async stats(name: string): Promise<StatsResponse> {
    const found = await this.resolve(name);
    if (this.isActive(found)) return { ...this.service.view(), saved: await this.service.saved() };
    const counter = this.counters.get(key(found));
    if (counter) return { ...counter.view(), saved: savedView(await counter.tracker.saved()) };
    const saved = await this.options.workspace.readCurrent(found);
    // Counted by another process of the service: its latest push.
    const remote = this.hosted?.remoteView(found);
    if (remote) return { ...remote.view, saved: savedView(saved) };
    return { ...this.idleView(found, saved), saved: savedView(saved) };
  }

  /** The live view of a profile (by its name as kept), for realtime pushes. */
  async view(found: string): Promise<StatsView> {
    if (this.isActive(found)) return this.service.view();
    const live = this.liveView(found);
    if (live) return live;
    const saved = await this.readIdle(found);
    // Counting started while the file was read: the live numbers, not the file's.
    return this.viewNow(found) ?? this.idleView(found, saved);
  }

  /** The view of a profile counting in this process, without waiting; undefined when idle. */
  private viewNow(found: string): StatsView | undefined {
    if (this.isActive(found)) return this.service.view();
    return this.liveView(found);
  }

  /**
   * The live view of a profile counted by the fleet — here, or (hosted mode) by another
   * process of the service, as its latest push says; undefined when nobody counts it.
   */
  liveView(found: string): StatsView | undefined {
    return this.counters.get(key(found))?.view() ?? this.hosted?.remoteView(found)?.view;
  }

  /** Changes whenever `view(found)` does. */
  revision(found: string): string {
    if (this.isActive(found)) return `a${this.service.revision}`;
    const counter = this.counters.get(key(found));
    if (counter) return `c${counter.revision}`;
    const remote = this.hosted?.remoteView(found);
    if (remote) return `r${remote.owner}:${remote.seq}`;
    return `i${this.idleEpochs.get(key(found)) ?? 0}`;
  }

  /** Asks for one `stats` event at the profile's next change. */
  armStats(found: string): void {
    if (this.isActive(found)) this.service.armStats();
    else this.counters.get(key(found))?.armStats();
  }

  async goalsView(found: string): Promise<GoalsPush> {
    if (this.isActive(found)) return this.service.goals();
    const counter = this.counters.get(key(found));
    if (counter) {
      await counter.goals.ready.catch(() => undefined);
      return counter.goalsView();
    }
    const stats = (await this.view(found)).stats;
    const goals = await this.readingIdle(found, (store) => store.goals.list());
    return { profile: found, goals: (goals ?? []).map((g) => goalStatus(g, stats)) };
  }

  /** The goals as they stand now, without waiting (empty until loaded; idle: none). */
  goalsNow(found: string): GoalsPush | undefined {
    if (this.isActive(found)) return this.service.goalsView();
    return this.counters.get(key(found))?.goalsView() ?? this.hosted?.remoteGoals(found);
  }

  /**
   * Reads of a profile's file: the open one while it counts, else a read-only connection
   * closed when `read` settles.
   */
  async reading<T>(name: string, read: (reads: ProfileReads) => Promise<T>): Promise<T> {
    return this.readingFound(await this.resolve(name), read);
  }

  /** `reading` for a name as on disk (listing the folder for every profile would be slow). */
  async readingFound<T>(found: string, read: (reads: ProfileReads) => Promise<T>): Promise<T> {
    if (this.isActive(found)) {
      return read({
        name: found,
        read: (query) => this.service.readHistory(query),
        currentSessionId: () => this.service.currentSessionId(),
      });
    }
    const counter = this.counters.get(key(found));
    if (counter) {
      const store = counter.file;
      return read({
        name: found,
        read: (query) => query(store.history),
        currentSessionId: async () =>
          counter.tracker.broadcast?.sessionId ?? (await store.loadCurrent())?.sessionId ?? null,
      });
    }
    const store = await this.options.workspace.openForReading(found);
    if (!store) {
      return read({
        name: found,
        read: (query) => query(EMPTY_HISTORY),
        currentSessionId: () => null,
      });
    }
    try {
      return await read({
        name: found,
        read: (query) => query(store.history),
        currentSessionId: async () => (await store.loadCurrent())?.sessionId ?? null,
      });
    } finally {
      await store.close();
    }
  }

  /** Every counting profile stops and saves, at once; failures are logged. */
  async shutdown(giveUp?: AbortSignal): Promise<void> {
    // Hosted: every LIVE counted here stops and saves, then its claim goes (its wanted row
    // stays: another process takes it over at once).
    await this.hosted?.close().catch((error: unknown) => {
      this.options.logger.error(`hosted mode: ${(error as Error).message}`);
    });
    this.closed = true;
    const closing = [...this.counters.values()].map((counter) =>
      counter.close(giveUp).catch((error: unknown) => {
        this.options.logger.error(`profile "${counter.name}": ${(error as Error).message}`);
      }),
    );
    this.counters.clear();
    await Promise.all(closing);
    await Promise.all([...this.queues.values()].map((q) => q.catch(() => undefined)));
  }

  private async open(found: string): Promise<ProfileCounter> {
    const { workspace, sources, logger, saveIntervalMs, connectAnswerMs } = this.options;
    const profile = await workspace.openForWriting(found);
    const counter = await ProfileCounter.open({
      name: found,
      profile,
      sources,
      logger,
      saveIntervalMs,
      connectAnswerMs,
      writer: this.options.fleetWriter ?? 'inline',
    });
    const { hosted } = this;
    counter.on('stats', () => {
      this.emit('stats', found);
      hosted?.localStats(found);
    });
    counter.on('connection', (view) => {
      this.emit('connection', found, view);
      hosted?.localConnection(found, view);
    });
    counter.on('activity', (activity) => {
      this.emit('activity', found, activity);
      hosted?.localActivity(found, activity);
    });
    counter.on('idle', () => void this.retire(found));
    counter.goals.ready.then(
      () => {
        this.emit('goals', found);
        hosted?.localGoals(found);
      },
      () => undefined,
    );
    this.counters.set(key(found), counter);
    return counter;
  }

  /** Lets go of a profile whose connection ended: final save done, file closed. */
  private retire(found: string): Promise<void> {
    return this.queued(found, async () => {
      const counter = this.counters.get(key(found));
      if (!counter || !counter.isIdle || this.closed) return;
      this.counters.delete(key(found));
      const { connection, stats, peakViewers } = counter.view();
      this.ended.set(key(found), { connection, stats, peakViewers });
      this.bump(found);
      try {
        await counter.close();
      } catch (error) {
        this.options.logger.error(`profile "${found}": ${(error as Error).message}`);
      }
      this.emit('stats', found);
    });
  }

  /**
   * What the hosted mode's claim loop has this process do: count a profile it claimed,
   * stop one it lets go, drop at once what it no longer owns.
   */
  private claimTarget(): HostedCounters {
    const logged = (found: string) => (error: unknown) =>
      this.options.logger.error(`profile "${found}": ${(error as Error).message}`);
    return {
      start: (found, streamer) =>
        this.claimed(found, async () => {
          if (this.closed) throw new LivetallyError('shutting_down', 'livetally is stopping');
          const counter = this.counters.get(key(found)) ?? (await this.open(found));
          this.ended.delete(key(found));
          await counter.connect(streamer);
        }),
      stop: async (found, why) => {
        const counter = this.counters.get(key(found));
        if (!counter) return;
        if (why === 'disconnected') {
          if (!counter.isIdle) await counter.disconnect().catch(logged(found));
          await this.retire(found);
        } else {
          this.counters.delete(key(found));
          await counter.close().catch(logged(found));
        }
        this.hosted?.localReleased(found, counter.view());
      },
      abandon: async (found) => {
        const counter = this.counters.get(key(found));
        if (!counter) return;
        // Nothing of it reaches the pages or the other processes any more.
        this.counters.delete(key(found));
        counter.removeAllListeners();
        await counter.close(AbortSignal.abort()).catch(() => undefined);
        this.bump(found);
        this.emit('stats', found);
      },
      isCounting: (found) => {
        const counter = this.counters.get(key(found));
        return counter !== undefined && !counter.isIdle;
      },
      view: (found) => {
        const counter = this.counters.get(key(found));
        if (!counter) throw new LivetallyError('not_connected', `"${found}" is not counted here`);
        return counter.view();
      },
      goalsNow: (found) => this.counters.get(key(found))?.goalsView(),
      reset: (found) =>
        this.claimed(found, async () => {
          const counter = this.counters.get(key(found));
          if (!counter) throw new LivetallyError('not_connected', `"${found}" is not counted here`);
          await counter.tracker.reset();
        }),
      armStats: (found) => this.counters.get(key(found))?.armStats(),
    };
  }

  /** Runs `work` with the profile claimed: no switch or delete may take it meanwhile. */
  private async claimed<T>(found: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new LivetallyError('shutting_down', 'livetally is stopping');
    const k = key(found);
    this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    try {
      return await this.queued(found, work);
    } finally {
      const left = (this.pending.get(k) ?? 1) - 1;
      if (left > 0) this.pending.set(k, left);
      else this.pending.delete(k);
    }
  }

  /** One change at a time per profile. */
  private queued<T>(found: string, work: () => Promise<T>): Promise<T> {
    const k = key(found);
    const run = (this.queues.get(k) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => undefined);
    this.queues.set(k, settled);
    void settled.then(() => {
      if (this.queues.get(k) === settled) this.queues.delete(k);
    });
    return run;
  }

  private assertNotSwitching(found: string): void {
    const switching = this.service.switchingTo;
    if (switching && key(switching) === key(found)) {
      throw new LivetallyError(
        'profile_counting',
        `"${found}" is being made the active profile; use /api/connection in a moment`,
      );
    }
  }

  private idleView(found: string, saved: SavedCurrent | null): StatsView {
    const ended = this.ended.get(key(found));
    // Counted in this run: what it showed when it stopped (cleared after a disconnect).
    // Not in this run: what the file holds, as the active profile shows at start.
    return {
      profile: found,
      connection: ended?.connection ?? DISCONNECTED,
      stats: ended ? { ...ended.stats } : saved ? { ...saved.stats } : zeroStats(),
      peakViewers: ended ? ended.peakViewers : (saved?.peakViewers ?? 0),
      broadcast: null,
      storage: HEALTHY,
    };
  }

  private async readIdle(found: string): Promise<SavedCurrent | null> {
    try {
      return await this.options.workspace.readCurrent(found);
    } catch {
      return null; // deleted meanwhile, or unreadable: shown as empty
    }
  }

  private async readingIdle<T>(
    found: string,
    read: (store: ProfileStorage) => Promise<T>,
  ): Promise<T | undefined> {
    let store: ProfileStorage | undefined;
    try {
      store = await this.options.workspace.openForReading(found);
      return store ? await read(store) : undefined;
    } catch {
      return undefined;
    } finally {
      await store?.close();
    }
  }

  private bump(found: string): void {
    const k = key(found);
    this.idleEpochs.set(k, (this.idleEpochs.get(k) ?? 0) + 1);
  }
}

function key(name: string): string {
  return name.toLowerCase();
}

function savedView(saved: SavedCurrent | null): SavedView | null {
  if (!saved) return null;
  return {
    streamer: saved.streamer,
    roomId: saved.roomId,
    updatedAt: saved.updatedAt,
    updatedAtMs: saved.updatedAtMs,
    stats: saved.stats,
  };
}

/** The history of a `default` profile whose file does not exist yet: nothing. */
const EMPTY_HISTORY: HistoryRepository = {
  summary: async () => [],
  leaderboard: async () => [],
  viewer: async () => null,
  allViewers: async () => [],
  recap: async () => null,
  giftBreakdown: async () => null,
  importHistory: async () => {
    throw new LivetallyError('read_only', 'this profile has no file yet');
  },
};
