import type { ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import type { StatsResponse } from '../../src/shared/api-types.js';
import { spawnCli } from './cli.js';

export interface RunningCli {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

export interface RunningServer extends RunningCli {
  /** The dashboard's address without the token: http://127.0.0.1:PORT/ */
  url: string;
  /** The token printed in the dashboard URL, if any. */
  token: string | undefined;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** The built command line as a child process, killed after the test if still running. */
export function runCli(args: string[], env: Record<string, string> = {}): RunningCli {
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

/** `livetally start …` until it prints its dashboard address. */
export async function startServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const run = runCli(args, env);
  let exitCode: number | null | undefined;
  void run.exited.then((code) => (exitCode = code));
  const started = Date.now();
  for (;;) {
    const match = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)(?:\?token=(\S+))?/.exec(
      run.output.stdout,
    );
    // The banner's last line: the lines before it (the token's) are all there.
    if (match && run.output.stdout.includes('press Ctrl+C')) {
      return { ...run, url: match[1]!, token: match[2] ? decodeURIComponent(match[2]) : undefined };
    }
    if (exitCode !== undefined) {
      throw new Error(`livetally exited (${exitCode}) before serving:\n${run.output.stderr}`);
    }
    if (Date.now() - started > 20_000)
      throw new Error(`livetally did not start:\n${run.output.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** GET /api/stats (with the token, if given). */
export async function getStats(url: string, token?: string): Promise<StatsResponse> {
  const response = await fetch(`${url}api/stats`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new Error(`GET /api/stats: HTTP ${response.status}`);
  return (await response.json()) as StatsResponse;
}

/** A JSON request to the API; returns the status. */
export async function send(url: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${url}${route.replace(/^\//, '')}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.status;
}

/** Polls an async condition until it gives a value. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
