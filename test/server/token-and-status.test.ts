import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { snapshot } from '../helpers/dir-snapshot.js';
import { getStats, send, startServer } from '../helpers/process.js';
import { generateRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';

const status = async (url: string, token?: string) =>
  (await fetch(`${url}api/stats`, { headers: token ? { 'x-livetally-token': token } : {} })).status;

interface TokenJson {
  token: string;
  file: string;
  created: boolean;
  rotated: boolean;
  server: { pid: number; tokenSource: string | null } | null;
  restartNeeded: boolean;
}

describe('a stable access token off loopback', () => {
  it('is made once, kept owner-only in the data dir, and printed in the URL at every start', async () => {
    const data = tempDir();
    const args = ['--data-dir', data, 'start', '--host', '0.0.0.0', '--port', '0'];
    const first = await startServer(args);
    const token = first.token!;
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(first.output.stdout).toContain(`access token (required off loopback): ${token}`);
    const file = path.join(data, 'access-token');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(token);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await status(first.url)).toBe(401);
    expect(await status(first.url, token)).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // The second start: the same token, so OBS URLs keep working.
    const second = await startServer(args);
    expect(second.token).toBe(token);
    expect(await status(second.url, token)).toBe(200);
    const shown = JSON.parse(cli(['--data-dir', data, 'token', '--json']).stdout) as TokenJson;
    expect(shown).toMatchObject({ token, created: false, rotated: false, restartNeeded: false });
    expect(shown.server).toMatchObject({ pid: second.child.pid, tokenSource: 'file' });

    // Rotating while it runs: the running server keeps the old token until it restarts.
    const rotated = cli(['--data-dir', data, 'token', '--rotate']);
    expect(rotated.code).toBe(0);
    const fresh = /new access token: (\S+)/.exec(rotated.stdout)![1]!;
    expect(fresh).not.toBe(token);
    expect(rotated.stdout).toContain(
      `the running livetally (pid ${second.child.pid}) keeps the old token until it restarts`,
    );
    expect(await status(second.url, token)).toBe(200);
    expect(await status(second.url, fresh)).toBe(401);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const third = await startServer(args);
    expect(third.token).toBe(fresh);
    expect(await status(third.url, token)).toBe(401);
    third.child.kill('SIGTERM');
    await third.exited;

    // --token and LIVETALLY_TOKEN still win, and leave the kept one alone.
    const given = 'a-token-given-for-this-run';
    const fourth = await startServer([...args, '--token', given]);
    expect(fourth.token).toBe(given);
    expect(fourth.output.stdout).not.toContain('access token (required off loopback)');
    fourth.child.kill('SIGTERM');
    await fourth.exited;
    const fifth = await startServer(args, { LIVETALLY_TOKEN: 'another-one-from-the-env' });
    expect(fifth.token).toBe('another-one-from-the-env');
    fifth.child.kill('SIGTERM');
    await fifth.exited;
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(fresh);
  }, 120_000);

  it('refuses a kept token shorter than 16 characters, writing nothing', () => {
    const data = tempDir();
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(path.join(data, 'access-token'), 'short\n', { mode: 0o600 });
    const before = snapshot(data);
    const result = cli(['--data-dir', data, 'start', '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `livetally: the access token in ${path.join(data, 'access-token')} is too short (5 characters; at least 16 are needed): run \`livetally token --rotate\` to make a new one`,
    );
    expect(snapshot(data)).toEqual(before);
    expect(cli(['--data-dir', data, 'token']).code).toBe(1);
    expect(cli(['--data-dir', data, 'token', '--rotate']).code).toBe(0);
    expect(fs.readFileSync(path.join(data, 'access-token'), 'utf8').trim()).toHaveLength(24);
  });

  it('is neither made nor asked for on loopback', async () => {
    const data = tempDir();
    const server = await startServer(['--data-dir', data, 'start', '--port', '0']);
    expect(server.token).toBeUndefined();
    expect(await status(server.url)).toBe(200);
    server.child.kill('SIGTERM');
    await server.exited;
    expect(fs.existsSync(path.join(data, 'access-token'))).toBe(false);
  });
});

describe('livetally status', () => {
  it('with no server: says so, exit 1, and creates nothing (not even the data dir)', () => {
    const data = path.join(tempDir(), 'not-yet');
    const human = cli(['--data-dir', data, 'status']);
    expect(human).toMatchObject({ code: 1, stderr: '' });
    expect(human.stdout.trim()).toBe(`no livetally server is running on ${data}`);
    const json = cli(['--data-dir', data, 'status', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      running: false,
      starting: false,
      dataDir: data,
      writer: null,
    });
    expect(fs.existsSync(data)).toBe(false);
  });

  it('beside a running server: pid, address, profile, connection — read-only', async () => {
    const data = tempDir();
    const replayDir = tempDir();
    generateRecording(replayDir, { seed: 5, durationSec: 600, streamer: 'alice' }, 'alice.ndjson');
    const server = await startServer([
      '--data-dir',
      data,
      'start',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--replay-dir',
      replayDir,
      '--speed',
      '1',
    ]);
    const url = new URL(server.url);

    // Idle: the data dir is exactly as it was after status ran.
    const before = snapshot(data);
    const idle = cli(['--data-dir', data, 'status', '--json']);
    expect(snapshot(data)).toEqual(before);
    expect(idle.code).toBe(0);
    expect(JSON.parse(idle.stdout)).toMatchObject({
      running: true,
      dataDir: data,
      pid: server.child.pid,
      url: server.url,
      port: Number(url.port),
      profile: 'default',
      connection: { state: 'disconnected' },
      problem: null,
    });

    const token = server.token!;
    const connect = await fetch(`${server.url}api/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ streamer: 'alice' }),
    });
    expect(connect.status).toBe(200);
    const human = cli(['--data-dir', data, 'status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`livetally is running on ${data} (pid ${server.child.pid})`);
    expect(human.stdout).toContain(`dashboard   ${server.url}`);
    expect(human.stdout).toContain('profile     default');
    expect(human.stdout).toMatch(/connection {2}connected to @alice \(broadcast \d+\)/);
    expect((await getStats(server.url, token)).connection.state).toBe('connected');

    // A server killed outright leaves its address behind: status is not fooled by it.
    server.child.kill('SIGKILL');
    await server.exited;
    expect(fs.existsSync(path.join(data, 'server.json'))).toBe(true);
    const after = snapshot(data);
    const dead = cli(['--data-dir', data, 'status']);
    expect(dead.code).toBe(1);
    expect(dead.stdout.trim()).toBe(`no livetally server is running on ${data}`);
    expect(snapshot(data)).toEqual(after);
  }, 60_000);

  it('a server stopped normally takes its address with it', async () => {
    const data = tempDir();
    const server = await startServer(['--data-dir', data, 'start', '--port', '0']);
    expect(fs.existsSync(path.join(data, 'server.json'))).toBe(true);
    expect(await send(server.url, 'GET', '/api/health')).toBe(200);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    expect(fs.existsSync(path.join(data, 'server.json'))).toBe(false);
    expect(cli(['--data-dir', data, 'status']).code).toBe(1);
  });
});
