import fs from 'node:fs';
import path from 'node:path';
import { DataDirLock, type LockHolder } from '../profiles/data-dir-lock.js';

/** Published in the data directory while a server runs, for `livetally status` and `token`. */
export const SERVER_FILE = 'server.json';

/** Where a token came from: the data directory's token file, a flag or a variable, or none. */
export type TokenSource = 'file' | 'flag' | 'env' | null;

export interface ServerInfo {
  pid: number;
  /** The dashboard's address, reachable from this machine (no token in it). */
  url: string;
  host: string;
  port: number;
  /** The profile opened at start (it may be switched since: ask the server). */
  profile: string;
  version: string;
  /** Epoch milliseconds. */
  startedAt: number;
  tokenSource: TokenSource;
}

/** What `status` finds: a server, another writer, or nobody. */
export type DataDirState =
  { kind: 'server'; info: ServerInfo } | { kind: 'writer'; holder: LockHolder } | { kind: 'idle' };

/**
 * Writes `server.json` (owner-only, replaced atomically) and removes it on `remove()` or
 * when the process exits. One left behind by a crash is recognised as stale by its pid:
 * it must match the live holder of the data directory's lock.
 */
export function publishServer(dataDir: string, info: ServerInfo): { remove(): void } {
  const file = path.join(dataDir, SERVER_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    // Only our own: a later server may have published its file meanwhile.
    if (readServerFile(dataDir)?.pid === info.pid) fs.rmSync(file, { force: true });
  };
  process.once('exit', remove);
  return { remove };
}

/** Who is running on a data directory. Reads only: never creates or removes a file. */
export function dataDirState(dataDir: string): DataDirState {
  const holder = DataDirLock.holder(dataDir);
  if (!holder) return { kind: 'idle' };
  const info = readServerFile(dataDir);
  if (info && info.pid === holder.pid) return { kind: 'server', info };
  return { kind: 'writer', holder };
}

function readServerFile(dataDir: string): ServerInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(path.join(dataDir, SERVER_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const text = (key: string) => (typeof v[key] === 'string' ? v[key] : undefined);
  const whole = (key: string) => (Number.isSafeInteger(v[key]) ? (v[key] as number) : undefined);
  const pid = whole('pid');
  const url = text('url');
  if (pid === undefined || url === undefined) return undefined;
  const tokenSource = v['tokenSource'];
  return {
    pid,
    url,
    host: text('host') ?? '',
    port: whole('port') ?? 0,
    profile: text('profile') ?? '',
    version: text('version') ?? '',
    startedAt: whole('startedAt') ?? 0,
    tokenSource:
      tokenSource === 'file' || tokenSource === 'flag' || tokenSource === 'env'
        ? tokenSource
        : null,
  };
}
