import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';

export interface LockHolder {
  pid: number;
  command: string;
  hostname: string;
  startedAt: string;
  /** Linux only: the process's start time in clock ticks, to tell a reused pid apart. */
  processStart?: string;
}

const LOCK_FILE = 'livetally.lock';

/**
 * One writer per data directory. The lock file names its holder; a lock whose process is
 * gone (SIGKILL, power loss) is taken over, never a reason to refuse.
 */
export class DataDirLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    process.once('exit', this.onExit);
  }

  static acquire(dataDir: string, command: string): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, LOCK_FILE);
    const me: LockHolder = {
      pid: process.pid,
      command,
      hostname: os.hostname(),
      startedAt: new Date().toISOString(),
      ...processStartField(process.pid),
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o600);
        try {
          fs.writeSync(fd, JSON.stringify(me));
        } catch (error) {
          // A lock that names nobody (a full disk) must not stay behind.
          fs.closeSync(fd);
          fs.rmSync(file, { force: true });
          throw error;
        }
        fs.closeSync(fd);
        return new DataDirLock(file, me);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = DataDirLock.holder(dataDir);
      if (holder) {
        throw new LivetallyError(
          'data_dir_locked',
          `another livetally is writing to ${dataDir}: pid ${holder.pid} ("${holder.command}", since ${holder.startedAt}); stop it first`,
        );
      }
      removeStale(file);
    }
    throw new LivetallyError('data_dir_locked', `could not lock ${dataDir}; try again`);
  }

  /** The live process holding the lock, or null when there is none (or it died). */
  static holder(dataDir: string): LockHolder | null {
    const file = path.join(dataDir, LOCK_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    const holder = parseHolder(text);
    if (!holder) {
      // Being written right now, or garbage. A fresh file gets the benefit of the doubt.
      const age = Date.now() - statMtime(file);
      return age < 2000 ? { pid: 0, command: 'starting', hostname: '', startedAt: '' } : null;
    }
    if (holder.hostname !== os.hostname()) return holder; // cannot check another machine
    return isAlive(holder) ? holder : null;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    try {
      const current = parseHolder(fs.readFileSync(this.file, 'utf8'));
      if (current?.pid === this.holder.pid) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) {
      return undefined;
    }
    return {
      pid: value.pid,
      command: typeof value.command === 'string' ? value.command : 'livetally',
      hostname: typeof value.hostname === 'string' ? value.hostname : '',
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : '',
      ...(typeof value.processStart === 'string' ? { processStart: value.processStart } : {}),
    };
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid can be reused after a crash; on Linux the start time tells the processes apart.
  if (holder.processStart !== undefined) {
    const now = processStartField(holder.pid).processStart;
    if (now !== undefined && now !== holder.processStart) return false;
  }
  return true;
}

function processStartField(pid: number): { processStart?: string } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces); start time is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start ? { processStart: start } : {};
  } catch {
    return {};
  }
}

function statMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function removeStale(file: string): void {
  // Rename first so two processes taking over at once cannot delete each other's new lock.
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
    fs.rmSync(aside, { force: true });
  } catch {
    // someone else took it over first; the next attempt sees their lock
  }
}
