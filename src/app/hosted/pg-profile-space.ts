import { LivetallyError } from '../../domain/errors.js';
import type { SavedCurrent } from '../../domain/history.js';
import { DEFAULT_PROFILE } from '../../profiles/profile-name.js';
import type { PgPool } from '../../storage/pg/pg-database.js';
import { PgProfileStore, type PgProfileStoreOptions } from '../../storage/pg/pg-profile-store.js';
import { PgProgressWriter } from '../../storage/pg/pg-progress-writer.js';
import type { PgProfiles } from '../../storage/pg/pg-profiles.js';
import { ACTIVE_PROFILE_SETTING, type PgServiceState } from '../../storage/pg/pg-service-state.js';
import type { ProfileListing, ProfileSpace, WritableProfile } from '../profile-space.js';

/**
 * The profiles of a hosted service, kept in its PostgreSQL database (`start --database`).
 * The active profile is a shared setting, so every process of the service agrees on it.
 *
 * Opening a profile for writing is only ever done by the process that holds the profile's
 * claim (see `ClaimLoop`): the engine's side of "one writer per profile".
 */
export class PgProfileSpace implements ProfileSpace {
  constructor(
    private readonly pool: PgPool,
    private readonly profiles: PgProfiles,
    private readonly state: PgServiceState,
    /** Runs first in every write transaction (the hosted mode's fencing). */
    private readonly writeGuard?: PgProfileStoreOptions['writeGuard'],
  ) {}

  async activeProfile(): Promise<string> {
    const name = await this.state.setting(ACTIVE_PROFILE_SETTING);
    const found = name === null ? undefined : await this.profiles.find(name);
    return found?.name ?? DEFAULT_PROFILE;
  }

  async setActive(name: string): Promise<string> {
    const found = await this.profiles.resolve(name);
    await this.state.setSetting(ACTIVE_PROFILE_SETTING, found.name);
    return found.name;
  }

  async ensureDefault(): Promise<void> {
    if (await this.profiles.find(DEFAULT_PROFILE)) return;
    try {
      await this.profiles.create(DEFAULT_PROFILE);
    } catch (error) {
      // Another process of the service made it at the same moment.
      if (!(error instanceof LivetallyError && error.code === 'profile_exists')) throw error;
    }
  }

  async resolve(name: string): Promise<string> {
    return (await this.profiles.resolve(name)).name;
  }

  /**
   * Every profile. A database keeps no size per profile worth its cost to measure, so
   * `sizeBytes` is 0; `modifiedAt` is when the profile was created.
   */
  async listProfiles(): Promise<ProfileListing[]> {
    const [list, active] = await Promise.all([this.profiles.list(), this.activeProfile()]);
    return list.map((p) => ({
      name: p.name,
      active: p.name.toLowerCase() === active.toLowerCase(),
      sizeBytes: 0,
      modifiedAt: new Date(p.createdAt).toISOString(),
      modifiedAtMs: p.createdAt,
    }));
  }

  async createProfile(name: string): Promise<string> {
    await this.ensureDefault();
    return (await this.profiles.create(name)).name;
  }

  async deleteProfile(name: string): Promise<void> {
    const found = await this.resolve(name);
    if (found.toLowerCase() === (await this.activeProfile()).toLowerCase()) {
      throw new LivetallyError(
        'profile_active',
        `"${found}" is the active profile; switch to another profile before deleting it`,
      );
    }
    await this.profiles.delete(found);
  }

  async openForWriting(name: string): Promise<WritableProfile> {
    if (name.toLowerCase() === DEFAULT_PROFILE) await this.ensureDefault();
    const store = await PgProfileStore.open(this.pool, name, { writeGuard: this.writeGuard });
    return {
      store,
      // Saves never block the main thread here (they go over the network): one writer
      // for both kinds, each save one transaction on the pool.
      writer: (_kind, events) => new PgProgressWriter(store, events),
    };
  }

  async openForReading(name: string): Promise<PgProfileStore | undefined> {
    const found = await this.profiles.find(name);
    if (!found) {
      if (name.toLowerCase() === DEFAULT_PROFILE) return undefined;
      await this.profiles.resolve(name); // the not-found error
    }
    return PgProfileStore.open(this.pool, found?.name ?? name, { readonly: true });
  }

  async readCurrent(name: string): Promise<SavedCurrent | null> {
    const store = await this.openForReading(name);
    if (!store) return null;
    try {
      return await store.loadCurrent();
    } finally {
      store.close();
    }
  }
}
