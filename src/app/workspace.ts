import fs from 'node:fs';
import { LivetallyError } from '../domain/errors.js';
import type { SavedCurrent } from '../domain/history.js';
import { DataDirLock } from '../profiles/data-dir-lock.js';
import { ProfileDirectory, type ProfileFile } from '../profiles/profile-directory.js';
import { DEFAULT_PROFILE } from '../profiles/profile-name.js';
import { ProfileStore, type ProfileStoreOptions } from '../storage/profile-store.js';
import { silentLogger, type Logger } from './logger.js';

export interface ProfileSummary extends ProfileFile {
  active: boolean;
}

/**
 * One data directory: its profiles, which one is active, and the single-writer lock.
 * Writing operations need the lock (`lockForWriting`); reading ones work beside a writer.
 */
export class Workspace {
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
    this.profiles.ensure();
    this.lock ??= DataDirLock.acquire(this.dataDir, command);
  }

  release(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  activeProfile(): string {
    return this.profiles.activeName();
  }

  /** Resolves `--profile` (or the active profile) to the name on disk. */
  profileName(requested: string | undefined): string {
    if (requested !== undefined)
      return this.profiles.find(requested) ?? this.profiles.resolve(requested);
    return this.activeProfile();
  }

  /** Creates the `default` profile on first use. Needs the lock. */
  ensureDefault(): void {
    this.requireLock();
    if (!this.profiles.find(DEFAULT_PROFILE)) this.createFile(DEFAULT_PROFILE);
  }

  createProfile(name: string): string {
    this.requireLock();
    this.profiles.assertAvailable(name);
    this.createFile(name);
    return name;
  }

  deleteProfile(name: string): void {
    this.requireLock();
    this.profiles.delete(name);
  }

  setActive(name: string): string {
    this.requireLock();
    const found = this.profiles.resolve(name);
    this.profiles.setActiveName(found);
    return found;
  }

  listProfiles(): ProfileSummary[] {
    const active = this.activeProfile().toLowerCase();
    return this.profiles.list().map((p) => ({ ...p, active: p.name.toLowerCase() === active }));
  }

  /** Opens a profile for writing; `default` is created when missing. Needs the lock. */
  openForWriting(name: string): ProfileStore {
    this.requireLock();
    if (name.toLowerCase() === DEFAULT_PROFILE) this.ensureDefault();
    const found = this.profiles.resolve(name);
    return ProfileStore.open(this.profiles.fileFor(found), this.writeOptions());
  }

  /**
   * Opens a profile without writing to it, beside a running writer. Returns undefined when
   * the profile has no file yet (a `default` never used).
   */
  openForReading(name: string): ProfileStore | undefined {
    const found = this.profiles.find(name);
    if (!found) {
      if (name.toLowerCase() === DEFAULT_PROFILE) return undefined;
      this.profiles.resolve(name); // throws the not-found error
    }
    const file = this.profiles.fileFor(found ?? name);
    try {
      return ProfileStore.open(file, { ...this.storeOptions, readonly: true });
    } catch (error) {
      if (!(error instanceof LivetallyError) || error.code !== 'needs_upgrade') throw error;
      // An older file: upgrade it now if no writer is running.
      if (DataDirLock.holder(this.dataDir)) throw error;
      const lock = DataDirLock.acquire(this.dataDir, 'livetally (upgrade)');
      try {
        ProfileStore.open(file, this.writeOptions()).close();
      } finally {
        lock.release();
      }
      return ProfileStore.open(file, { ...this.storeOptions, readonly: true });
    }
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
    const file = this.profiles.fileFor(name);
    if (fs.existsSync(file)) return;
    ProfileStore.open(file, { ...this.writeOptions(), create: true }).close();
    this.logger.debug(`created profile "${name}"`);
  }

  private writeOptions(): ProfileStoreOptions {
    return { ...this.storeOptions, onNotice: (m) => this.logger.info(m) };
  }

  private requireLock(): void {
    if (!this.lock) throw new Error('writing to a profile needs the data directory lock');
  }
}
