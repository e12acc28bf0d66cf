import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {
  ConnectionView,
  ProfilesResponse,
  StatsResponse,
  StatsView,
} from '../../src/shared/api-types.js';
import { claimHolders } from '../../src/storage/pg/pg-claims.js';
import { cleanUp, folder, quietRecording } from '../e2e/support/livetally.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { spawnCli } from '../helpers/cli.js';
import { eventually, type RunningServer } from '../helpers/process.js';
import { generateRecording } from '../helpers/recordings.js';

// Two real `livetally start --database URL` processes are one service: whichever process a
// call reaches, it acts on the desired state in the database and answers as one process
// would; the process that counts a LIVE is the claim loop's choice, not the caller's.

let url: string;
let replayDir: string;
let one: RunningServer;
let two: RunningServer;
let db: pg.Client;

const started: ChildProcess[] = [];

/**
 * A real `livetally start` that lives across this file's tests (the process helper's
 * servers end with each test): killed by `cleanUp` at the end if still running.
 */
async function startShared(args: string[], env: Record<string, string>): Promise<RunningServer> {
  const child = spawnCli(args, env);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  started.push(child);
  const url = await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`livetally exited:\n${output.stderr}`);
    const found = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output.stdout)?.[1];
    return found && output.stdout.includes('press Ctrl+C') ? found : undefined;
  });
  return { child, output, exited, url, token: undefined };
}

async function call<T>(
  server: RunningServer,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(new URL(route, server.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function wanted(): Promise<string[]> {
  const { rows } = await db.query<{ name: string; streamer: string }>(
    `SELECT p.name, w.streamer FROM wanted_connections w JOIN profiles p ON p.id = w.profile_id
      ORDER BY p.name`,
  );
  return rows.map((r) => `${r.name}:${r.streamer}`);
}

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'hosted_service');
  replayDir = folder();
  const args = ['--data-dir', folder(), 'start', '--port', '0', '--database', url];
  args.push('--replay-dir', replayDir, '--speed', '20');
  const env: Record<string, string> = process.env['HOSTED_DEBUG']
    ? { LIVETALLY_LOG_LEVEL: 'debug' }
    : {};
  [one, two] = await Promise.all([startShared(args, env), startShared(args, env)]);
  db = new pg.Client({ connectionString: url });
  await db.connect();
}, 60_000);

afterAll(async () => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (process.env['HOSTED_DEBUG']) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    console.log(
      one.child.exitCode,
      one.output.stderr,
      '\n----\n',
      two.child.exitCode,
      two.output.stderr,
    );
  }
  await db?.end();
  cleanUp();
});

describe('hosted mode: one service over two processes', () => {
  it('a connect that cannot start is refused as in one process, wherever it was claimed; a second connect is 409', async () => {
    await call(one, 'POST', '/api/profiles', { name: 'refused' });
    const missing = await call<{ error: { code: string } }>(
      two,
      'POST',
      '/api/profiles/refused/connection',
      { streamer: 'nobody_recorded' },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('unknown_streamer');
    expect(await wanted()).toEqual([]);

    quietRecording(replayDir, 'quiet_one', 501, 10);
    const first = await call<ConnectionView>(one, 'POST', '/api/profiles/refused/connection', {
      streamer: 'quiet_one',
    });
    expect(first.status).toBe(200);
    expect(first.body.state).toBe('connected');
    const again = await call<{ error: { code: string; message: string } }>(
      two,
      'POST',
      '/api/profiles/refused/connection',
      { streamer: 'quiet_one' },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_connected');
    // Disconnected through the other process: the owner stops, nobody holds it, not wanted.
    const ids = await db.query<{ id: string }>(
      "SELECT id::text FROM profiles WHERE name = 'refused'",
    );
    const id = Number(ids.rows[0]!.id);
    for (const server of [two, one]) {
      const off = await call<ConnectionView>(server, 'DELETE', '/api/profiles/refused/connection');
      if (off.status === 409) continue; // already off through the other one
      expect(off.status).toBe(200);
      expect(off.body.state).toBe('disconnected');
    }
    expect(await wanted()).toEqual([]);
    await eventually(async () =>
      (await claimHolders(db)).some((h) => h.profileId === id) ? undefined : true,
    );
    const stats = await call<StatsResponse>(two, 'GET', '/api/profiles/refused/stats');
    expect(stats.body.connection.state).toBe('disconnected');
    const notConnected = await call<{ error: { code: string } }>(
      one,
      'DELETE',
      '/api/profiles/refused/connection',
    );
    expect(notConnected.status).toBe(409);
    expect(notConnected.body.error.code).toBe('not_connected');
  }, 60_000);

  it('a LIVE that ends by itself is no longer wanted, and its totals are saved', async () => {
    const { truth } = generateRecording(
      replayDir,
      {
        seed: 601,
        durationSec: 20,
        streamer: 'short_live',
        streamerId: '7100000000000000601',
        roomId: '7400000000000000601',
        endStream: true,
      },
      'short_live.ndjson',
    );
    await call(two, 'POST', '/api/profiles', { name: 'shorty' });
    await call(one, 'POST', '/api/profiles/shorty/connection', { streamer: 'short_live' });
    await eventually(
      async () => ((await wanted()).includes('shorty:short_live') ? undefined : true),
      30_000,
    );
    const saved = await eventually(async () => {
      const now = await call<StatsResponse>(one, 'GET', '/api/profiles/shorty/stats');
      return now.body.connection.state === 'disconnected' && now.body.saved ? now.body : undefined;
    });
    expect(saved.saved!.stats).toEqual(truth.stats);
    expect(await claimHolders(db)).toEqual([]);
  }, 60_000);

  it('the active profile: counted wherever it is claimed, shown on every process, switched for all', async () => {
    const truth = quietRecording(replayDir, 'active_live', 701, 20);
    // A page on process two follows the active profile (the default namespace).
    const socket = io(two.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    const pushes: StatsView[] = [];
    socket.on('stats', (view: StatsView) => pushes.push(view));
    try {
      const connected = await call<ConnectionView>(one, 'POST', '/api/connection', {
        streamer: 'active_live',
      });
      expect(connected.status).toBe(200);
      expect(await wanted()).toContain('default:active_live');
      await eventually(async () => {
        const [a, b] = await Promise.all([
          call<StatsResponse>(one, 'GET', '/api/stats'),
          call<StatsResponse>(two, 'GET', '/api/stats'),
        ]);
        const done = (r: { body: StatsResponse }) =>
          JSON.stringify(r.body.stats) === JSON.stringify(truth.stats);
        return done(a) && done(b) ? true : undefined;
      }, 30_000);
      await eventually(async () =>
        JSON.stringify(pushes.at(-1)?.stats) === JSON.stringify(truth.stats) ? true : undefined,
      );
      expect(pushes.at(-1)!.connection.state).toBe('connected');

      // A reset reaches the process that counts it, whichever process is asked.
      for (const server of [one, two]) {
        const reset = await call<{ error?: unknown }>(
          server,
          'POST',
          '/api/profiles/default/stats/reset',
        );
        expect(reset.status, JSON.stringify(reset.body)).toBe(200);
      }
      await eventually(async () => {
        const [a, b] = await Promise.all([
          call<StatsResponse>(one, 'GET', '/api/stats'),
          call<StatsResponse>(two, 'GET', '/api/stats'),
        ]);
        return a.body.stats.likes === 0 && b.body.stats.likes === 0 ? true : undefined;
      });
      expect(await wanted()).toContain('default:active_live');

      // A goal made on one process is the goal on every process (and its pages).
      const goal = await call<{ id: string }>(one, 'POST', '/api/goals', {
        metric: 'likes',
        target: 1000,
        label: 'hosted goal',
      });
      expect(goal.status).toBe(201);
      const goalsPushed: { goals: { label: string }[] }[] = [];
      socket.on('goals', (push: { goals: { label: string }[] }) => goalsPushed.push(push));
      await eventually(async () => {
        const listed = await call<{ goals: { label: string }[] }>(two, 'GET', '/api/goals');
        return listed.body.goals.some((g) => g.label === 'hosted goal') ? true : undefined;
      });
      await eventually(async () =>
        goalsPushed.some((p) => p.goals.some((g) => g.label === 'hosted goal')) ? true : undefined,
      );

      // Switching the active profile on one process switches it on the other; nothing stops.
      await call(two, 'POST', '/api/profiles', { name: 'other' });
      const switched = await call(one, 'POST', '/api/profiles/other/activate');
      expect(switched.status).toBe(200);
      await eventually(async () => {
        const listed = await call<ProfilesResponse>(two, 'GET', '/api/profiles');
        return listed.body.active === 'other' ? true : undefined;
      });
      expect(await wanted()).toContain('default:active_live');
      const still = await call<StatsResponse>(two, 'GET', '/api/profiles/default/stats');
      expect(still.body.connection.state).toBe('connected');
      // A profile that counts cannot be deleted until it is disconnected.
      const refused = await call<{ error: { code: string } }>(
        one,
        'DELETE',
        '/api/profiles/default',
      );
      expect(refused.status).toBe(409);
    } finally {
      socket.close();
    }
  }, 60_000);

  it('a clean stop hands its LIVEs to the process left, at once', async () => {
    const before = await claimHolders(db);
    expect(before.length).toBeGreaterThan(0);
    one.child.kill('SIGTERM');
    expect(await one.exited).toBe(0);
    const stoppedAt = Date.now();
    const pidOfTwo = await db.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1',
      [`livetally claims %:${two.child.pid}:%`],
    );
    await eventually(async () => {
      const now = await claimHolders(db);
      return now.length === before.length &&
        now.every((h) => h.backendPid === pidOfTwo.rows[0]!.pid)
        ? true
        : undefined;
    }, 10_000);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000 + 1_000);
    two.child.kill('SIGINT');
    expect(await two.exited).toBe(0);
  }, 60_000);
});
