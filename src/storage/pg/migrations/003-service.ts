import type { Migration } from '../../migrations/migration.js';

/**
 * What several `livetally start --database URL` processes share to be one service
 * (DESIGN "Several LIVEs at once, and a hosted mode").
 *
 * - `settings`: values every process must agree on, e.g. the active profile
 *   (key `active_profile`), which a single process keeps in a file beside its profiles.
 * - `wanted_connections`: the desired state — which profile watches which streamer. HTTP
 *   calls on any process write it; the process that holds a profile's claim acts on it.
 *   A clean stop leaves the rows (another process takes the LIVEs over); a disconnect
 *   removes its row.
 * - `claims`: who counts what, for people and tests to look at. It is informational only:
 *   the truth is the session-level advisory lock the owner holds on its claims connection
 *   (`pg_locks`), which PostgreSQL releases when that connection dies. A row can outlive
 *   its owner; readers join it with `pg_locks` (or ignore stale rows).
 */
export const service: Migration = {
  version: 3,
  name: 'service',
  sql: `
CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE wanted_connections (
  profile_id bigint PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
  streamer text NOT NULL,
  wanted_at bigint NOT NULL
);

CREATE TABLE claims (
  profile_id bigint PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
  process_id text NOT NULL,
  pid integer NOT NULL,
  host text NOT NULL,
  backend_pid integer NOT NULL,
  since bigint NOT NULL
);
`,
};
