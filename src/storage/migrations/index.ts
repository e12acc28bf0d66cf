import { streamStats } from './001-stream-stats.js';
import { sessions } from './002-sessions.js';
import { goals } from './003-goals.js';
import { exactNumbers } from './004-exact-numbers.js';
import { history } from './005-history.js';
import type { Migration } from './migration.js';

/**
 * Every schema change, in order. Rules: append only; never edit a migration that has
 * shipped; versions are consecutive from 1; a migration only adds (tables, columns,
 * indexes, rows) so older history stays readable.
 */
export const MIGRATIONS: readonly Migration[] = [
  streamStats,
  sessions,
  goals,
  exactNumbers,
  history,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export type { Migration };
