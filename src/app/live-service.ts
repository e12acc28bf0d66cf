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
import type { ProfileStore } from '../storage/profile-store.js';
import { WorkerProgressWriter, type ProgressWriter } from '../storage/progress-writer.js';
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
import type { TestAlert } from './test-alerts.js';
import type { Workspace } from './workspace.js';

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
  workspace: Workspace;
  sources: SourceFactory;
  logger: Logger;
  saveIntervalMs: number;
  /** Profile to open at start; the active one otherwise. */
  profile?: string;
  /** How long `connect` waits for the first outcome before answering. */
  connectAnswerMs?: number;
  /** Where the saves of profiles counting beside the active one are made (default inline). */
  fleetWriter?: FleetWriterKind;
}

interface OpenProfile {
  name: string;
  store: ProfileStore;
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

  /** Opens the profile to start with (`options.profile`, else the active one) and its tracker. */
  static async open(options: LiveServiceOptions): Promise<LiveService> {
    const { workspace } = options;
    workspace.ensureDefault();
    const name = options.profile
      ? workspace.profiles.resolve(options.profile)
      : workspace.activeProfile();
    const service = new LiveService(options);
    service.profile = await service.openProfile(
      workspace.profiles.find(name) ?? workspace.profiles.resolve(name),
    );
    try {
      if (workspace.activeProfile() !== service.profile.name) {
        workspace.setActive(service.profile.name);
      }
    } catch (error) {
      await service.release(service.profile).catch(() => undefined);
      throw error;
    }
    service.others = new ProfileFleet(service, options);
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
    return `${this.epoch}:${this.storageEpoch}:${this.profile.tracker.revision}`;
  }

  /** Asks for one `stats` event at the next change (re-arm after each read). */
  armStats(): void {
    this.profile.tracker.armChange();
  }

  view(): StatsView {
    return statsView(this.profile.name, this.connection.current, this.profile.tracker);
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
    return this.exclusive(() => this.onFile(this.profile, () => this.profile.tracker.reset()));
  }

  connect(streamer: string): Promise<ConnectionView> {
    return this.exclusive(async () => {
      this.assertSaving('start counting a LIVE');
      return this.connection.connect(streamer, this.profile.tracker);
    });
  }

  disconnect(): Promise<ConnectionView> {
    this.connection.answerNow();
    return this.exclusive(() => this.connection.disconnect());
  }

  profiles(): ProfilesResponse {
    const list = this.options.workspace.listProfiles();
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
      const found = this.options.workspace.profiles.resolve(name);
      if (found === this.profile.name) {
        throw new LivetallyError(
          'profile_active',
          `"${found}" is the active profile; switch to another profile before deleting it`,
        );
      }
      this.fleet.assertIdle(found, 'deleted');
      this.options.workspace.deleteProfile(found);
    });
  }

  /**
   * Switches profile in place: disconnect (final save) if connected, close the old file,
   * open the new one and load its stats. Nothing of the old profile is visible afterwards.
   */
  activateProfile(name: string): Promise<string> {
    return this.exclusive(async () => {
      const { workspace } = this.options;
      const found = workspace.profiles.resolve(name);
      if (found === this.profile.name) return found;
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
      workspace.setActive(found);
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

  sessions(): SessionRecord[] {
    const { store } = this.profile;
    return this.reading(() => store.listSessions());
  }

  /** Records how a history entry's connection really ended (see `ProfileStore.settleEnd`). */
  settleEnd(sessionId: number, reason: string): void {
    this.profile.store.settleEnd(sessionId, reason);
  }

  session(id: number): { session: SessionRecord; series: SessionPoint[] } {
    const { store } = this.profile;
    const session = this.reading(() => store.getSession(id));
    if (!session) throw new LivetallyError('session_not_found', `there is no session ${id}`);
    return { session, series: this.reading(() => store.sessionSeries(id)) };
  }

  exportSession(id: number): SessionExport {
    const { session, series } = this.session(id);
    const { store } = this.profile;
    return { session, series, viewers: this.reading(() => store.sessionViewers(id)) };
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
  currentSessionId(): number | null {
    const live = this.profile.tracker.broadcast;
    if (live) return live.sessionId;
    const { store } = this.profile;
    return this.reading(() => store.loadCurrent())?.sessionId ?? null;
  }

  private async openProfile(name: string): Promise<OpenProfile> {
    const { workspace, logger, saveIntervalMs } = this.options;
    const store = workspace.openForWriting(name);
    const writer = new WorkerProgressWriter(store.file, {
      ...writerEvents(logger),
      onStatus: () => {
        this.storageEpoch++;
        this.emit('stats');
      },
    });
    let tracker: StreamTracker;
    try {
      tracker = await StreamTracker.open(store, { writer, saveIntervalMs, logger });
    } catch (error) {
      await writer.close().catch(() => undefined);
      store.close();
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
      profile.store.close();
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
  private reading<T>(read: () => T): T {
    const profile = this.profile;
    try {
      return read();
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
