import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PgBus, notify, type BusChannel } from '../../src/storage/pg/pg-bus.js';
import {
  PgClaims,
  assertNoOtherClaim,
  claimHolders,
  newClaimsOwner,
} from '../../src/storage/pg/pg-claims.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';

let url: string;
let admin: pg.Client;

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'claims');
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // The claims table's own rows are informational; these tests are about the locks, so a
  // table of the same shape without the profiles it refers to is enough.
  await admin.query(`CREATE TABLE claims (profile_id bigint PRIMARY KEY, process_id text NOT NULL,
    pid integer NOT NULL, host text NOT NULL, backend_pid integer NOT NULL, since bigint NOT NULL)`);
});

afterAll(async () => {
  await admin?.end();
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('claims with advisory locks', () => {
  it('one holder per profile; a release or a dead connection frees it for the other', async () => {
    const a = await PgClaims.connect(url, newClaimsOwner());
    const b = await PgClaims.connect(url, newClaimsOwner());
    try {
      expect(await a.tryClaim(1)).toBe(true);
      expect(await a.tryClaim(1)).toBe(true); // already held: still one lock
      expect(await b.tryClaim(1)).toBe(false);
      expect(await b.tryClaim(2)).toBe(true);
      expect(await a.tryClaim(2)).toBe(false);

      let holders = await claimHolders(admin);
      expect(holders.map((h) => [h.profileId, h.backendPid]).sort()).toEqual(
        [
          [1, a.backendPid],
          [2, b.backendPid],
        ].sort(),
      );
      expect(holders.find((h) => h.profileId === 1)!.applicationName).toBe(
        `livetally claims ${a.owner.processId}`.slice(0, 63),
      );
      const rows = await admin.query<{ profile_id: string; backend_pid: number }>(
        'SELECT profile_id, backend_pid FROM claims ORDER BY profile_id',
      );
      expect(await a.processCount()).toBe(2);
      expect(rows.rows.map((r) => [Number(r.profile_id), r.backend_pid])).toEqual([
        [1, a.backendPid],
        [2, b.backendPid],
      ]);

      // A release (taken once, released once) frees it.
      await a.release(1);
      expect(a.holds(1)).toBe(false);
      expect(await b.tryClaim(1)).toBe(true);
      expect(await a.tryClaim(1)).toBe(false);

      // The holder's session dies (as with SIGKILL: the server ends the backend): every claim
      // goes with it, the holder hears it lost them, and the other takes them at once.
      const lost = new Promise<Error>((resolve) => b.once('lost', resolve));
      await admin.query('SELECT pg_terminate_backend($1)', [b.backendPid]);
      expect((await lost).message).toBeTruthy();
      expect(b.isOpen).toBe(false);
      expect(b.profiles.size).toBe(0);
      await until(async () => (await claimHolders(admin)).every((h) => h.profileId !== 2));
      expect(await a.tryClaim(1)).toBe(true);
      expect(await a.tryClaim(2)).toBe(true);
      holders = await claimHolders(admin);
      expect(holders.every((h) => h.backendPid === a.backendPid)).toBe(true);
      expect(holders).toHaveLength(2);
    } finally {
      await a.close();
      await b.close();
    }
    expect(await claimHolders(admin)).toEqual([]);
  });

  it('a process killed outright loses its claims with its connection', async () => {
    const { spawn } = await import('node:child_process');
    // A separate Node process takes the claim on its own connection, then is SIGKILLed.
    const script = `
      const pg = require('pg');
      const c = new pg.Client({ connectionString: process.argv[1] });
      c.connect().then(() => c.query('SELECT pg_try_advisory_lock(${0x4c54}, 7) AS ok'))
        .then((r) => { console.log(r.rows[0].ok ? 'held' : 'refused'); });
    `;
    const child = spawn(process.execPath, ['-e', script, url], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const said = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );
    expect(said).toBe('held');
    const a = await PgClaims.connect(url, newClaimsOwner());
    try {
      expect(await a.tryClaim(7)).toBe(false);
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await until(() => a.tryClaim(7));
      expect(Date.now() - killedAt).toBeLessThan(5_000);
    } finally {
      await a.close();
    }
  });
});

describe('fencing', () => {
  it('a write is refused when another process holds the profile, allowed to its holder or when nobody does', async () => {
    const a = await PgClaims.connect(url, newClaimsOwner());
    const b = await PgClaims.connect(url, newClaimsOwner());
    try {
      await assertNoOtherClaim(admin, 11, undefined); // nobody holds it
      expect(await a.tryClaim(11)).toBe(true);
      await assertNoOtherClaim(admin, 11, a.backendPid);
      await assertNoOtherClaim(admin, 12, b.backendPid);
      await expect(assertNoOtherClaim(admin, 11, b.backendPid)).rejects.toMatchObject({
        code: 'claim_lost',
      });
      await expect(assertNoOtherClaim(admin, 11, undefined)).rejects.toMatchObject({
        code: 'claim_lost',
      });
      // a's connection dies and b takes over: a's writes are refused from then on.
      await admin.query('SELECT pg_terminate_backend($1)', [a.backendPid]);
      await until(() => b.tryClaim(11));
      await expect(assertNoOtherClaim(admin, 11, a.backendPid)).rejects.toMatchObject({
        code: 'claim_lost',
      });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('the bus (LISTEN/NOTIFY)', () => {
  it('every listener hears every message; a listener whose connection dies comes back', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const one = await PgBus.listen(url, 'livetally test one');
    const two = await PgBus.listen(url, 'livetally test two');
    try {
      const heard: [string, BusChannel, string][] = [];
      one.on('message', (c, p) => heard.push(['one', c, p]));
      two.on('message', (c, p) => heard.push(['two', c, p]));
      await notify(pool, 'livetally_push', '{"x":1}');
      await notify(pool, 'livetally_wanted', '3');
      await until(async () => heard.length === 4);
      expect(heard.filter((h) => h[0] === 'two').map((h) => h.slice(1))).toEqual([
        ['livetally_push', '{"x":1}'],
        ['livetally_wanted', '3'],
      ]);
      await expect(notify(pool, 'livetally_push', 'x'.repeat(8000))).rejects.toThrow(/limit/);

      const back = new Promise<void>((resolve) => two.once('reconnected', resolve));
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'livetally test two'",
      );
      await back;
      heard.length = 0;
      await notify(pool, 'livetally_settings', 'active_profile');
      await until(async () => heard.length === 2);
    } finally {
      await one.close();
      await two.close();
      await pool.end();
    }
  });
});
