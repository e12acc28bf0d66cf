import type { Migration } from '../../migrations/migration.js';
import { core } from './001-core.js';
import { history } from './002-history.js';
import { service } from './003-service.js';

/**
 * Every PostgreSQL schema change, in order, under the same rules as SQLite's (append only,
 * never edit a shipped one, consecutive versions). `schema_migrations` records which ran.
 */
// One entry per line (prettier-ignore), so that each migration's owner adds a line of its own.
// prettier-ignore
export const PG_MIGRATIONS: readonly Migration[] = [
  core,
  history,
  service,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

export type { Migration };
