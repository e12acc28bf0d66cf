import { LivetallyError } from '../../domain/errors.js';
import { assertProfileName, isValidProfileName } from '../../profiles/profile-name.js';
import { type PgPool, pgFailure } from './pg-database.js';

/** A profile kept in the database. */
export interface PgProfile {
  id: number;
  name: string;
}

export interface PgProfileListing extends PgProfile {
  createdAt: number;
}

/** PostgreSQL's code for a broken unique constraint. */
const UNIQUE_VIOLATION = '23505';

/**
 * The profiles of a PostgreSQL database: the same names as profile files (same rules,
 * unique without regard to case), each a row of `profiles` that everything it holds points
 * at. Which profile is active is not kept here.
 */
export class PgProfiles {
  constructor(
    private readonly pool: PgPool,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a profile; refuses an invalid name or one taken in any case. */
  async create(name: string): Promise<PgProfile> {
    assertProfileName(name);
    try {
      const { rows } = await this.pool.query<PgProfile>(
        `INSERT INTO profiles (name, name_key, created_at) VALUES ($1, $2, $3)
         RETURNING id, name`,
        [name, name.toLowerCase(), Math.floor(this.now())],
      );
      return rows[0]!;
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
        const taken = (await this.find(name))?.name ?? name;
        throw new LivetallyError('profile_exists', `a profile named "${taken}" already exists`);
      }
      throw failure(error, 'creating a profile');
    }
  }

  /** Every profile, by name without regard to case (as the profile folder lists them). */
  async list(): Promise<PgProfileListing[]> {
    try {
      const { rows } = await this.pool.query<{ id: number; name: string; created_at: number }>(
        'SELECT id, name, created_at FROM profiles',
      );
      return rows
        .map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }))
        .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
    } catch (error) {
      throw failure(error, 'listing the profiles');
    }
  }

  /** The profile of that name in any case, or undefined (an invalid name finds nothing). */
  async find(name: string): Promise<PgProfile | undefined> {
    if (!isValidProfileName(name)) return undefined;
    try {
      const { rows } = await this.pool.query<PgProfile>(
        'SELECT id, name FROM profiles WHERE name_key = $1',
        [name.toLowerCase()],
      );
      return rows[0];
    } catch (error) {
      throw failure(error, 'finding a profile');
    }
  }

  /** The existing profile, or a `profile_not_found` error. */
  async resolve(name: string): Promise<PgProfile> {
    assertProfileName(name);
    const found = await this.find(name);
    if (!found)
      throw new LivetallyError('profile_not_found', `there is no profile named "${name}"`);
    return found;
  }

  /**
   * Deletes a profile and everything it holds (its stats, history and goals). Refusing the
   * active profile is the caller's rule, as for profile files.
   */
  async delete(name: string): Promise<void> {
    const found = await this.resolve(name);
    try {
      await this.pool.query('DELETE FROM profiles WHERE id = $1', [found.id]);
    } catch (error) {
      throw failure(error, 'deleting a profile');
    }
  }
}

function failure(error: unknown, doing: string): unknown {
  return pgFailure(error, doing) ?? error;
}
