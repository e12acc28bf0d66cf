import { EventEmitter } from 'node:events';
import {
  BroadcastTally,
  DEFAULT_TALLY_OPTIONS,
  type Activity,
  type TallyOptions,
  type TallySeed,
} from '../domain/broadcast-tally.js';
import { LivetallyError } from '../domain/errors.js';
import type { BroadcastEvent, ConnectedEvent } from '../domain/events.js';
import type { BroadcastLink, SavedCurrent } from '../domain/history.js';
import { zeroStats, type StreamStats } from '../domain/stats.js';
import type { ProfileStore } from '../storage/profile-store.js';
import { InlineProgressWriter, type ProgressWriter } from '../storage/progress-writer.js';
import type { SourceSink } from '../sources/source.js';
import { silentLogger, type Logger } from './logger.js';

export interface BroadcastInfo {
  sessionId: number;
  streamer: string;
  streamerId: string;
  roomId: string;
  startedAt: number;
  /** True when the saved stats of this same broadcast were picked up again. */
  resumed: boolean;
}

export interface StreamTrackerOptions {
  /** Where periodic saves go; by default straight into `store` on this thread. */
  writer?: ProgressWriter;
  saveIntervalMs?: number;
  tally?: TallyOptions;
  logger?: Logger;
}

interface TrackerEvents {
  activity: [Activity];
  broadcast: [BroadcastInfo | undefined];
  reset: [];
  /** `stats` changed since `armChange()` was last called (sent once per arming). */
  changed: [];
}

const STREAK_CHECK_MS = 1000;

/**
 * Applies the persistence rules of DESIGN.md to one open profile: what happens on start,
 * connect, disconnect, reset, a new broadcast or another streamer, and when to save.
 *
 * Events are counted synchronously; lifecycle steps are async because they first wait for
 * queued saves to be committed (what they read back must include them). Events arriving
 * during such a step are held and applied right after it.
 */
export class StreamTracker extends EventEmitter<TrackerEvents> implements SourceSink {
  readonly saveIntervalMs: number;
  private readonly writer: ProgressWriter;
  private readonly tallyOptions: TallyOptions;
  private readonly logger: Logger;
  private tally: BroadcastTally | undefined;
  private link: BroadcastLink | undefined;
  private info: BroadcastInfo | undefined;
  private idle: StreamStats;
  private idlePeak: number;
  private clock: () => number = Date.now;
  private endReason: string | undefined;
  private revisionBase = 0;
  private nextStreakCheck = 0;
  private lastSaveAt = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private streakTimer: NodeJS.Timeout | undefined;
  /** Serialises lifecycle steps; events are held while one runs. */
  private busy: Promise<void> = Promise.resolve();
  private held: BroadcastEvent[] | undefined;
  private pendingSteps = 0;
  private changeArmed = false;
  private armedRevision = -1;
  private closed = false;

  constructor(
    private readonly store: ProfileStore,
    options: StreamTrackerOptions = {},
  ) {
    super();
    this.writer = options.writer ?? new InlineProgressWriter(store);
    this.saveIntervalMs = options.saveIntervalMs ?? 1000;
    this.tallyOptions = options.tally ?? DEFAULT_TALLY_OPTIONS;
    this.logger = options.logger ?? silentLogger;
    // On start the profile's saved stats are what there is to show.
    const saved = store.loadCurrent();
    this.idle = saved ? { ...saved.stats } : zeroStats();
    this.idlePeak = saved?.peakViewers ?? 0;
  }

  /** The counters to show now: the live ones, or the idle ones when not connected. */
  get stats(): StreamStats {
    return this.tally ? this.tally.stats : { ...this.idle };
  }

  get peakViewers(): number {
    return this.tally ? this.tally.peakViewers : this.idlePeak;
  }

  /** Changes whenever `stats` would return something different. */
  get revision(): number {
    return this.revisionBase + (this.tally?.revision ?? 0);
  }

  get broadcast(): BroadcastInfo | undefined {
    return this.info;
  }

  /**
   * Asks for one `changed` event at the next change of `stats`. Whoever shows the numbers
   * re-arms after reading them: a change costs one comparison per event, not an event each.
   */
  armChange(): void {
    this.changeArmed = true;
    this.armedRevision = this.revision;
  }

  private signalChange(): void {
    if (this.changeArmed && this.revision !== this.armedRevision) {
      this.changeArmed = false;
      this.emit('changed');
    }
  }

  /** How long the current broadcast has run, by the source's clock. */
  elapsedMs(): number {
    return this.info ? Math.max(0, this.clock() - this.info.startedAt) : 0;
  }

  get isConnected(): boolean {
    return this.tally !== undefined;
  }

  /** What the profile's file says about the current stats (after pending saves). */
  async saved(): Promise<SavedCurrent | null> {
    await this.writer.settle();
    return this.store.loadCurrent();
  }

  /** A broadcast is known: resume it, or start counting it from zero. */
  connected(event: ConnectedEvent, clock: () => number = Date.now): Promise<void> {
    return this.step(async () => {
      if (this.closed) throw new LivetallyError('tracker_closed', 'this profile was closed');
      if (this.tally && this.link && this.info) {
        if (sameStreamer(this.link, event) && this.link.roomId === event.roomId) {
          this.clock = clock; // a reconnect: the tally still knows everything counted
          this.info = { ...this.info, resumed: true };
          this.emit('broadcast', this.info);
          return;
        }
        await this.end('ended');
      }
      await this.writer.settle();
      this.clock = clock;
      this.begin(event);
    });
  }

  event(event: BroadcastEvent): void {
    if (this.held) {
      this.held.push(event);
      return;
    }
    const tally = this.tally;
    if (!tally) {
      this.logger.debug(`${event.type} event while not connected: ignored`);
      return;
    }
    const now = this.clock();
    if (now >= this.nextStreakCheck) {
      tally.tick(now);
      this.nextStreakCheck = now + STREAK_CHECK_MS;
    }
    tally.apply(event, now);
    if (event.type === 'streamEnd') this.endReason = event.reason || 'ended';
    if (this.flushTimer === undefined && tally.hasChanges) this.scheduleFlush();
    if (this.changeArmed) this.signalChange();
  }

  /** Closes open combos, saves, then clears the in-memory stats; the file keeps them. */
  disconnect(reason = 'disconnected'): Promise<void> {
    return this.step(() => this.end(reason));
  }

  /** Zeroes the current stats in memory and in the file at once. */
  reset(): Promise<StreamStats> {
    return this.step(async () => {
      const tally = this.tally;
      const link = this.link;
      if (tally && link) {
        // The broadcast goes on in a fresh history entry; what was counted stays counted.
        this.flush();
        await this.writer.settle();
        const now = this.clock();
        this.store.endSession(link.sessionId, now, 'reset');
        const memory = this.store.loadRoomMemory(link.roomId);
        const sessionId = this.store.startSession({ ...link, startedAt: now });
        this.retire(tally);
        this.start({ ...link, sessionId }, now, false, {
          stats: zeroStats(),
          peakViewers: 0,
          ...memory,
        });
      } else {
        await this.writer.settle();
        this.store.resetStreamStats();
        this.idle = zeroStats();
        this.idlePeak = 0;
        this.revisionBase += 1;
      }
      this.emit('reset');
      this.signalChange();
      return this.stats;
    });
  }

  /** Hands everything that changed to the writer, as one save. */
  flush(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const tally = this.tally;
    const link = this.link;
    if (!tally || !link || !tally.hasChanges) return;
    this.lastSaveAt = Date.now();
    this.writer.write(link, tally.drainChanges(this.clock()));
  }

  /** Final save and end of the broadcast (a stop counts as a disconnect); releases the writer. */
  close(reason = 'stopped'): Promise<void> {
    return this.step(async () => {
      if (this.closed) return;
      await this.end(reason);
      this.stopTimers();
      this.closed = true;
      await this.writer.close();
    });
  }

  private async end(reason: string): Promise<void> {
    const tally = this.tally;
    const link = this.link;
    if (!tally || !link) return;
    const now = this.clock();
    tally.closeStreaks(now);
    this.flush();
    this.stopTimers();
    this.retire(tally);
    this.link = undefined;
    this.info = undefined;
    this.idle = zeroStats();
    this.idlePeak = 0;
    this.emit('broadcast', undefined);
    this.signalChange();
    await this.writer.settle();
    this.store.endSession(link.sessionId, now, this.endReason ?? reason);
  }

  private begin(event: ConnectedEvent): void {
    const saved = this.store.loadCurrent();
    const link = { streamer: event.streamer, streamerId: event.streamerId, roomId: event.roomId };
    let seed: TallySeed | undefined;
    let sessionId: number;
    let startedAt = event.at;
    let resumed = false;
    if (saved && sameStreamer(saved, event) && saved.roomId === event.roomId) {
      // The same broadcast again: what was counted in it must not be counted twice.
      const memory = this.store.loadRoomMemory(event.roomId);
      const session = saved.sessionId != null ? this.store.getSession(saved.sessionId) : null;
      if (session && session.roomId === event.roomId) {
        this.store.resumeSession(session.id);
        sessionId = session.id;
        startedAt = session.startedAt;
        resumed = true;
        const peakViewers = Math.max(saved.peakViewers, session.peakViewers);
        seed = { stats: saved.stats, peakViewers, ...memory };
      } else {
        sessionId = this.store.startSession({ ...link, startedAt });
        seed = { stats: zeroStats(), peakViewers: 0, ...memory };
      }
    } else {
      sessionId = this.store.startSession({ ...link, startedAt });
    }
    this.start({ ...link, sessionId }, startedAt, resumed, seed);
    this.logger.info(
      resumed
        ? `continuing @${event.streamer}'s broadcast ${event.roomId} from the saved stats`
        : `counting @${event.streamer}'s broadcast ${event.roomId} from zero`,
    );
  }

  private start(
    link: BroadcastLink,
    startedAt: number,
    resumed: boolean,
    seed: TallySeed | undefined,
  ): void {
    this.link = link;
    this.info = { ...link, startedAt, resumed };
    this.endReason = undefined;
    this.nextStreakCheck = 0;
    this.tally = new BroadcastTally(this.tallyOptions, seed, (activity) =>
      this.emit('activity', activity),
    );
    this.streakTimer ??= setInterval(() => {
      this.tally?.tick(this.clock());
      if (this.flushTimer === undefined && this.tally?.hasChanges) this.scheduleFlush();
      this.signalChange(); // a combo counted on timeout
    }, STREAK_CHECK_MS);
    this.streakTimer.unref();
    this.emit('broadcast', this.info);
    this.signalChange();
  }

  /** Forgets a tally whose numbers are no longer shown, keeping `revision` increasing. */
  private retire(tally: BroadcastTally): void {
    this.revisionBase += tally.revision + 1;
    this.tally = undefined;
  }

  /**
   * Runs lifecycle steps one at a time. Events that arrive from the moment a step is asked
   * for until no step is left are held, then counted in order.
   */
  private step<T>(work: () => Promise<T>): Promise<T> {
    this.pendingSteps++;
    this.held ??= [];
    const run = async () => {
      try {
        return await work();
      } finally {
        if (--this.pendingSteps === 0) {
          const held = this.held ?? [];
          this.held = undefined;
          for (const event of held) this.event(event);
        }
      }
    };
    const result = this.busy.then(run, run);
    this.busy = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private scheduleFlush(): void {
    const delay = Math.max(0, this.lastSaveAt + this.saveIntervalMs - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, delay);
  }

  private stopTimers(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    if (this.streakTimer !== undefined) clearInterval(this.streakTimer);
    this.flushTimer = undefined;
    this.streakTimer = undefined;
  }
}

function sameStreamer(
  known: { streamer: string | null; streamerId: string | null },
  event: ConnectedEvent,
): boolean {
  if (known.streamerId && event.streamerId) return known.streamerId === event.streamerId;
  return known.streamer?.toLowerCase() === event.streamer.toLowerCase();
}
