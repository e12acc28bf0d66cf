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
import { MessageDedupe } from '../domain/message-dedupe.js';
import {
  liveEndReason,
  type BroadcastLink,
  type EndReason,
  type SavedCurrent,
} from '../domain/history.js';
import { zeroStats, type StreamStats } from '../domain/stats.js';
import type { ProfileStorage } from '../storage/profile-storage.js';
import {
  InlineProgressWriter,
  type ProgressWriter,
  type StorageStatus,
} from '../storage/progress-writer.js';
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

/** An event that arrived while others were held, with the source's clock at its arrival. */
interface HeldEvent {
  event: BroadcastEvent;
  /** Undefined when nothing was being counted yet: the clock is read when it is applied. */
  now: number | undefined;
}

/**
 * Applies the persistence rules (README, "When stats reset") to one open profile: what
 * happens on start, connect, disconnect, reset, a new broadcast or another streamer, and
 * when to save.
 *
 * Events are counted synchronously; lifecycle steps are async because they first wait for
 * queued saves to be committed (what they read back must include them). Events arriving
 * during such a step are held and applied right after it, in order.
 *
 * The one other time events are held: a message id that only storage can judge (the
 * de-duplication's `lookup`, see MessageDedupe) — rare while a broadcast is counted once,
 * every message when it is counted again. Its look-up runs as a step; the events after it
 * wait, and their ids are looked up together.
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
  private endReason: EndReason | undefined;
  private revisionBase = 0;
  private lastSaveAt = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private streakTimer: NodeJS.Timeout | undefined;
  /** Serialises lifecycle steps; events are held while one runs. */
  private busy: Promise<void> = Promise.resolve();
  private held: HeldEvent[] | undefined;
  /** Storage's answers for held message ids: already counted (true) or not. */
  private answers = new Map<string, boolean>();
  private pendingSteps = 0;
  private changeArmed = false;
  private armedRevision = -1;
  private closed = false;

  /**
   * Takes charge of an open profile, for any storage engine: an entry a dead process left
   * open ends now, at its last save (resuming the same broadcast reopens it), and the
   * profile's saved stats are what there is to show until a broadcast is counted.
   */
  static async open(
    store: ProfileStorage,
    options: StreamTrackerOptions = {},
  ): Promise<StreamTracker> {
    if (!store.readonly) await store.closeInterrupted();
    const saved = await store.loadCurrent();
    return new StreamTracker(store, options, saved);
  }

  private constructor(
    private readonly store: ProfileStorage,
    options: StreamTrackerOptions,
    saved: SavedCurrent | null,
  ) {
    super();
    this.writer = options.writer ?? new InlineProgressWriter(store);
    this.saveIntervalMs = options.saveIntervalMs ?? 1000;
    this.tallyOptions = options.tally ?? DEFAULT_TALLY_OPTIONS;
    this.logger = options.logger ?? silentLogger;
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
    return this.info ? Math.max(0, Math.floor(this.clock() - this.info.startedAt)) : 0;
  }

  get isConnected(): boolean {
    return this.tally !== undefined;
  }

  /** Resolves once no event is held any more (look-ups and lifecycle steps are done). */
  async settled(): Promise<void> {
    while (this.held) await this.busy;
  }

  /** Whether saves reach the profile's file (a full disk, a damaged file). */
  get storage(): StorageStatus {
    return this.writer.status;
  }

  /**
   * What the profile's file says about the current stats: after pending saves, or as it is
   * while saving fails (never waiting for the disk to come back).
   */
  async saved(): Promise<SavedCurrent | null> {
    await this.writer.settle().catch(() => undefined);
    return await this.store.loadCurrent();
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
      await this.begin(event);
    });
  }

  event(event: BroadcastEvent): void {
    if (this.held) {
      this.held.push({ event, now: this.tally ? this.clock() : undefined });
      return;
    }
    const now = this.clock();
    if (!this.count(event, now)) this.holdForLookup({ event, now });
  }

  /** Applies one event; false when it needs storage's answer first (nothing changed then). */
  private count(event: BroadcastEvent, now: number, stored?: boolean): boolean {
    const tally = this.tally;
    if (!tally) {
      this.logger.debug(`${event.type} event while not connected: ignored`);
      return true;
    }
    if (tally.apply(event, now, stored) === 'lookup') return false;
    if (event.type === 'streamEnd') this.endReason = liveEndReason(event.reason);
    if (this.flushTimer === undefined && tally.hasChanges) this.scheduleFlush();
    if (this.changeArmed) this.signalChange();
    return true;
  }

  private holdForLookup(first: HeldEvent): void {
    this.held = [first];
    void this.step(() => this.lookUpHeld());
  }

  /**
   * Asks storage about every held message id that needs it, at once, then counts held
   * events in order until one needs an id not asked about yet (then again). Runs as a step,
   * so a disconnect or a reset asked for meanwhile comes after these events.
   */
  private async lookUpHeld(): Promise<void> {
    for (;;) {
      const held = this.held;
      const tally = this.tally;
      const link = this.link;
      if (!held || !tally || !link) return;
      const ids: string[] = [];
      for (const { event } of held) {
        const id = lookupId(event);
        if (id !== undefined && !this.answers.has(id) && tally.needsLookup(event)) ids.push(id);
      }
      if (ids.length > 0) {
        let found: Set<string>;
        try {
          found = await this.store.countedMessages(link.roomId, ids);
        } catch (error) {
          // Never count twice: what cannot be checked is taken as counted already.
          this.logger.warn(
            `could not check ${ids.length} message ids against the profile file, so they were not counted: ${(error as Error).message}`,
          );
          found = new Set(ids);
        }
        for (const id of ids) this.answers.set(id, found.has(id));
      }
      if (this.countHeld()) return;
    }
  }

  /** Counts held events in order; false when one still waits for a look-up. */
  private countHeld(): boolean {
    const held = this.held ?? [];
    let i = 0;
    for (; i < held.length; i++) {
      const { event, now } = held[i]!;
      const id = lookupId(event);
      const stored = id === undefined ? undefined : this.answers.get(id);
      if (!this.count(event, now ?? this.clock(), stored)) break;
    }
    held.splice(0, i);
    if (held.length > 0) return false;
    this.answers.clear();
    return true;
  }

  /** Closes open combos, saves, then clears the in-memory stats; the file keeps them. */
  disconnect(reason: EndReason = 'disconnected'): Promise<void> {
    return this.step(() => this.end(reason));
  }

  /** Zeroes the current stats in memory and in the file at once. */
  reset(): Promise<StreamStats> {
    return this.step(async () => {
      const tally = this.tally;
      const link = this.link;
      if (tally && link && this.info) {
        // The broadcast goes on in a fresh history entry; what was counted stays counted,
        // and likes follow the room total from here (the baseline is the tally's rule).
        this.flush();
        await this.writer.settle();
        const now = this.clock();
        await this.store.endSession(link.sessionId, now, 'reset');
        tally.reset(now);
        const sessionId = await this.store.startSession({
          ...link,
          startedAt: now,
          likeBase: tally.room.likeBase,
        });
        this.link = { ...link, sessionId };
        this.info = { ...this.info, sessionId, startedAt: now, resumed: false };
        this.endReason = undefined;
        if (this.flushTimer === undefined) this.scheduleFlush(); // the new entry's first sample
        this.emit('broadcast', this.info);
      } else {
        await this.writer.settle();
        await this.store.resetStreamStats();
        this.idle = zeroStats();
        this.idlePeak = 0;
        this.revisionBase += 1;
      }
      this.emit('reset');
      this.signalChange();
      return this.stats;
    });
  }

  /**
   * Hands everything that changed to the writer, as one save. While saving fails, the
   * changes stay in the tally (one coalesced save instead of a growing queue) and are handed
   * over at a later try; `force` hands them over anyway (the tally is about to go).
   */
  flush(force = false): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const tally = this.tally;
    const link = this.link;
    if (!tally || !link || !tally.hasChanges) return;
    this.lastSaveAt = Date.now();
    if (!force && !this.writer.status.ok) return;
    const changes = tally.drainChanges(this.clock());
    this.writer.write(link, changes);
    // Once committed, the ids of this save may leave the exact window: storage has them.
    this.writer.settle().then(
      () => tally.commitMessages(changes.messageMark),
      () => {}, // not committed (yet): they stay in memory
    );
  }

  /**
   * Final save and end of the broadcast (a stop counts as a disconnect); releases the writer.
   * While saving fails the writer keeps trying until `giveUp` aborts.
   */
  close(reason: EndReason = 'stopped', giveUp?: AbortSignal): Promise<void> {
    return this.step(async () => {
      if (this.closed) return;
      await this.end(reason);
      this.stopTimers();
      this.closed = true;
      await this.writer.close(giveUp);
    });
  }

  /** The final save and the entry's end are queued in order; never waits for a failing disk. */
  private async end(reason: EndReason): Promise<void> {
    const tally = this.tally;
    const link = this.link;
    if (!tally || !link) return;
    const now = this.clock();
    tally.closeStreaks(now);
    this.flush(true);
    this.stopTimers();
    this.retire(tally);
    this.link = undefined;
    this.info = undefined;
    this.idle = zeroStats();
    this.idlePeak = 0;
    this.emit('broadcast', undefined);
    this.signalChange();
    this.writer.endSession(link.sessionId, now, this.endReason ?? reason);
    // What is read next includes the final save — unless saving fails: then it stays queued,
    // retried in order, and the disconnect goes on without waiting for the disk.
    await this.writer.settle().catch(() => undefined);
  }

  private async begin(event: ConnectedEvent): Promise<void> {
    const saved = await this.store.loadCurrent();
    const link = { streamer: event.streamer, streamerId: event.streamerId, roomId: event.roomId };
    let seed: TallySeed | undefined;
    let sessionId: number;
    let startedAt = event.at;
    let resumed = false;
    if (saved && sameStreamer(saved, event) && saved.roomId === event.roomId) {
      // The same broadcast again: what was counted in it must not be counted twice.
      const { legacyMessageIds, ...memory } = await this.store.loadRoomMemory(event.roomId);
      const messages = new MessageDedupe(this.tallyOptions.dedupe);
      await this.store.loadMessageKeys(event.roomId, (hi, lo) => messages.rememberStored(hi, lo));
      for (const id of legacyMessageIds) messages.rememberUnsaved(id);
      const session = saved.sessionId != null ? await this.store.getSession(saved.sessionId) : null;
      if (session && session.roomId === event.roomId) {
        await this.store.resumeSession(session.id);
        sessionId = session.id;
        startedAt = session.startedAt;
        resumed = true;
        const peakViewers = Math.max(saved.peakViewers, session.peakViewers);
        const lastSampleAt = await this.store.lastSampleAt(session.id);
        seed = { stats: saved.stats, peakViewers, ...memory, messages, lastSampleAt };
      } else {
        sessionId = await this.store.startSession({ ...link, startedAt });
        seed = { stats: zeroStats(), peakViewers: 0, ...memory, messages };
      }
    } else {
      sessionId = await this.store.startSession({ ...link, startedAt });
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
    this.tally = new BroadcastTally(this.tallyOptions, seed, (activity) =>
      this.emit('activity', activity),
    );
    // Time passes without events (a quiet LIVE): combos time out all the same. Each is
    // counted at its own deadline, so this gives what an event after the deadline would.
    this.streakTimer ??= setInterval(() => {
      const tally = this.tally;
      if (!tally || this.held) return;
      tally.tick(this.clock());
      if (this.flushTimer === undefined && tally.hasChanges) this.scheduleFlush();
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
        if (--this.pendingSteps === 0) this.releaseHeld();
      }
    };
    const result = this.busy.then(run, run);
    this.busy = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** No step is left: count what was held, unless an event needs a look-up again. */
  private releaseHeld(): void {
    if (!this.held) return;
    if (this.countHeld()) this.held = undefined;
    else void this.step(() => this.lookUpHeld());
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

/** The message id storage may have to judge (joins are not de-duplicated). */
function lookupId(event: BroadcastEvent): string | undefined {
  return event.type === 'viewers' || event.type === 'streamEnd' || event.type === 'join'
    ? undefined
    : event.msgId;
}

function sameStreamer(
  known: { streamer: string | null; streamerId: string | null },
  event: ConnectedEvent,
): boolean {
  if (known.streamerId && event.streamerId) return known.streamerId === event.streamerId;
  return known.streamer?.toLowerCase() === event.streamer.toLowerCase();
}
