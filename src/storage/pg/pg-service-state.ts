import type pg from 'pg';
import { notify } from './pg-bus.js';

/** One row of the desired state: this profile watches this streamer. */
export interface WantedConnection {
  profileId: number;
  /** The profile's name as created. */
  profile: string;
  streamer: string;
  wantedAt: number;
}

interface WantedRow {
  profile_id: string | number;
  name: string;
  streamer: string;
  wanted_at: string | number;
}

/** The key of the active profile's name in `settings`. */
export const ACTIVE_PROFILE_SETTING = 'active_profile';

/**
 * What the processes of one service share besides the profiles: the desired connections
 * and the settings (see migration 003-service). Every change is announced on the bus so
 * the other processes act at once instead of at their next look.
 */
export class PgServiceState {
  constructor(private readonly pool: pg.Pool) {}

  /** Every wanted connection, oldest first (the order claims are tried in). */
  async wanted(): Promise<WantedConnection[]> {
    const { rows } = await this.pool.query<WantedRow>(
      `SELECT w.profile_id, p.name, w.streamer, w.wanted_at
         FROM wanted_connections w JOIN profiles p ON p.id = w.profile_id
        ORDER BY w.wanted_at, w.profile_id`,
    );
    return rows.map(wantedFromRow);
  }

  async wantedFor(profileId: number): Promise<WantedConnection | null> {
    const { rows } = await this.pool.query<WantedRow>(
      `SELECT w.profile_id, p.name, w.streamer, w.wanted_at
         FROM wanted_connections w JOIN profiles p ON p.id = w.profile_id
        WHERE w.profile_id = $1`,
      [profileId],
    );
    return rows[0] ? wantedFromRow(rows[0]) : null;
  }

  /**
   * The profile is to watch `streamer`. Returns the row now wanted: this one, or the one
   * that was there already (whom the profile already watches: nothing is replaced).
   */
  async want(profileId: number, streamer: string, now = Date.now()): Promise<WantedConnection> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO wanted_connections (profile_id, streamer, wanted_at) VALUES ($1, $2, $3)
       ON CONFLICT (profile_id) DO NOTHING`,
      [profileId, streamer, now],
    );
    if ((rowCount ?? 0) > 0) await notify(this.pool, 'livetally_wanted', String(profileId));
    const row = await this.wantedFor(profileId);
    // Deleted between the two statements: what was asked is what is wanted (or was).
    return row ?? { profileId, profile: '', streamer, wantedAt: now };
  }

  /**
   * Removes the row only if it is still the one given (same streamer, same time): a
   * connection that ended by itself must not undo a connect made meanwhile.
   */
  async unwantIf(wanted: WantedConnection): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM wanted_connections WHERE profile_id = $1 AND streamer = $2 AND wanted_at = $3',
      [wanted.profileId, wanted.streamer, wanted.wantedAt],
    );
    if ((rowCount ?? 0) > 0) await notify(this.pool, 'livetally_wanted', String(wanted.profileId));
    return (rowCount ?? 0) > 0;
  }

  /** The profile is to watch nobody; false when it was not to watch anyone. */
  async unwant(profileId: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM wanted_connections WHERE profile_id = $1',
      [profileId],
    );
    await notify(this.pool, 'livetally_wanted', String(profileId));
    return (rowCount ?? 0) > 0;
  }

  /** Asks every process to look at the desired state now (e.g. claims were released). */
  async poke(): Promise<void> {
    await notify(this.pool, 'livetally_wanted', '');
  }

  async setting(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM settings WHERE key = $1',
      [key],
    );
    return rows[0]?.value ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, value],
    );
    await notify(this.pool, 'livetally_settings', key);
  }
}

function wantedFromRow(row: WantedRow): WantedConnection {
  return {
    profileId: Number(row.profile_id),
    profile: row.name,
    streamer: row.streamer,
    wantedAt: Number(row.wanted_at),
  };
}
