import fs from 'node:fs';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';

/** Codes of the failures a disk or a damaged file can cause, as errors carry them. */
export type StorageFailureCode =
  | 'disk_full'
  | 'read_only'
  | 'permission_denied'
  | 'corrupt_database'
  | 'database_busy'
  | 'disk_error';

export interface FailureContext {
  /** The file or folder livetally was using; '' when unknown. */
  path: string;
  /** What livetally was doing, as a phrase: "saving the stats", "locking the data directory". */
  doing: string;
  /**
   * True when livetally tries again by itself (the message then says only what to fix);
   * false when the streamer should fix the cause and run the command again.
   */
  retrying?: boolean;
}

/**
 * Turns an error from the file system or SQLite into one a streamer can act on, or returns
 * undefined when it is not a storage failure (a bug, or something already explained).
 */
export function storageFailure(
  error: unknown,
  context: FailureContext,
): LivetallyError | undefined {
  if (error instanceof LivetallyError) return undefined;
  const code = errorCode(error);
  if (!code) return undefined;
  const kind = classify(code, context.path);
  if (!kind) return undefined;
  return new LivetallyError(kind, describe(kind, code, context), { cause: error });
}

/** True for the SQLite answers that mean the file's pages are damaged. */
export function isCorruption(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && classify(code, '') === 'corrupt_database';
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function classify(code: string, where: string): StorageFailureCode | undefined {
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return 'disk_full';
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) {
    return where && !isReadOnlyMount(where) ? 'permission_denied' : 'read_only';
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return where && isReadOnlyMount(where) ? 'read_only' : 'permission_denied';
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt_database';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'database_busy';
  if (code === 'SQLITE_CANTOPEN') {
    if (where && isReadOnlyMount(where)) return 'read_only';
    return 'disk_error';
  }
  if (code === 'EIO' || code.startsWith('SQLITE_IOERR')) return 'disk_error';
  return undefined;
}

/** Whether the folder holding `target` sits on a file system mounted read-only. */
function isReadOnlyMount(target: string): boolean {
  let dir = target;
  try {
    if (!fs.statSync(target).isDirectory()) dir = path.dirname(target);
  } catch {
    dir = path.dirname(target);
  }
  try {
    // access(W_OK) answers EROFS on a file system mounted read-only.
    fs.accessSync(dir, fs.constants.W_OK);
    return false;
  } catch (error) {
    return errorCode(error) === 'EROFS';
  }
}

function describe(kind: StorageFailureCode, code: string, context: FailureContext): string {
  const { doing, retrying = false } = context;
  const where = context.path;
  const dir = where ? folderOf(where) : 'the data directory';
  const file = where ? path.basename(where) : 'a profile file';
  const detail = `(${doing}: ${code})`;
  const again = retrying ? '' : ' and try again';
  switch (kind) {
    case 'disk_full':
      return `the disk holding ${dir} is full ${detail}; free some space${again}`;
    case 'read_only':
      return `${where ? `the data directory ${dir}` : 'the data directory'} is on a read-only file system ${detail}; livetally needs to write there — make it writable or choose another folder with --data-dir`;
    case 'permission_denied':
      return `livetally may not write to ${where || 'the data directory'} ${detail}; give your user write access to ${dir} or choose another folder with --data-dir`;
    case 'corrupt_database':
      return `${file} is damaged ${detail}; livetally stopped writing to it and left it as it is — what is counted stays in memory until livetally stops; then replace the file with a backup copy or move it out of the profiles folder`;
    case 'database_busy':
      return `${file} is in use by another program ${detail}; close that program${again}`;
    case 'disk_error':
      return `the disk holding ${dir} reported an error ${detail}; check the disk${again}`;
  }
}

function folderOf(target: string): string {
  try {
    if (fs.statSync(target).isDirectory()) return target;
  } catch {
    // not there (yet): name its folder
  }
  return path.dirname(target);
}
