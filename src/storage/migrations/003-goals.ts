import type { Migration } from './migration.js';

/**
 * Goals of the profile (DESIGN.md "Goals"). Only the definition is kept: where a goal
 * stands follows from the current stats, so it starts again with them. Ids are random
 * strings, so that a goal's overlay never finds a goal of another profile by chance.
 */
export const goals: Migration = {
  version: 3,
  name: 'goals',
  sql: `
    CREATE TABLE goals (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      metric TEXT NOT NULL
        CHECK (metric IN ('likes', 'totalCoins', 'followers', 'shares', 'gifts')),
      label TEXT NOT NULL DEFAULT '',
      target INTEGER NOT NULL CHECK (target >= 1),
      on_reach TEXT NOT NULL DEFAULT 'stay' CHECK (on_reach IN ('stay', 'add', 'double')),
      step INTEGER CHECK (step IS NULL OR step >= 1),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `,
};
