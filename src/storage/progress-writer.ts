import { Worker } from 'node:worker_threads';
import type { TallyChanges } from '../domain/broadcast-tally.js';
import { LivetallyError } from '../domain/errors.js';
import type { BroadcastLink, EndReason } from '../domain/history.js';
import { noteDamaged } from './open-database.js';
import type { Awaitable, ProfileStorage } from './profile-storage.js';
import { storageFailure } from './storage-errors.js';

/** Whether the profile's file is keeping up with what is counted. */
export interface StorageStatus {
  ok: boolean;
  /** Why saving fails, in words a streamer can act on; null while saves work. */
  error: { code: string; message: string } | null;
  /**
   * While saving fails: the moment up to which the file holds the counts (what was counted
   * after it is only in memory); null while saves work.
   */
  unsavedSince: number | null;
}

/**
 * Where the tracker's periodic saves go. Saves (and the end of a history entry) are queued
 * and committed in order; a save that fails is retried (the disk may come back) and holds
 * back the ones after it, since the counters in a later save must never be overwritten by an
 * earlier one. A file found damaged is not written again.
 *
 * Nothing here waits without bound: `settle` answers at once while saving fails, and `close`
 * gives up when told to.
 */
export interface ProgressWriter {
  write(link: BroadcastLink, changes: TallyChanges): void;
  /** Ends a history entry after the saves queued before it. */
  endSession(sessionId: number, endedAt: number, reason: EndReason): void;
  readonly status: StorageStatus;
  /**
   * Resolves once everything queued so far is committed. Rejects with the reason at once
   * while saving fails, and when a queued save fails.
   */
  settle(): Promise<void>;
  /** Stops writing to the file for good (it was found damaged); keeps what it holds unsaved. */
  halt(reason: LivetallyError): void;
  /**
   * Commits what is queued — retrying while saving fails — then releases the file. When
   * `giveUp` aborts first, stops trying and throws an `unsaved_stats` error saying what is
   * not in the file. Resolves or throws only once the file is let go.
   */
  close(giveUp?: AbortSignal): Promise<void>;
}

export interface WriterEvents {
  /** A save failed; it will be retried unless the file is damaged. */
  onError?: (failure: LivetallyError) => void;
  /** Saves are committed again after failures. */
  onRecovered?: () => void;
  /** Every queued save is committed. */
  onSaved?: () => void;
  /** `status` changed. */
  onStatus?: (status: StorageStatus) => void;
}

export const RETRY_MS = 1000;
/** How long a worker that was told to give up may take before it is stopped. */
const ABANDON_GRACE_MS = 2000;

const HEALTHY: StorageStatus = { ok: true, error: null, unsavedSince: null };

export type QueuedWrite =
  | { type: 'save'; link: BroadcastLink; changes: TallyChanges }
  | { type: 'end'; sessionId: number; endedAt: number; reason: EndReason };

/** Applies one queued write to the store (at once on SQLite, a promise on PostgreSQL). */
export function applyWrite(store: ProfileStorage, write: QueuedWrite): Awaitable<void> {
  if (write.type === 'save') return store.saveProgress(write.link, write.changes);
  return store.endSession(write.sessionId, write.endedAt, write.reason);
}

/** The failure a streamer is told about, from whatever SQLite or the disk threw. */
export function saveFailure(error: unknown, file: string): LivetallyError {
  return (
    storageFailure(error, { path: file, doing: 'saving the stats', retrying: true }) ??
    new LivetallyError('save_failed', `could not save the stats: ${(error as Error).message}`, {
      cause: error,
    })
  );
}

/** What a close that gave up (or a damaged file) leaves out of the file. */
export function unsavedError(reason: { message: string }, since: number | null): LivetallyError {
  const when = since === null ? '' : ` since ${new Date(since).toLocaleTimeString('en-GB')}`;
  return new LivetallyError(
    'unsaved_stats',
    `the stats counted${when} could not be saved: ${reason.message}`,
  );
}

/**
 * Keeps the status every writer reports: healthy, or failing since a moment, and tells the
 * listener when it changes.
 */
class StatusKeeper {
  current: StorageStatus = HEALTHY;
  /** The moment the last committed save was handed over: the file holds the counts up to it. */
  savedUpTo: number;

  constructor(
    private readonly events: WriterEvents,
    now: number,
  ) {
    this.savedUpTo = now;
  }

  failing(failure: LivetallyError): void {
    const changed = this.current.ok || this.current.error?.message !== failure.message;
    this.current = {
      ok: false,
      error: { code: failure.code, message: failure.message },
      unsavedSince: this.current.unsavedSince ?? this.savedUpTo,
    };
    if (changed) this.events.onStatus?.(this.current);
  }

  healthy(): void {
    if (this.current.ok) return;
    this.current = HEALTHY;
    this.events.onStatus?.(this.current);
  }
}

/**
 * Saves through the profile's own connection, on the calling thread, for any storage engine.
 * A store that answers at once (SQLite) commits each write before `write` returns, as it
 * always has; one that answers with a promise (PostgreSQL) has one write in flight at a
 * time, the next starting once it is committed, so the order is the same.
 */
export class InlineProgressWriter implements ProgressWriter {
  private readonly queue: { write: QueuedWrite; at: number }[] = [];
  private readonly keeper: StatusKeeper;
  private retry: NodeJS.Timeout | undefined;
  /** Settles once the write the store is answering with a promise is done (or failed). */
  private inFlight: Promise<void> | undefined;
  private halted: LivetallyError | undefined;
  private failure: LivetallyError | undefined;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(
    private readonly store: ProfileStorage,
    private readonly events: WriterEvents = {},
  ) {
    this.keeper = new StatusKeeper(events, Date.now());
  }

  get status(): StorageStatus {
    return this.keeper.current;
  }

  write(link: BroadcastLink, changes: TallyChanges): void {
    this.push({ type: 'save', link, changes });
  }

  endSession(sessionId: number, endedAt: number, reason: EndReason): void {
    this.push({ type: 'end', sessionId, endedAt, reason });
  }

  settle(): Promise<void> {
    if (this.halted) return Promise.reject(this.halted);
    if (this.failure) return Promise.reject(this.failure);
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  halt(reason: LivetallyError): void {
    this.halted ??= reason;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.keeper.failing(reason);
    this.rejectWaiters(reason);
  }

  async close(giveUp?: AbortSignal): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    if (!this.halted) this.drain();
    while (this.queue.length > 0 && !this.halted && !giveUp?.aborted) {
      // A write in flight: until it is answered (its answer drains on, or fails and the
      // next turn waits). A failed one: a retry's wait, then try again.
      const inFlight = this.inFlight;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          giveUp?.removeEventListener('abort', done);
          resolve();
        };
        const timer = inFlight ? undefined : setTimeout(done, RETRY_MS);
        void inFlight?.then(done);
        giveUp?.addEventListener('abort', done, { once: true });
      });
      if (inFlight || giveUp?.aborted || this.halted) continue;
      if (this.retry) clearTimeout(this.retry);
      this.drain();
    }
    if (this.queue.length > 0) {
      const reason = this.halted ?? this.failure ?? { message: 'the disk did not answer' };
      this.queue.length = 0;
      throw unsavedError(reason, this.keeper.current.unsavedSince ?? this.keeper.savedUpTo);
    }
  }

  private push(write: QueuedWrite): void {
    if (this.halted) return; // the file is damaged: what is counted stays in memory only
    this.queue.push({ write, at: Date.now() });
    if (!this.retry && !this.inFlight) this.drain();
  }

  /** Commits queued writes in order until the queue is empty, one fails, or one is pending. */
  private drain(): void {
    this.retry = undefined;
    if (this.inFlight) return; // its answer carries on draining
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      let result: Awaitable<void>;
      try {
        result = applyWrite(this.store, next.write);
      } catch (error) {
        this.failed(error);
        return;
      }
      if (isPromise(result)) {
        this.inFlight = result.then(
          () => {
            this.inFlight = undefined;
            this.committed(next);
            if (!this.halted) this.drain();
          },
          (error: unknown) => {
            this.inFlight = undefined;
            if (!this.halted) this.failed(error);
          },
        );
        return;
      }
      this.committed(next);
    }
    if (this.failure) {
      this.failure = undefined;
      this.keeper.healthy();
      this.events.onRecovered?.();
    }
    this.events.onSaved?.();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  private committed(write: { write: QueuedWrite; at: number }): void {
    this.keeper.savedUpTo = write.at;
    // A close that gave up may have emptied the queue while the write was in flight.
    if (this.queue[0] === write) this.queue.shift();
  }

  /** A write failed: retried later (the disk may come back), unless the file is damaged. */
  private failed(error: unknown): void {
    const failure = saveFailure(error, this.store.file);
    this.events.onError?.(failure);
    if (failure.code === 'corrupt_database') {
      noteDamaged(this.store.file);
      this.halt(failure);
      return;
    }
    this.failure = failure;
    this.keeper.failing(failure);
    this.rejectWaiters(failure);
    this.retry = setTimeout(() => this.drain(), RETRY_MS);
    this.retry.unref();
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }
}

function isPromise<T>(value: Awaitable<T>): value is Promise<T> {
  return typeof (value as Partial<Promise<T>> | undefined)?.then === 'function';
}

/** Messages between the main thread and the save worker. */
export type WorkerRequest =
  ({ seq: number } & QueuedWrite) | { type: 'halt' } | { type: 'close' } | { type: 'abandon' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'saved'; seq: number }
  | { type: 'failed'; seq: number; code: string; message: string; damaged: boolean }
  | { type: 'recovered' }
  | { type: 'closed'; unsaved: number }
  | { type: 'fatal'; code: string; message: string };

export interface WorkerData {
  file: string;
  retryMs: number;
}

/**
 * Saves on a worker thread with its own connection to the profile's file, so a replay can
 * keep counting on one core while SQLite writes on the other, and the server's event loop
 * never waits for the disk.
 */
export class WorkerProgressWriter implements ProgressWriter {
  private readonly worker: Worker;
  private readonly keeper: StatusKeeper;
  private seq = 0;
  private committed = 0;
  /** When each save not yet committed was handed over, oldest first. */
  private handedAt: { seq: number; at: number }[] = [];
  private waiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  /** The last save failed and is being retried. */
  private failure: LivetallyError | undefined;
  /** No more writes: the file is damaged, or the worker is gone. */
  private halted: LivetallyError | undefined;
  private unsavedAtClose = 0;
  private readonly exited: Promise<void>;
  private hasExited = false;

  constructor(
    private readonly file: string,
    private readonly events: WriterEvents = {},
  ) {
    this.keeper = new StatusKeeper(events, Date.now());
    const workerData: WorkerData = { file, retryMs: RETRY_MS };
    this.worker = new Worker(workerScript(), {
      workerData,
      // It only holds one save at a time: a small young generation keeps its memory low.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 },
    });
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    this.worker.on('error', (error) =>
      this.stop(new LivetallyError('save_failed', `the save worker failed: ${error.message}`)),
    );
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.hasExited = true;
        if (this.committed < this.seq) {
          this.unsavedAtClose = Math.max(this.unsavedAtClose, this.seq - this.committed);
        }
        this.stop(
          this.halted ??
            new LivetallyError(
              'save_failed',
              code === 0 ? 'the save worker was closed' : `the save worker stopped (${code})`,
            ),
        );
        resolve();
      }),
    );
  }

  get status(): StorageStatus {
    return this.keeper.current;
  }

  write(link: BroadcastLink, changes: TallyChanges): void {
    if (this.halted) return; // the file is damaged: what is counted stays in memory only
    const request: WorkerRequest = { type: 'save', seq: ++this.seq, link, changes };
    this.handedAt.push({ seq: this.seq, at: Date.now() });
    // The per-viewer numbers and the message keys move to the worker instead of being copied.
    this.worker.postMessage(request, [changes.viewers.numbers.buffer, changes.messageKeys.buffer]);
  }

  endSession(sessionId: number, endedAt: number, reason: EndReason): void {
    if (this.halted) return;
    this.handedAt.push({ seq: ++this.seq, at: Date.now() });
    this.worker.postMessage({
      type: 'end',
      seq: this.seq,
      sessionId,
      endedAt,
      reason,
    } satisfies WorkerRequest);
  }

  settle(): Promise<void> {
    if (this.halted) return Promise.reject(this.halted);
    if (this.failure) return Promise.reject(this.failure);
    if (this.committed >= this.seq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq: this.seq, resolve, reject }));
  }

  halt(reason: LivetallyError): void {
    if (this.halted) return;
    this.stop(reason);
    if (!this.hasExited) this.worker.postMessage({ type: 'halt' } satisfies WorkerRequest);
  }

  async close(giveUp?: AbortSignal): Promise<void> {
    if (!this.hasExited) {
      this.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
      const abandon = () => {
        if (this.hasExited) return;
        this.worker.postMessage({ type: 'abandon' } satisfies WorkerRequest);
        // A worker stuck in the disk gets a moment, then is stopped.
        const timer = setTimeout(() => void this.worker.terminate(), ABANDON_GRACE_MS);
        timer.unref();
        void this.exited.then(() => clearTimeout(timer));
      };
      if (giveUp?.aborted) abandon();
      else giveUp?.addEventListener('abort', abandon, { once: true });
      await this.exited;
      giveUp?.removeEventListener('abort', abandon);
    }
    if (this.unsavedAtClose > 0 || this.committed < this.seq) {
      const reason = this.halted?.code === 'save_failed' ? this.failure : this.halted;
      throw unsavedError(
        reason ?? this.failure ?? { message: 'the disk did not answer' },
        this.keeper.current.unsavedSince ?? this.keeper.savedUpTo,
      );
    }
  }

  private onReply(reply: WorkerReply): void {
    switch (reply.type) {
      case 'saved':
        this.committed = reply.seq;
        while (this.handedAt.length > 0 && this.handedAt[0]!.seq <= reply.seq) {
          this.keeper.savedUpTo = this.handedAt.shift()!.at;
        }
        this.waiters = this.waiters.filter((w) => {
          if (w.seq > this.committed) return true;
          w.resolve();
          return false;
        });
        if (this.committed >= this.seq) this.events.onSaved?.();
        return;
      case 'failed': {
        const failure = new LivetallyError(reply.code, reply.message);
        this.events.onError?.(failure);
        if (reply.damaged) {
          this.stop(failure);
          return;
        }
        this.failure = failure;
        this.keeper.failing(failure);
        this.rejectWaiters(failure);
        return;
      }
      case 'recovered':
        this.failure = undefined;
        this.keeper.healthy();
        this.events.onRecovered?.();
        return;
      case 'closed':
        this.unsavedAtClose = reply.unsaved;
        return;
      case 'fatal':
        this.stop(new LivetallyError(reply.code, reply.message));
        return;
      case 'ready':
        return;
    }
  }

  /** No more writes; everyone waiting hears why. */
  private stop(reason: LivetallyError): void {
    if (!this.halted) {
      this.halted = reason;
      if (reason.code !== 'save_failed' || this.committed < this.seq) this.keeper.failing(reason);
    }
    this.rejectWaiters(reason);
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }
}

/**
 * The worker's compiled script. Tests run the TypeScript sources, but a worker thread
 * only runs JavaScript, so from `src/` it is taken from the build in `dist/`.
 */
function workerScript(): URL {
  const here = new URL('./progress-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  return new URL(here.href.replace('/src/storage/', '/dist/storage/'));
}
