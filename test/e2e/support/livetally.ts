import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordingTruth } from '../../../src/sources/replay/recording-generator.js';
import { spawnCli } from '../../helpers/cli.js';
import { generateRecording } from '../../helpers/recordings.js';

/** A real `livetally start` in a child process, as a streamer runs it. */
export interface Livetally {
  url: string;
  port: number;
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  /** Ctrl+C, as a streamer stops it: resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  dataDir: string;
  replayDir: string;
  /** 0 for any free port; a port of an earlier run to restart on the same one. */
  port?: number;
  speed?: number;
  token?: string;
}

const running = new Set<ChildProcess>();

export async function startLivetally(options: StartOptions): Promise<Livetally> {
  const args = ['--data-dir', options.dataDir, 'start', '--host', '127.0.0.1'];
  args.push('--port', String(options.port ?? 0), '--replay-dir', options.replayDir);
  args.push('--speed', String(options.speed ?? 30));
  if (options.token) args.push('--token', options.token);
  const child = spawnCli(args);
  running.add(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`livetally did not start:\n${output.stderr}`)),
      15_000,
    );
    const look = () => {
      const found = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output.stdout)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`livetally exited (${code}) before serving:\n${output.stderr}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

const folders: string[] = [];

/**
 * A temp folder that lives until `cleanUp`: these tests share a server across tests, and
 * the helpers' tempDir() is removed after each test.
 */
export function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-e2e-'));
  folders.push(dir);
  return dir;
}

/** Kills whatever a failed test left running and removes the folders. */
export function cleanUp(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A seeded recording of `streamer` that, once its busy part is played, stays quiet for
 * hours: the connection stays up and the tiles keep the recording's totals (a recording
 * that ends disconnects, and disconnecting clears the live numbers). Dated now, so the
 * running time on the dashboard is real.
 */
export function quietRecording(
  dir: string,
  streamer: string,
  seed: number,
  durationSec: number,
): RecordingTruth {
  // Ids of its own: two streamers with the generator's default ids would be one streamer
  // and one broadcast to livetally, and the second would continue the first.
  const { file, truth } = generateRecording(
    dir,
    {
      seed,
      durationSec,
      streamer,
      streamerId: `71000000000000${String(seed).padStart(5, '0')}`,
      roomId: `74000000000000${String(seed).padStart(5, '0')}`,
      startAt: Date.now(),
      endStream: false,
    },
    `${streamer}.ndjson`,
  );
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const lastAt = (JSON.parse(lines.at(-1)!) as { at: number }).at;
  const idle = {
    type: 'join',
    at: lastAt + 6 * 3600_000,
    msgId: '7999999999999999999',
    user: { id: '6999999999999999999', handle: 'late_viewer', nickname: 'Late' },
  };
  fs.appendFileSync(file, `${JSON.stringify(idle)}\n`);
  return truth;
}

/** A JSON call to the API, as the pages make it (same origin, token in a header). */
export async function api<T>(
  server: { url: string },
  method: string,
  route: string,
  options: { body?: unknown; token?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers['x-livetally-token'] = options.token;
  const response = await fetch(new URL(route, server.url), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} → ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export function topGifter(truth: RecordingTruth): { userId: string; coins: number } {
  let best = { userId: '', coins: -1 };
  for (const [userId, coins] of truth.coinsByUser) if (coins > best.coins) best = { userId, coins };
  return best;
}
