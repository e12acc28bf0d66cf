import { EventEmitter } from 'node:events';
import type { Activity } from '../domain/broadcast-tally.js';
import { LivetallyError } from '../domain/errors.js';
import type { SessionRecord, SessionPoint } from '../domain/history.js';
import type { StreamStats } from '../domain/stats.js';
import type {
  ConnectionView,
  GoalsPush,
  ProfilesResponse,
  SavedView,
  StatsView,
} from '../shared/api-types.js';
import type { HistoryRepository } from '../storage/history-repository.js';
import type { Awaitable, ProfileStorage } from '../storage/profile-storage.js';
import type { ProgressWriter } from '../storage/progress-writer.js';
import { isCorruption, storageFailure } from '../storage/storage-errors.js';
import { noteDamaged } from '../storage/open-database.js';
import { ConnectionManager } from './connection-manager.js';
import { writerEvents } from './writer-events.js';
import { GoalBoard } from './goal-board.js';
import { ProfileFleet, type FleetWriterKind } from './profile-fleet.js';
import type { Logger } from './logger.js';
import type { SessionExport } from './session-export.js';
import type { SourceFactory } from './source-factory.js';
import { statsView } from './stats-view.js';
import { StreamTracker } from './stream-tracker.js';
import type { ProfileSpace } from './profile-space.js';
import type { TestAlert } from './test-alerts.js';
import type { HostedRuntime } from './hosted/hosted-profiles.js';
import { InlineProgressWriter } from '../storage/progress-writer.js';

interface ServiceEvents {
  connection: [ConnectionView];
  profile: [string];
  activity: [Activity];
  /** What `view()` shows changed since `armStats()` (once per arming). */
  stats: [];
  /** A goal was created, edited or removed (where goals stand changes with `stats`). */
  goals: [];
  /** From the dashboard's test buttons, for the overlays only. */
  testAlert: [TestAlert];
}

export interface LiveServiceOptions {
  /**
   * Where the profiles are kept: `Workspace` (SQLite files, its lock held) or a hosted
   * mode's database. The service only ever awaits it.
   */
  workspace: ProfileSpace;
  sources: SourceFactory;
  logger: Logger;
  saveIntervalMs: number;
  /** Profile to open at start; the active one otherwise. */
  profile?: string;
  /** How long `connect` waits for the first outcome before answering. */
  connectAnswerMs?: number;
  /** Where the saves of profiles counting beside the active one are made (default inline). */
  fleetWriter?: FleetWriterKind;
  /**
   * Hosted mode (`start --database`): this process is one of a service's. Every LIVE —
   * the active profile's too — is counted by the fleet of whichever process claims it;
   * the service shows the active profile through the fleet and opens it read-only.
   */
  hosted?: HostedRuntime;
}

interface OpenProfile {
  name: string;
  store: ProfileStorage;
  tracker: StreamTracker;
  goals: GoalBoard;
  writer: ProgressWriter;
}

/** How long a profile being switched away from may take to save what it holds. */
const SWITCH_SAVE_LIMIT_MS = 5000;

/**
 * Everything the server can do, in one place: the open profile (its file, its tracker),
 * the connection, profile switching in place. Changes are made one at a time.
 */
export class LiveService extends EventEmitter<ServiceEvents> {
  readonly connection: ConnectionManager;
  /** The profile a switch is opening, while it does: nothing else may open it meanwhile. */
  switchingTo: string | undefined;
  // Both set by `open`, before anyone sees the service.
  private profile!: OpenProfile;
  private others!: ProfileFleet;
  private queue: Promise<unknown> = Promise.resolve();
  /** Grows on every profile switch, so a change of profile is a change of stats. */
  private epoch = 0;
  /** Grows whenever the storage status changes, so pages hear about it. */
  private storageEpoch = 0;
  private closed = false;
  /** Hosted: the active profile as the database holds it, while nobody counts it. */
  private idle: StatsView | undefined;

  /** Opens the profile to start with (`options.profile`, else the active one) and its tracker. */
  static async open(options: LiveServiceOptions): Promise<LiveService> {
    const { workspace } = options;
    await workspace.ensureDefault();
    const name = await workspace.resolve(options.profile || (await workspace.activeProfile()));
    const service = new LiveService(options);
    service.profile = await service.openProfile(name);
    try {
      if ((await workspace.activeProfile()) !== service.profile.name) {
        await workspace.setActive(service.profile.name);
      }
    } catch (error) {
      await service.release(service.profile).catch(() => undefined);
      throw error;
    }
    service.others = new ProfileFleet(service, options);
    const { hosted } = service.others;
    if (hosted) {
      // The active profile's events are the fleet's, wherever it is counted.
      const mine = (p: string) => p.toLowerCase() === service.profile.name.toLowerCase();
      service.others.on('stats', (p) => {
        if (!mine(p)) return;
        service.emit('stats');
        // Nobody counts it (any more): what the database holds now is what it shows.
        if (!service.fleet.liveView(p)) void service.refreshIdle();
      });
      service.others.on('goals', (p) => mine(p) && service.emit('goals'));
      service.others.on('connection', (p, view) => mine(p) && service.emit('connection', view));
      service.others.on('activity', (p, a) => mine(p) && service.emit('activity', a));
      hosted.on('active', () => void service.followActive());
      hosted.on('goalsChanged', (p) => {
        if (mine(p)) void service.reloadGoals();
      });
      hosted.start();
    }
    return service;
  }

  private constructor(private readonly options: LiveServiceOptions) {
    super();
    this.connection = new ConnectionManager(
      options.sources,
      options.logger,
      options.connectAnswerMs,
    );
    this.connection.on('connection', (view) => this.emit('connection', view));
  }

  /** The other profiles counting at once (DESIGN "Several LIVEs at once"). */
  get fleet(): ProfileFleet {
    return this.others;
  }

  get profileName(): string {
    return this.profile.name;
  }

  /** Changes whenever `view().stats` (or the profile behind it) changes. */
  get revision(): string {
    if (this.options.hosted) return `h${this.epoch}:${this.fleet.revision(this.profile.name)}`;
    return `${this.epoch}:${this.storageEpoch}:${this.profile.tracker.revision}`;
  }

  /** Asks for one `stats` event at the next change (re-arm after each read). */
  armStats(): void {
    if (this.options.hosted) this.fleet.armStats(this.profile.name);
    else this.profile.tracker.armChange();
  }

  view(): StatsView {
    const own = statsView(this.profile.name, this.connection.current, this.profile.tracker);
    if (!this.options.hosted) return own;
    // Hosted: as counted here or by another process; else what the database holds.
    const live = this.fleet.liveView(this.profile.name);
    if (live) return live;
    return this.idle?.profile === this.profile.name ? this.idle : own;
  }

  /** Hosted: reads the idle active profile's view again; a change is pushed. */
  private async refreshIdle(): Promise<void> {
    const name = this.profile.name;
    const view = await this.fleet.view(name).catch(() => undefined);
    if (!view || name !== this.profile.name || this.fleet.liveView(name)) return;
    const changed = JSON.stringify(view) !== JSON.stringify(this.idle);
    this.idle = view;
    if (changed) {
      this.epoch++;
      this.emit('stats');
    }
  }

  /** The active profile's goals against its current stats (empty until they are loaded). */
  goalsView(): GoalsPush {
    return { profile: this.profile.name, goals: this.profile.goals.statuses() };
  }

  async goals(): Promise<GoalsPush> {
    await this.profile.goals.ready;
    return this.goalsView();
  }

  /** Creates, edits or removes goals of the active profile, one change at a time. */
  changeGoals<T>(change: (goals: GoalBoard) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const profile = this.profile;
      const result = await this.onFile(profile, () => change(profile.goals), 'saving the goals');
      this.emit('goals');
      // Hosted: every process (the one counting it included) reads them again.
      await this.fleet.hosted?.goalsChanged(profile.name);
      return result;
    });
  }

  /** A made-up alert for the overlays: nothing is counted, nothing is kept. */
  sendTestAlert(alert: TestAlert): void {
    this.emit('testAlert', alert);
  }

  /** What the file holds; null when it holds nothing or cannot be read (see `storage`). */
  async saved(): Promise<SavedView | null> {
    const profile = this.profile;
    let saved;
    try {
      saved = await profile.tracker.saved();
    } catch (error) {
      if (!isCorruption(error)) throw error;
      this.damaged(profile, error);
      return null;
    }
    if (!saved) return null;
    return {
      streamer: saved.streamer,
      roomId: saved.roomId,
      updatedAt: saved.updatedAt,
      updatedAtMs: saved.updatedAtMs,
      stats: saved.stats,
    };
  }

  reset(): Promise<StreamStats> {
    if (this.options.hosted) return this.fleet.reset(this.profile.name);
    return this.exclusive(() => this.onFile(this.profile, () => this.profile.tracker.reset()));
  }

  connect(streamer: string): Promise<ConnectionView> {
    if (this.options.hosted) return this.fleet.connect(this.profile.name, streamer);
    return this.exclusive(async () => {
      this.assertSaving('start counting a LIVE');
      return this.connection.connect(streamer, this.profile.tracker);
    });
  }

  disconnect(): Promise<ConnectionView> {
    if (this.options.hosted) return this.fleet.disconnect(this.profile.name);
    this.connection.answerNow();
    return this.exclusive(() => this.connection.disconnect());
  }

  async profiles(): Promise<ProfilesResponse> {
    const list = await this.options.workspace.listProfiles();
    return {
      active: this.profile.name,
      profiles: list.map((p) => ({
        name: p.name,
        active: p.name === this.profile.name,
        sizeBytes: p.sizeBytes,
        modifiedAt: p.modifiedAt,
        modifiedAtMs: p.modifiedAtMs,
      })),
    };
  }

  createProfile(name: string): Promise<string> {
    return this.exclusive(async () => this.options.workspace.createProfile(name));
  }

  deleteProfile(name: string): Promise<void> {
    return this.exclusive(async () => {
      const found = await this.options.workspace.resolve(name);
      if (found === this.profile.name) {
        throw new LivetallyError(
          'profile_active',
          `"${found}" is the active profile; switch to another profile before deleting it`,
        );
      }
      this.fleet.assertIdle(found, 'deleted');
      if (await this.fleet.hosted?.isWanted(found)) {
        throw new LivetallyError(
          'profile_counting',
          `"${found}" is counting a LIVE and cannot be deleted; disconnect it first`,
        );
      }
      await this.options.workspace.deleteProfile(found);
    });
  }

  /**
   * Switches profile in place: disconnect (final save) if connected, close the old file,
   * open the new one and load its stats. Nothing of the old profile is visible afterwards.
   */
  activateProfile(name: string): Promise<string> {
    return this.exclusive(async () => {
      const { workspace } = this.options;
      const found = await workspace.resolve(name);
      if (found === this.profile.name) return found;
      if (this.options.hosted) {
        // Nothing stops or moves: the active profile only says what the unnamed routes and
        // overlays show, on every process of the service (a shared setting).
        await this.showProfile(found);
        await workspace.setActive(found);
        return found;
      }
      this.fleet.assertIdle(found, 'made the active profile');
      // What the old profile holds unsaved would be lost with its file: refuse instead.
      this.assertSaving('switch profiles');
      this.switchingTo = found;
      let next: OpenProfile;
      try {
        await this.connection.ensureDisconnected();
        next = await this.openProfile(found); // a corrupt file fails here, before anything closes
        await next.goals.ready.catch(() => undefined); // the overlays get them with the switch
      } finally {
        this.switchingTo = undefined;
      }
      const previous = this.profile;
      this.profile = next;
      this.epoch++;
      await this.release(previous, AbortSignal.timeout(SWITCH_SAVE_LIMIT_MS)).catch((error) => {
        this.options.logger.error(`profile "${previous.name}": ${(error as Error).message}`);
      });
      await workspace.setActive(found);
      this.options.logger.info(`switched to profile "${found}"`);
      this.emit('profile', found);
      return found;
    });
  }

  /**
   * A query on the open profile's history (summaries, leaderboards over time, recaps); damage
   * found while reading stops all writing to the file, as for every other read.
   */
  async readHistory<T>(query: (history: HistoryRepository) => Promise<T>): Promise<T> {
    const profile = this.profile;
    try {
      return await query(profile.store.history);
    } catch (error) {
      if (!isCorruption(error)) throw error;
      throw this.damaged(profile, error);
    }
  }

  sessions(): Promise<SessionRecord[]> {
    return this.reading((store) => store.listSessions());
  }

  /** Records how a history entry's connection really ended (see `ProfileStore.settleEnd`). */
  async settleEnd(sessionId: number, reason: string): Promise<void> {
    await this.profile.store.settleEnd(sessionId, reason);
  }

  async session(id: number): Promise<{ session: SessionRecord; series: SessionPoint[] }> {
    // Asked together, so they answer about the same profile (SQLite: in the same turn).
    const [session, series] = await Promise.all([
      this.reading((store) => store.getSession(id)),
      this.reading((store) => store.sessionSeries(id)),
    ]);
    if (!session) throw notFound(id);
    return { session, series };
  }

  async exportSession(id: number): Promise<SessionExport> {
    const [session, series, viewers] = await Promise.all([
      this.reading((store) => store.getSession(id)),
      this.reading((store) => store.sessionSeries(id)),
      this.reading((store) => store.sessionViewers(id)),
    ]);
    if (!session) throw notFound(id);
    return { session, series, viewers };
  }

  /**
   * Final save, connection closed, file closed. While saving fails the final save is retried
   * until `giveUp` aborts; then it throws an `unsaved_stats` error saying what is not in the
   * file. Either way the file is let go when it settles.
   */
  shutdown(giveUp?: AbortSignal): Promise<void> {
    this.connection.answerNow();
    return this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      const others = this.fleet.shutdown(giveUp); // every LIVE stops and saves at once
      try {
        await this.connection.ensureDisconnected('stopped');
        await this.release(this.profile, giveUp);
      } finally {
        await others;
      }
    });
  }

  /** The broadcast the leaderboard is about: the live one, else the last one saved. */
  async currentSessionId(): Promise<number | null> {
    const live = this.profile.tracker.broadcast;
    if (live) return live.sessionId;
    return (await this.reading((store) => store.loadCurrent()))?.sessionId ?? null;
  }

  /**
   * Hosted: another process made another profile active; this one shows it too.
   */
  followActive(): Promise<void> {
    return this.exclusive(async () => {
      const active = await this.options.workspace.activeProfile();
      if (active !== this.profile.name) await this.showProfile(active);
    });
  }

  /** Hosted: the active profile's goals, read again after a change anywhere. */
  private async reloadGoals(): Promise<void> {
    const profile = this.profile;
    const goals = new GoalBoard(profile.store.goals, () => this.view().stats);
    await goals.ready.catch(() => undefined);
    if (this.profile !== profile) return;
    profile.goals = goals;
    this.emit('goals');
  }

  /** Hosted: the active profile shown from now on (nothing counted changes). */
  private async showProfile(found: string): Promise<void> {
    const next = await this.openProfile(found);
    await next.goals.ready.catch(() => undefined);
    const previous = this.profile;
    this.profile = next;
    this.epoch++;
    await this.release(previous).catch(() => undefined);
    this.options.logger.info(`the active profile is "${found}"`);
    this.emit('profile', found);
  }

  /**
   * Hosted: the active profile read-only — what is counted is the fleet's, in whichever
   * process claims it. Its goals are read and changed here, measured against the live view.
   */
  private async openViewOnly(name: string): Promise<OpenProfile> {
    const { workspace, logger, saveIntervalMs } = this.options;
    const store = await workspace.openForReading(name);
    if (!store)
      throw new LivetallyError('profile_not_found', `there is no profile named "${name}"`);
    const writer = new InlineProgressWriter(store);
    const tracker = await StreamTracker.open(store, { writer, saveIntervalMs, logger });
    const goals = new GoalBoard(store.goals, () => this.view().stats);
    goals.ready.then(
      () => this.emit('goals'),
      (error: unknown) => logger.error(`could not read the goals of "${name}": ${String(error)}`),
    );
    return { name, store, tracker, writer, goals };
  }

  private async openProfile(name: string): Promise<OpenProfile> {
    if (this.options.hosted) return this.openViewOnly(name);
    const { workspace, logger, saveIntervalMs } = this.options;
    const opened = await workspace.openForWriting(name);
    const { store } = opened;
    let writer: ProgressWriter | undefined;
    let tracker: StreamTracker;
    try {
      writer = opened.writer('worker', {
        ...writerEvents(logger),
        onStatus: () => {
          this.storageEpoch++;
          this.emit('stats');
        },
      });
      tracker = await StreamTracker.open(store, { writer, saveIntervalMs, logger });
    } catch (error) {
      await writer?.close().catch(() => undefined);
      await store.close();
      throw error;
    }
    tracker.on('activity', (activity) => this.emit('activity', activity));
    tracker.on('changed', () => this.emit('stats'));
    const goals = new GoalBoard(store.goals, () => tracker.stats);
    goals.ready.then(
      () => this.emit('goals'),
      (error: unknown) => logger.error(`could not read the goals of "${name}": ${String(error)}`),
    );
    return { name, store, tracker, writer, goals };
  }

  private async release(profile: OpenProfile, giveUp?: AbortSignal): Promise<void> {
    profile.tracker.removeAllListeners();
    try {
      await profile.tracker.close('stopped', giveUp);
    } finally {
      await profile.store.close();
    }
  }

  /** Refuses what needs the file to take writes while it does not. */
  private assertSaving(what: string): void {
    const { storage } = this.profile.tracker;
    if (storage.ok || !storage.error) return;
    throw new LivetallyError(
      'storage_failing',
      `cannot ${what} while the stats of "${this.profile.name}" cannot be saved: ${storage.error.message}`,
    );
  }

  /** A read of the open profile's file; damage found there stops all writing to it. */
  private async reading<T>(read: (store: ProfileStorage) => Awaitable<T>): Promise<T> {
    const profile = this.profile;
    try {
      return await read(profile.store);
    } catch (error) {
      if (!isCorruption(error)) throw error;
      throw this.damaged(profile, error);
    }
  }

  /** A change made on the main thread's connection, its disk failures in plain words. */
  private async onFile<T>(
    profile: OpenProfile,
    change: () => Promise<T>,
    doing = 'saving the stats',
  ): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (isCorruption(error)) throw this.damaged(profile, error);
      throw storageFailure(error, { path: profile.store.file, doing }) ?? error;
    }
  }

  /** Stops writing to a damaged file and tells the streamer; the counting goes on in memory. */
  private damaged(profile: OpenProfile, error: unknown): LivetallyError {
    const failure =
      storageFailure(error, { path: profile.store.file, doing: 'reading the profile file' }) ??
      new LivetallyError('corrupt_database', String(error));
    if (profile.writer.status.error?.code !== 'corrupt_database') {
      this.options.logger.error(failure.message);
      noteDamaged(profile.store.file);
      profile.writer.halt(failure);
    }
    return failure;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed)
      return Promise.reject(new LivetallyError('shutting_down', 'livetally is stopping'));
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function notFound(id: number): LivetallyError {
  return new LivetallyError('session_not_found', `there is no session ${id}`);
}
