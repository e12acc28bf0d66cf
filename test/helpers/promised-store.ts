import type { ProfileStorage } from '../../src/storage/profile-storage.js';
import type { ProfileStore } from '../../src/storage/profile-store.js';

/**
 * A real SQLite profile that answers the way a server database does: every method returns
 * a promise settled on a later turn of the event loop. It shows what the app does with a
 * `ProfileStorage` that is not synchronous, without a database server. Saves can be made
 * to fail, and how many were in flight at once is counted.
 */
export class PromisedStore implements ProfileStorage {
  /** The most saves (and entry ends) that were waiting for their answer at once. */
  maxInFlight = 0;
  /** Saves and entry ends, in the order they were committed. */
  readonly committed: string[] = [];
  private inFlight = 0;
  private failures = 0;

  constructor(readonly inner: ProfileStore) {}

  get file(): string {
    return this.inner.file;
  }
  get readonly(): boolean {
    return this.inner.readonly;
  }
  get goals() {
    return this.inner.goals;
  }
  get history() {
    return this.inner.history;
  }

  /** The next `count` saves (or entry ends) fail, as a lost connection would. */
  failNext(count: number): void {
    this.failures = count;
  }

  loadCurrent = this.later(() => this.inner.loadCurrent());
  resetStreamStats = this.later(() => this.inner.resetStreamStats());
  startSession = this.later((...a: Parameters<ProfileStore['startSession']>) =>
    this.inner.startSession(...a),
  );
  closeInterrupted = this.later(() => this.inner.closeInterrupted());
  resumeSession = this.later((id: number) => this.inner.resumeSession(id));
  settleEnd = this.later((id: number, reason: string) => this.inner.settleEnd(id, reason));
  loadRoomMemory = this.later((roomId: string) => this.inner.loadRoomMemory(roomId));
  lastSampleAt = this.later((id: number) => this.inner.lastSampleAt(id));
  listSessions = this.later(() => this.inner.listSessions());
  getSession = this.later((id: number) => this.inner.getSession(id));
  sessionSeries = this.later((id: number) => this.inner.sessionSeries(id));
  sessionViewers = this.later((id: number) => this.inner.sessionViewers(id));
  close = this.later(() => this.inner.close());

  loadMessageKeys(roomId: string, add: (hi: number, lo: number) => void): Promise<number> {
    return this.inner.loadMessageKeys(roomId, add);
  }

  countedMessages(roomId: string, ids: readonly string[]): Promise<Set<string>> {
    return this.inner.countedMessages(roomId, ids);
  }

  saveProgress(...args: Parameters<ProfileStore['saveProgress']>): Promise<void> {
    return this.write(`save likes=${args[1].stats.likes}`, () => this.inner.saveProgress(...args));
  }

  endSession(...args: Parameters<ProfileStore['endSession']>): Promise<void> {
    return this.write(`end ${args[0]} ${args[2]}`, () => this.inner.endSession(...args));
  }

  private async write(what: string, apply: () => void): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await turn();
      if (this.failures > 0) {
        this.failures--;
        throw new Error('the database server did not answer');
      }
      apply();
      this.committed.push(what);
    } finally {
      this.inFlight--;
    }
  }

  private later<A extends unknown[], T>(work: (...args: A) => T): (...args: A) => Promise<T> {
    return async (...args: A) => {
      await turn();
      return work(...args);
    };
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
