import type { SavedCurrent } from '../domain/history.js';
import type { Awaitable, ProfileStorage } from '../storage/profile-storage.js';
import type { ProgressWriter, WriterEvents } from '../storage/progress-writer.js';

/**
 * Where the server keeps its profiles, for one storage engine: which ones there are, which
 * one is active, and opening one. `Workspace` keeps them as SQLite files in a data
 * directory; the hosted mode keeps them in a PostgreSQL database. `LiveService` and
 * `ProfileFleet` use nothing else, and always `await` (SQLite answers at once).
 *
 * Names: a profile's name is unique regardless of case. Methods that take a name accept
 * any case and work on the profile as it is kept; `resolve` says how it is kept. A name
 * that breaks the naming rules is refused with `invalid_profile_name` (400), an unknown
 * one with `profile_not_found` (404), each with a message a streamer can act on.
 *
 * Writing needs this process to be the profile's one writer. How that is ensured is the
 * engine's affair, settled before the space is handed to the service: for SQLite files the
 * data directory's lock (`Workspace.lockForWriting`), for PostgreSQL the service's claims.
 */
export interface ProfileSpace {
  /** The active profile's name as kept (`default` before anything exists). */
  activeProfile(): Awaitable<string>;
  /** Makes an existing profile the active one (for the next start too); its name as kept. */
  setActive(name: string): Awaitable<string>;
  /** Creates the `default` profile if it does not exist yet (the first start). */
  ensureDefault(): Awaitable<void>;
  /** The existing profile's name as kept; `profile_not_found` when there is none. */
  resolve(name: string): Awaitable<string>;
  /** Every profile, sorted by name regardless of case. */
  listProfiles(): Awaitable<ProfileListing[]>;
  /**
   * Creates an empty profile; `profile_exists` (409) when the name is taken in any case.
   * Returns the name as kept.
   */
  createProfile(name: string): Awaitable<string>;
  /**
   * Deletes a profile and everything it holds; refuses the active one (`profile_active`).
   * The caller makes sure it is not open (the service refuses a counting one itself).
   */
  deleteProfile(name: string): Awaitable<void>;
  /**
   * Opens a profile to count into (`default` is created when missing). The caller closes
   * its `store` once the writer made for it is closed.
   */
  openForWriting(name: string): Awaitable<WritableProfile>;
  /**
   * Opens a profile for reading only, beside whoever writes to it; undefined when it holds
   * nothing yet (a `default` never used). The caller closes it.
   */
  openForReading(name: string): Awaitable<ProfileStorage | undefined>;
  /** A profile's saved current stats, read as `openForReading` does; null when none. */
  readCurrent(name: string): Awaitable<SavedCurrent | null>;
}

/** A profile as listed (`GET /api/profiles`). */
export interface ProfileListing {
  name: string;
  active: boolean;
  /** Room the profile takes where it is kept (a file's size; an estimate in a database). */
  sizeBytes: number;
  /** When it last changed, ISO 8601, and the same in epoch milliseconds. */
  modifiedAt: string;
  modifiedAtMs: number;
}

/**
 * Where a counting profile's periodic saves are made. `worker`: off the main thread where
 * the engine can (SQLite: a save thread with its own connection, as the active profile
 * has); `inline`: through the profile's own connection, no thread per LIVE (hundreds fit
 * in one process). An engine that never blocks the main thread (PostgreSQL) may answer
 * both with the same writer.
 */
export type WriterKind = 'inline' | 'worker';

/** A profile open for counting, and how its saves are made. */
export interface WritableProfile {
  readonly store: ProfileStorage;
  /**
   * Makes a writer for a tracker to hand this profile's saves to (see `ProgressWriter`),
   * writing to the same profile as `store`; one per tracker, closed by the tracker.
   */
  writer(kind: WriterKind, events: WriterEvents): ProgressWriter;
}
