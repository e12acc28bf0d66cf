import type { ProfileSpace, WritableProfile } from '../../src/app/profile-space.js';
import type { Workspace } from '../../src/app/workspace.js';
import { InlineProgressWriter } from '../../src/storage/progress-writer.js';
import { PromisedStore } from './promised-store.js';

/**
 * The profiles of a data directory, answered the way a server database answers: every call
 * a promise settled on a later turn, every profile a `PromisedStore`, saves made through
 * the profile's own (promised) connection as the hosted mode makes them. It shows that
 * the service needs nothing of SQLite from its `ProfileSpace`.
 */
export class PromisedSpace implements ProfileSpace {
  /** Every profile opened for writing, in order. */
  readonly written: PromisedStore[] = [];

  constructor(private readonly inner: Workspace) {}

  async activeProfile(): Promise<string> {
    await turn();
    return this.inner.activeProfile();
  }

  async setActive(name: string): Promise<string> {
    await turn();
    return this.inner.setActive(name);
  }

  async ensureDefault(): Promise<void> {
    await turn();
    this.inner.ensureDefault();
  }

  async resolve(name: string): Promise<string> {
    await turn();
    return this.inner.resolve(name);
  }

  async listProfiles() {
    await turn();
    return this.inner.listProfiles();
  }

  async createProfile(name: string): Promise<string> {
    await turn();
    return this.inner.createProfile(name);
  }

  async deleteProfile(name: string): Promise<void> {
    await turn();
    this.inner.deleteProfile(name);
  }

  async openForWriting(name: string): Promise<WritableProfile> {
    await turn();
    const store = new PromisedStore(this.inner.openForWriting(name).store);
    this.written.push(store);
    // One kind of writer whatever is asked for, as an engine without a save thread does.
    return { store, writer: (_kind, events) => new InlineProgressWriter(store, events) };
  }

  async openForReading(name: string): Promise<PromisedStore | undefined> {
    await turn();
    const store = this.inner.openForReading(name);
    return store && new PromisedStore(store);
  }

  async readCurrent(name: string) {
    const store = await this.openForReading(name);
    if (!store) return null;
    try {
      return await store.loadCurrent();
    } finally {
      await store.close();
    }
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
