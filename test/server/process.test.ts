import Database from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsResponse } from '../../src/shared/api-types.js';
import { cli, spawnCli } from '../helpers/cli.js';
import { generateRecording } from '../helpers/recordings.js';
import { waitFor } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawnCli(args, env);
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output, exited };
}

describe('livetally start as a real process', () => {
  it('serves, refuses a second writer, and on SIGTERM saves everything and exits 0', async () => {
    const data = tempDir();
    const replayDir = tempDir();
    const alice = generateRecording(
      replayDir,
      { seed: 61, durationSec: 600, streamer: 'alice' },
      'alice.ndjson',
    );
    const secret = 'sign-key-that-must-not-leak';
    const server = start(
      ['--data-dir', data, 'start', '--port', '0', '--replay-dir', replayDir, '--speed', '20'],
      { LIVETALLY_SIGN_API_KEY: secret },
    );
    const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\//.exec(server.output.stdout)?.[0]);
    expect(server.output.stdout).toContain('livetally is running');

    const connect = await fetch(`${url}api/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streamer: 'alice' }),
    });
    expect(connect.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const live = (await (await fetch(`${url}api/stats`)).json()) as StatsResponse;
    expect(live.connection.state).toBe('connected');
    expect(live.stats.likes).toBeGreaterThan(0);

    const second = cli(['--data-dir', data, 'start', '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`pid ${server.child.pid} \\("livetally start"`));

    const stoppedAt = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(server.output.stderr).toContain('stopped; all stats saved');
    expect(server.output.stderr + server.output.stdout).not.toContain(secret);
    expect(server.output.stderr).toContain('signApiKey=**** (env)');

    const db = new Database(path.join(data, 'user_configs', 'default.db'), { readonly: true });
    const saved = db.prepare('SELECT likes, total_coins FROM stream_stats').get() as {
      likes: number;
      total_coins: number;
    };
    const session = db.prepare('SELECT likes, end_reason FROM sessions').get() as {
      likes: number;
      end_reason: string;
    };
    db.close();
    expect(saved.likes).toBeGreaterThanOrEqual(live.stats.likes);
    expect(saved.likes).toBeLessThan(alice.truth.stats.likes);
    expect(session).toEqual({ likes: saved.likes, end_reason: 'stopped' });
  });

  it('says clearly when the port is taken', async () => {
    const first = start(['--data-dir', tempDir(), 'start', '--port', '0']);
    const url = await waitFor(
      () => /http:\/\/127\.0\.0\.1:(\d+)\//.exec(first.output.stdout) ?? undefined,
    );
    const taken = cli(['--data-dir', tempDir(), 'start', '--port', url[1]!]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`port ${url[1]} on 127.0.0.1 is already in use`);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
  });
});
