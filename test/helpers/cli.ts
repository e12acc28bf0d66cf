import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/livetally.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO = fileURLToPath(new URL('../../recordings/demo.ndjson', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built command line (bin/livetally.js → dist) as a user would. */
export function cli(args: string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LIVETALLY_LOG_LEVEL: '', ...env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function cliJson<T = unknown>(args: string[], env: Record<string, string> = {}): T {
  const result = cli([...args, '--json'], env);
  if (result.code !== 0) {
    throw new Error(`livetally ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LIVETALLY_LOG_LEVEL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
