import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { startServer } from '../helpers/process.js';
import { tempDir } from '../helpers/temp-dir.js';

// `livetally start --database URL` (or LIVETALLY_DATABASE_URL): the mistakes are one clear
// line and the exit code of the other mistakes, before anything is created; the URL's
// password never shows; a good URL starts a server with every profile in the database.

describe('start --database', () => {
  it('an unreachable database: one line naming it with its password masked, exit 1, nothing created', () => {
    const data = path.join(tempDir(), 'data');
    const url = 'postgres://streamer:s3cret-pw@127.0.0.1:1/livetally';
    const result = cli(['--data-dir', data, 'start', '--port', '0', '--database', url]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^livetally: cannot use the database postgres:\/\/streamer:\*\*\*\*@127\.0\.0\.1:1\/livetally \(.*ECONNREFUSED.*\); check that PostgreSQL is running there/,
    );
    expect(result.stderr + result.stdout).not.toContain('s3cret');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.existsSync(path.join(data, 'user_configs'))).toBe(false);
  });

  it('the same from LIVETALLY_DATABASE_URL', () => {
    const data = path.join(tempDir(), 'data');
    const result = cli(['--data-dir', data, 'start', '--port', '0'], {
      LIVETALLY_DATABASE_URL: 'postgresql://u:pw-from-env@127.0.0.1:1/x',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('postgresql://u:****@127.0.0.1:1/x');
    expect(result.stderr).not.toContain('pw-from-env');
  });

  it('a URL that is not PostgreSQL, or --no-resume with it: usage errors (exit 2)', () => {
    const data = path.join(tempDir(), 'data');
    const notPg = cli(['--data-dir', data, 'start', '--database', 'mysql://u:pw@h/db']);
    expect(notPg.code).toBe(2);
    expect(notPg.stderr.trim()).toBe(
      'livetally: --database mysql://u:****@h/db is not a PostgreSQL URL: give a PostgreSQL URL such as postgres://livetally:PASSWORD@127.0.0.1:5432/livetally',
    );
    const garbage = cli(['--data-dir', data, 'start', '--database', 'not a url']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/^livetally: --database is not a URL/);
    const noResume = cli([
      '--data-dir',
      data,
      'start',
      '--no-resume',
      '--database',
      'postgres://u@127.0.0.1:1/x',
    ]);
    expect(noResume.code).toBe(2);
    expect(noResume.stderr).toMatch(/^livetally: --no-resume is for profiles kept in files/);
    expect(fs.existsSync(data)).toBe(false);
  });

  it('a reachable database: the schema is made, profiles live there, the password is masked in the log', async () => {
    const url = new URL(await freshDatabase(inject('pgUrl'), 'hosted_start'));
    // The test cluster trusts every login: a password in the URL is accepted and ignored.
    url.password = 'hunter2-secret';
    const data = tempDir();
    const server = await startServer(
      ['--data-dir', data, 'start', '--port', '0', '--database', url.toString()],
      { LIVETALLY_LOG_LEVEL: 'info' },
    );
    try {
      expect(server.output.stderr).toContain(
        `database=${url.toString().replace('hunter2-secret', '****')} (flag)`,
      );
      const created = await fetch(`${server.url}api/profiles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'second' }),
      });
      expect(created.status).toBe(201);
      const db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      try {
        const { rows } = await db.query<{ name: string }>(
          'SELECT name FROM profiles ORDER BY name',
        );
        expect(rows.map((r) => r.name)).toEqual(['default', 'second']);
        const versions = await db.query<{ version: number }>(
          'SELECT version FROM schema_migrations ORDER BY version',
        );
        expect(versions.rows.map((r) => r.version)).toEqual([1, 2, 3]);
      } finally {
        await db.end();
      }
      // No profile file in the data dir: it only holds what is not a profile.
      expect(fs.existsSync(path.join(data, 'user_configs', 'default.db'))).toBe(false);
    } finally {
      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
    }
    expect(server.output.stdout + server.output.stderr).not.toContain('hunter2-secret');
  });
});
