import { EventEmitter } from 'node:events';
import type { Activity } from '../domain/broadcast-tally.js';
import { LivetallyError } from '../domain/errors.js';
import type { ConnectionView, GoalsPush, StatsView } from '../shared/api-types.js';
import type { ProfileStorage } from '../storage/profile-storage.js';
import type { ProgressWriter } from '../storage/progress-writer.js';
import { ConnectionManager } from './connection-manager.js';
import { GoalBoard } from './goal-board.js';
import type { Logger } from './logger.js';
import type { WritableProfile, WriterKind } from './profile-space.js';
import type { SourceFactory } from './source-factory.js';
import { statsView } from './stats-view.js';
import { StreamTracker } from './stream-tracker.js';
import { writerEvents } from './writer-events.js';

/**
 * Where a background profile's saves are made: `inline` on the main thread through the
 * profile's own connection (no thread per LIVE: hundreds fit in one process), `worker` on a
 * save thread of its own, as the active profile does (see `WriterKind`).
 */
export type FleetWriterKind = WriterKind;

interface CounterEvents {
  /** `view()` changed since `armStats()` (once per arming). */
  stats: [];
  connection: [ConnectionView];
  activity: [Activity];
  /** The connection ended and the file can be let go. */
  idle: [];
}

export interface ProfileCounterOptions {
  name: string;
  /** The profile, open for writing; closed with the counter. */
  profile: WritableProfile;
  sources: SourceFactory;
  logger: Logger;
  saveIntervalMs: number;
  connectAnswerMs?: number;
  writer: FleetWriterKind;
}

/**
 * One profile counting a LIVE beside the active one: its own file (opened only while it
 * counts), tracker, save scheduling and connection. The fleet opens it to connect and
 * closes it once the connection ends.
 */
export class ProfileCounter extends EventEmitter<CounterEvents> {
  readonly name: string;
  readonly connection: ConnectionManager;
  /** Replaced by `reloadGoals` (hosted mode: goals changed by another process). */
  goals: GoalBoard;
  private readonly store: ProfileStorage;
  private closed = false;

  /** Takes charge of the profile's open store (closed again if that fails). */
  static async open(options: ProfileCounterOptions): Promise<ProfileCounter> {
    const { profile, logger } = options;
    const { store } = profile;
    let counter: ProfileCounter | undefined;
    let writer: ProgressWriter | undefined;
    try {
      writer = profile.writer(options.writer, {
        ...writerEvents(logger),
        onStatus: () => counter?.emit('stats'),
      });
      const tracker = await StreamTracker.open(store, {
        writer,
        saveIntervalMs: options.saveIntervalMs,
        logger,
      });
      counter = new ProfileCounter(options, writer, tracker);
      return counter;
    } catch (error) {
      await writer?.close().catch(() => undefined);
      await store.close();
      throw error;
    }
  }

  private constructor(
    options: ProfileCounterOptions,
    private readonly writer: ProgressWriter,
    readonly tracker: StreamTracker,
  ) {
    super();
    const { name, profile, logger } = options;
    const { store } = profile;
    this.name = name;
    this.store = store;
    this.tracker.on('activity', (activity) => this.emit('activity', activity));
    this.tracker.on('changed', () => this.emit('stats'));
    this.goals = new GoalBoard(store.goals, () => this.tracker.stats);
    this.goals.ready.catch((error: unknown) =>
      logger.error(`could not read the goals of "${name}": ${String(error)}`),
    );
    this.connection = new ConnectionManager(options.sources, logger, options.connectAnswerMs);
    this.connection.on('connection', (view) => {
      this.emit('connection', view);
      this.emit('stats'); // the live numbers change with the connection (e.g. cleared)
      // The manager lets go of the source just after it reports the end.
      if (view.state === 'disconnected') setImmediate(() => this.checkIdle());
    });
  }

  get isIdle(): boolean {
    return this.connection.isIdle;
  }

  view(): StatsView {
    return statsView(this.name, this.connection.current, this.tracker);
  }

  /** Reads the goals again (another process of a hosted service changed them). */
  async reloadGoals(): Promise<void> {
    const goals = new GoalBoard(this.store.goals, () => this.tracker.stats);
    await goals.ready;
    this.goals = goals;
  }

  goalsView(): GoalsPush {
    return { profile: this.name, goals: this.goals.statuses() };
  }

  get revision(): string {
    return `${this.tracker.revision}:${this.tracker.storage.ok ? 1 : 0}`;
  }

  armStats(): void {
    this.tracker.armChange();
  }

  /** The store, for reads while the profile counts (leaderboard, history, saved stats). */
  get file(): ProfileStorage {
    return this.store;
  }

  async connect(streamer: string): Promise<ConnectionView> {
    const { storage } = this.tracker;
    if (!storage.ok && storage.error) {
      throw new LivetallyError(
        'storage_failing',
        `cannot start counting a LIVE while the stats of "${this.name}" cannot be saved: ${storage.error.message}`,
      );
    }
    try {
      return await this.connection.connect(streamer, this.tracker);
    } finally {
      // A connect refused before anything ran (no such recording, …) leaves nothing to count.
      setImmediate(() => this.checkIdle());
    }
  }

  disconnect(): Promise<ConnectionView> {
    this.connection.answerNow();
    return this.connection.disconnect();
  }

  /** Final save and file closed; the connection is stopped first if it still runs. */
  async close(giveUp?: AbortSignal): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.answerNow();
    await this.connection.ensureDisconnected('stopped');
    this.tracker.removeAllListeners();
    this.connection.removeAllListeners();
    try {
      await this.tracker.close('stopped', giveUp);
    } finally {
      await this.store.close();
    }
  }

  private checkIdle(): void {
    if (!this.closed && this.connection.isIdle) this.emit('idle');
  }
}
