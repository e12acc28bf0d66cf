import type { TallyChanges } from '../../domain/broadcast-tally.js';
import { LivetallyError } from '../../domain/errors.js';
import type { BroadcastLink, EndReason } from '../../domain/history.js';
import type { ProfileStorage } from '../profile-storage.js';
import {
  RETRY_MS,
  unsavedError,
  type ProgressWriter,
  type QueuedWrite,
  type StorageStatus,
  type WriterEvents,
} from '../progress-writer.js';
import { pgFailure } from './pg-database.js';

export interface PgProgressWriterOptions {
  /** Time between two tries while saving fails (default RETRY_MS). */
  retryMs?: number;
}

const HEALTHY: StorageStatus = { ok: true, error: null, unsavedSince: null };
/** PostgreSQL's code for a server whose disk is full. */
const DISK_FULL = '53100';

/**
 * The failure a streamer is told about when a save to PostgreSQL fails: the database out of
 * reach (`database_unreachable`), its disk full, or else what it said (`save_failed`).
 */
export function pgSaveFailure(error: unknown): LivetallyError {
  if (error instanceof LivetallyError) return error;
  const reached = pgFailure(error, 'saving the stats');
  if (reached) return reached;
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown } | null)?.code === DISK_FULL) {
    return new LivetallyError(
      'disk_full',
      `the disk of the PostgreSQL server is full (saving the stats: ${message}); free some space there — livetally keeps trying`,
      { cause: error },
    );
  }
  return new LivetallyError('save_failed', `could not save the stats: ${message}`, {
    cause: error,
  });
}

/** Failures after which trying again cannot help: the profile is gone. */
function isFinal(failure: LivetallyError): boolean {
  return failure.code === 'profile_not_found';
}

/**
 * The `ProgressWriter` of a profile kept in PostgreSQL (the contract of
 * `InlineProgressWriter`): saves and ends of entries are queued and committed in order,
 * each one transaction; one that fails is retried every `retryMs` and holds back the ones
 * after it, since a later save's counters must never be overwritten by an earlier one.
 * While saving fails, `status` says so at once, and the tracker keeps what it counts in its
 * tally (one save when the database is back, not a growing queue).
 */
export class PgProgressWriter implements ProgressWriter {
  private readonly queue: { write: QueuedWrite; at: number }[] = [];
  private readonly retryMs: number;
  private current: StorageStatus = HEALTHY;
  /** The moment the last committed save was handed over: the database holds the counts up to it. */
  private savedUpTo = Date.now();
  private draining: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private halted: LivetallyError | undefined;
  private failure: LivetallyError | undefined;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(
    private readonly store: ProfileStorage,
    private readonly events: WriterEvents = {},
    options: PgProgressWriterOptions = {},
  ) {
    this.retryMs = options.retryMs ?? RETRY_MS;
  }

  get status(): StorageStatus {
    return this.current;
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
    this.clearRetry();
    this.failing(reason);
    this.rejectWaiters(reason);
  }

  async close(giveUp?: AbortSignal): Promise<void> {
    this.clearRetry();
    const aborted = new Promise<void>((resolve) => {
      if (giveUp?.aborted) resolve();
      else giveUp?.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      while (this.queue.length > 0 && !this.halted && !giveUp?.aborted) {
        this.clearRetry();
        await Promise.race([this.drain(), aborted]);
        if (this.queue.length === 0 || this.halted || giveUp?.aborted) break;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, this.retryMs)), aborted]);
      }
    } finally {
      this.clearRetry();
    }
    if (this.queue.length > 0) {
      const reason = this.halted ?? this.failure ?? { message: 'the database did not answer' };
      this.queue.length = 0;
      throw unsavedError(reason, this.current.unsavedSince ?? this.savedUpTo);
    }
  }

  private push(write: QueuedWrite): void {
    if (this.halted) return; // nothing more is written: what is counted stays in memory only
    this.queue.push({ write, at: Date.now() });
    if (!this.retry) void this.drain();
  }

  /** Commits the queue in order; a failure schedules the next try. One drain at a time. */
  private drain(): Promise<void> {
    this.draining ??= this.commitQueued().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async commitQueued(): Promise<void> {
    while (this.queue.length > 0 && !this.halted) {
      const next = this.queue[0]!;
      try {
        const { write } = next;
        if (write.type === 'save') await this.store.saveProgress(write.link, write.changes);
        else await this.store.endSession(write.sessionId, write.endedAt, write.reason);
      } catch (error) {
        const failure = pgSaveFailure(error);
        this.events.onError?.(failure);
        if (isFinal(failure)) {
          this.halt(failure);
          return;
        }
        this.failure = failure;
        this.failing(failure);
        this.rejectWaiters(failure);
        this.retry = setTimeout(() => {
          this.retry = undefined;
          void this.drain();
        }, this.retryMs);
        this.retry.unref();
        return;
      }
      this.savedUpTo = next.at;
      this.queue.shift();
    }
    if (this.halted) return;
    if (this.failure) {
      this.failure = undefined;
      if (!this.current.ok) {
        this.current = HEALTHY;
        this.events.onStatus?.(this.current);
      }
      this.events.onRecovered?.();
    }
    this.events.onSaved?.();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  private failing(failure: LivetallyError): void {
    const changed = this.current.ok || this.current.error?.message !== failure.message;
    this.current = {
      ok: false,
      error: { code: failure.code, message: failure.message },
      unsavedSince: this.current.unsavedSince ?? this.savedUpTo,
    };
    if (changed) this.events.onStatus?.(this.current);
  }

  private clearRetry(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }
}
