import { Worker } from 'node:worker_threads';
import type { TallyChanges } from '../domain/broadcast-tally.js';
import type { BroadcastLink } from '../domain/history.js';
import type { ProfileStore } from './profile-store.js';

/**
 * Where the tracker's periodic saves go. Saves are queued and committed in order; a save
 * that fails is retried (the disk may come back) and holds back the ones after it, since
 * the counters in a later save must never be overwritten by an earlier one.
 */
export interface ProgressWriter {
  write(link: BroadcastLink, changes: TallyChanges): void;
  /** Resolves once every save queued so far is committed. */
  settle(): Promise<void>;
  /** Commits what is queued, then releases the writer. */
  close(): Promise<void>;
}

export interface WriterEvents {
  /** A save failed and will be retried. */
  onError?: (message: string) => void;
  /** Saves are committed again after failures. */
  onRecovered?: () => void;
  /** Every queued save is committed. */
  onSaved?: () => void;
}

const RETRY_MS = 1000;

interface QueuedSave {
  link: BroadcastLink;
  changes: TallyChanges;
}

/** Saves on the calling thread, through the profile's own connection. */
export class InlineProgressWriter implements ProgressWriter {
  private readonly queue: QueuedSave[] = [];
  private retry: NodeJS.Timeout | undefined;
  private failing = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly store: ProfileStore,
    private readonly events: WriterEvents = {},
  ) {}

  write(link: BroadcastLink, changes: TallyChanges): void {
    this.queue.push({ link, changes });
    if (!this.retry) this.drain();
  }

  settle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.drain();
    if (this.queue.length > 0) {
      throw new Error(`${this.queue.length} saves could not be written: ${this.lastError}`);
    }
  }

  private lastError = '';

  private drain(): void {
    this.retry = undefined;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      try {
        this.store.saveProgress(next.link, next.changes);
      } catch (error) {
        this.lastError = (error as Error).message;
        this.failing = true;
        this.events.onError?.(this.lastError);
        this.retry = setTimeout(() => this.drain(), RETRY_MS);
        this.retry.unref();
        return;
      }
      this.queue.shift();
    }
    if (this.failing) {
      this.failing = false;
      this.events.onRecovered?.();
    }
    this.events.onSaved?.();
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Messages between the main thread and the save worker. */
export type WorkerRequest =
  { type: 'save'; seq: number; link: BroadcastLink; changes: TallyChanges } | { type: 'close' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'saved'; seq: number }
  | { type: 'failed'; seq: number; message: string }
  | { type: 'recovered' }
  | { type: 'fatal'; message: string };

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
  private seq = 0;
  private committed = 0;
  private waiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private fatal: Error | undefined;
  private exited = false;

  constructor(
    file: string,
    private readonly events: WriterEvents = {},
  ) {
    const workerData: WorkerData = { file, retryMs: RETRY_MS };
    this.worker = new Worker(workerScript(), {
      workerData,
      // It only holds one save at a time: a small young generation keeps its memory low.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 },
    });
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (code !== 0) this.fail(new Error(`the save worker stopped (exit code ${code})`));
      else this.fail(new Error('the save worker was closed'));
    });
  }

  write(link: BroadcastLink, changes: TallyChanges): void {
    if (this.fatal) throw this.fatal;
    const request: WorkerRequest = { type: 'save', seq: ++this.seq, link, changes };
    // The per-viewer numbers and the message keys move to the worker instead of being copied.
    this.worker.postMessage(request, [changes.viewers.numbers.buffer, changes.messageKeys.buffer]);
  }

  settle(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.committed >= this.seq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq: this.seq, resolve, reject }));
  }

  async close(): Promise<void> {
    let failure: unknown;
    try {
      await this.settle();
    } catch (error) {
      failure = error;
    }
    if (!this.exited) {
      const exit = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
      await exit;
    }
    if (failure) throw failure;
  }

  private onReply(reply: WorkerReply): void {
    switch (reply.type) {
      case 'saved':
        this.committed = reply.seq;
        this.waiters = this.waiters.filter((w) => {
          if (w.seq > this.committed) return true;
          w.resolve();
          return false;
        });
        if (this.committed >= this.seq) this.events.onSaved?.();
        return;
      case 'failed':
        this.events.onError?.(reply.message);
        return;
      case 'recovered':
        this.events.onRecovered?.();
        return;
      case 'fatal':
        this.fail(new Error(reply.message));
        return;
      case 'ready':
        return;
    }
  }

  private fail(error: Error): void {
    this.fatal ??= error;
    for (const w of this.waiters) w.reject(error);
    this.waiters = [];
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
