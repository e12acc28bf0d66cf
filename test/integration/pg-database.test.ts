import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { LivetallyError } from '../../src/domain/errors.js';
import { migratePg, openPgPool, type PgPool } from '../../src/storage/pg/pg-database.js';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from '../../src/storage/pg/migrations/index.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';

const pools: PgPool[] = [];

async function freshPool(label: string): Promise<PgPool> {
  const pool = openPgPool(await freshDatabase(inject('pgUrl'), label), { max: 4 });
  pools.push(pool);
  return pool;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

async function tables(pool: PgPool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe('migratePg', () => {
  it('sets up a fresh database, and the second time finds nothing to do', async () => {
    const pool = await freshPool('migrate_twice');
    expect(await migratePg(pool, () => 1234)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    const after = await tables(pool);
    expect(after).toEqual(
      expect.arrayContaining([
        'profiles',
        'schema_migrations',
        'stream_stats',
        'sessions',
        'session_viewers',
        'session_samples',
        'room_followers',
        'room_message_ids',
        'room_gift_streaks',
        'goals',
        'rooms',
        'room_message_keys',
      ]),
    );
    expect(await migratePg(pool)).toEqual([]);
    expect(await tables(pool)).toEqual(after);
    const { rows } = await pool.query(
      'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual(
      PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 1234 })),
    );
  });

  it('keeps every SQLite column of sessions, with profile_id first', async () => {
    const pool = await freshPool('migrate_columns');
    await migratePg(pool);
    const { rows } = await pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_name = 'sessions' ORDER BY ordinal_position`,
    );
    expect(rows.map((r) => r.column_name)).toEqual([
      'profile_id',
      'id',
      'streamer',
      'streamer_id',
      'room_id',
      'started_at',
      'ended_at',
      'end_reason',
      'viewers',
      'likes',
      'total_coins',
      'followers',
      'shares',
      'gifts',
      'peak_viewers',
      'updated_at',
      'last_at',
      'folded',
      'gifters',
    ]);
  });

  it('lets several processes start at once: one migrates, the others wait and find it done', async () => {
    const pool = await freshPool('migrate_concurrent');
    const others = [
      openPgPool(pool.options.connectionString!),
      openPgPool(pool.options.connectionString!),
    ];
    pools.push(...others);
    const results = await Promise.all([migratePg(pool), ...others.map((p) => migratePg(p))]);
    expect(results.flat().sort()).toEqual(PG_MIGRATIONS.map((m) => m.version));
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    const { rows } = await pool.query('SELECT count(*) AS n FROM schema_migrations');
    expect(rows[0]).toEqual({ n: PG_SCHEMA_VERSION });
  });

  it('refuses a database set up by a newer livetally, and changes nothing in it', async () => {
    const pool = await freshPool('migrate_too_new');
    await migratePg(pool);
    const newer = PG_SCHEMA_VERSION + 1;
    await pool.query(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', 0)",
      [newer],
    );
    await pool.query('DROP TABLE room_message_keys');
    const error = await migratePg(pool).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LivetallyError);
    expect(error).toMatchObject({ code: 'database_too_new' });
    expect((error as Error).message).toContain(`schema ${newer}`);
    expect(await tables(pool)).not.toContain('room_message_keys');
  });

  it('says the database cannot be reached, with a code, instead of a stack', async () => {
    const pool = openPgPool('postgres://postgres@127.0.0.1:1/nothing');
    pools.push(pool);
    await expect(migratePg(pool)).rejects.toMatchObject({ code: 'database_unreachable' });
  });

  it('reads bigint columns as numbers in its own pool only', async () => {
    const pool = await freshPool('migrate_types');
    const { rows } = await pool.query(
      'SELECT 9007199254740991::bigint AS a, sum(x) AS b FROM (VALUES (1::bigint), (2::bigint)) v(x)',
    );
    expect(rows[0]).toEqual({ a: Number.MAX_SAFE_INTEGER, b: 3 });
    const { default: pg } = await import('pg');
    const plain = new pg.Pool({ connectionString: pool.options.connectionString });
    try {
      const other = await plain.query('SELECT 5::bigint AS a');
      expect(other.rows[0]).toEqual({ a: '5' });
    } finally {
      await plain.end();
    }
  });
});

describe('PgProfiles', () => {
  let pool: PgPool;
  let profiles: PgProfiles;

  beforeAll(async () => {
    pool = await freshPool('profiles');
    await migratePg(pool);
    profiles = new PgProfiles(pool, () => 42);
  });

  it('creates, finds without regard to case, lists and deletes', async () => {
    const alice = await profiles.create('Alice');
    expect(alice).toEqual({ id: expect.any(Number), name: 'Alice' });
    const bob = await profiles.create('bob.2');
    expect(bob.id).not.toBe(alice.id);
    expect(await profiles.find('alice')).toEqual(alice);
    expect(await profiles.find('ALICE')).toEqual(alice);
    expect(await profiles.find('carol')).toBeUndefined();
    expect(await profiles.find('../etc')).toBeUndefined();
    expect(await profiles.list()).toEqual([
      { ...alice, createdAt: 42 },
      { ...bob, createdAt: 42 },
    ]);
    await profiles.delete('BOB.2');
    expect(await profiles.find('bob.2')).toBeUndefined();
    expect((await profiles.list()).map((p) => p.name)).toEqual(['Alice']);
    await expect(profiles.delete('bob.2')).rejects.toMatchObject({ code: 'profile_not_found' });
  });

  it('refuses a name taken in another case, saying which one', async () => {
    await profiles.create('Dana');
    const error = await profiles.create('dANA').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'profile_exists' });
    expect((error as Error).message).toContain('"Dana"');
    expect((await profiles.list()).filter((p) => p.name.toLowerCase() === 'dana')).toHaveLength(1);
  });

  it('refuses invalid names with the profile-name rules', async () => {
    for (const bad of ['', '.hidden', '-x', 'a/b', 'x'.repeat(65), 'sp ace']) {
      await expect(profiles.create(bad)).rejects.toMatchObject({ code: 'invalid_profile_name' });
    }
  });

  it('deleting a profile deletes what it holds', async () => {
    const erin = await profiles.create('erin');
    await pool.query(
      `INSERT INTO sessions (profile_id, streamer, room_id, started_at, updated_at)
       VALUES ($1, 's', 'r', 1, 1)`,
      [erin.id],
    );
    await pool.query(`INSERT INTO stream_stats (profile_id, viewers) VALUES ($1, 3)`, [erin.id]);
    await profiles.delete('erin');
    const { rows } = await pool.query(
      'SELECT (SELECT count(*) FROM sessions WHERE profile_id = $1) + (SELECT count(*) FROM stream_stats WHERE profile_id = $1) AS n',
      [erin.id],
    );
    expect(rows[0]).toEqual({ n: 0 });
  });
});
