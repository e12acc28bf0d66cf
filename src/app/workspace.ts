import fs from 'node:fs';
import type { SavedCurrent } from '../domain/history.js';
import { DataDirLock } from '../profiles/data-dir-lock.js';
import { ProfileDirectory, type ProfileFile } from '../profiles/profile-directory.js';
import { DEFAULT_PROFILE } from '../profiles/profile-name.js';
import { ProfileStore, type ProfileStoreOptions } from '../storage/profile-store.js';
import {
  InlineProgressWriter,
  WorkerProgressWriter,
  type ProgressWriter,
  type WriterEvents,
} from '../storage/progress-writer.js';
import { storageFailure } from '../storage/storage-errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { ProfileSpace, WritableProfile, WriterKind } from './profile-space.js';

export interface ProfileSummary extends ProfileFile {
  active: boolean;
}

/** A SQLite profile file open for counting. */
export interface SqliteWritableProfile extends WritableProfile {
  readonly store: ProfileStore;
}

/**
 * One data directory: its profiles, which one is active, and the single-writer lock.
 * Writing operations need the lock (`lockForWriting`); reading ones work beside a writer
 * and never write anything — not a lock, not a migration, not a `default` profile.
 * The SQLite `ProfileSpace`: it answers every call at once.
 */
export class Workspace implements ProfileSpace {
  readonly profiles: ProfileDirectory;
  private lock: DataDirLock | undefined;

  constructor(
    readonly dataDir: string,
    private readonly logger: Logger = silentLogger,
    private readonly storeOptions: ProfileStoreOptions = {},
  ) {
    this.profiles = new ProfileDirectory(dataDir);
  }

  get holdsLock(): boolean {
    return this.lock !== undefined;
  }

  /** Takes the data directory's writer lock for this process (idempotent). */
  lockForWriting(command: string): void {
    if (this.lock) return;
    this.onDisk('locking the data directory', this.dataDir, () => {
      this.profiles.ensure();
      this.lock = DataDirLock.acquire(this.dataDir, command);
    });
  }

  /**
   * Lets go of the lock. Call it only once every profile file this process opened for
   * writing is closed (save worker included): the next writer may start at once.
   */
  release(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  activeProfile(): string {
    return this.profiles.activeName();
  }

  /**
   * Resolves `--profile` (or the active profile) to the name on disk. `default` always
   * resolves, also before its file exists (a brand-new data directory).
   */
  profileName(requested: string | undefined): string {
    if (requested === undefined) return this.activeProfile();
    const found = this.profiles.find(requested);
    if (found) return found;
    if (requested.toLowerCase() === DEFAULT_PROFILE) return DEFAULT_PROFILE;
    this.profiles.assertUsablePath(requested); // a folder or link there: say so
    return this.profiles.resolve(requested); // throws the not-found error
  }

  /** The existing profile's name on disk (any case given); a not-found error otherwise. */
  resolve(name: string): string {
    return this.profiles.resolve(name);
  }

  /** Creates the `default` profile on first use. Needs the lock. */
  ensureDefault(): void {
    this.requireLock();
    if (!this.profiles.find(DEFAULT_PROFILE)) this.createFile(DEFAULT_PROFILE);
  }

  createProfile(name: string): string {
    this.requireLock();
    // `default` exists from the first start on: no other profile may take its name.
    this.ensureDefault();
    this.profiles.assertAvailable(name);
    this.createFile(name);
    return name;
  }

  deleteProfile(name: string): void {
    this.requireLock();
    this.onDisk('deleting a profile', this.profiles.profilesDir, () => this.profiles.delete(name));
  }

  setActive(name: string): string {
    this.requireLock();
    const found = this.profiles.resolve(name);
    this.onDisk('choosing the active profile', this.dataDir, () =>
      this.profiles.setActiveName(found),
    );
    return found;
  }

  listProfiles(): ProfileSummary[] {
    const active = this.activeProfile().toLowerCase();
    return this.profiles.list().map((p) => ({ ...p, active: p.name.toLowerCase() === active }));
  }

  /**
   * Opens a profile for writing; `default` is created when missing. Needs the lock. Its
   * `worker` writer saves on a thread of its own with a second connection to the file.
   */
  openForWriting(name: string): SqliteWritableProfile {
    this.requireLock();
    if (name.toLowerCase() === DEFAULT_PROFILE) this.ensureDefault();
    const found = this.profiles.resolve(name);
    this.profiles.assertUsablePath(found);
    const store = ProfileStore.open(this.profiles.fileFor(found), this.writeOptions());
    return {
      store,
      writer: (kind: WriterKind, events: WriterEvents): ProgressWriter =>
        kind === 'worker'
          ? new WorkerProgressWriter(store.file, events)
          : new InlineProgressWriter(store, events),
    };
  }

  /**
   * Opens a profile without writing anything, beside a running writer. Returns undefined
   * when the profile has no file yet (a `default` never used). A file in an older format is
   * shown as the upgrade will make it, without upgrading it.
   */
  openForReading(name: string): ProfileStore | undefined {
    const found = this.profiles.find(name);
    if (!found) {
      if (name.toLowerCase() === DEFAULT_PROFILE) return undefined;
      this.profiles.resolve(name); // throws the not-found error
    }
    const file = this.profiles.fileFor(found ?? name);
    return ProfileStore.open(file, {
      ...this.storeOptions,
      readonly: true,
      // A running writer checked the file when it opened it and watches for damage since.
      verify: DataDirLock.holder(this.dataDir) === null,
      onNotice: (m) => this.logger.info(m),
    });
  }

  /** The saved current stats of a profile, read-only; null when it has none. */
  readCurrent(name: string): SavedCurrent | null {
    const store = this.openForReading(name);
    if (!store) return null;
    try {
      return store.loadCurrent();
    } finally {
      store.close();
    }
  }

  private createFile(name: string): void {
    this.profiles.assertUsablePath(name);
    const file = this.profiles.fileFor(name);
    if (fs.existsSync(file)) return;
    try {
      ProfileStore.open(file, { ...this.writeOptions(), create: true }).close();
    } catch (error) {
      // Half a profile (a full disk) would be one that cannot be opened: none at all instead.
      for (const suffix of ['', '-wal', '-shm', '-journal', '-checked']) {
        fs.rmSync(file + suffix, { force: true });
      }
      throw error;
    }
    this.logger.debug(`created profile "${name}"`);
  }

  private writeOptions(): ProfileStoreOptions {
    return { ...this.storeOptions, onNotice: (m) => this.logger.info(m) };
  }

  /** File-system work, its failures (read-only, full, no permission) in plain words. */
  private onDisk<T>(doing: string, where: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageFailure(error, { path: where, doing }) ?? error;
    }
  }

  private requireLock(): void {
    if (!this.lock) throw new Error('writing to a profile needs the data directory lock');
  }
}
