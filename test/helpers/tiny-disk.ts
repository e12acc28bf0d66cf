import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** A small file system of its own (tmpfs), to fill up or make read-only on purpose. */
export interface TinyDisk {
  dir: string;
  /** Writes a file until the disk is full. */
  fill(): void;
  /** Removes what `fill` wrote. */
  free(): void;
  /** Remounts it read-only (or writable again). */
  readOnly(on: boolean): void;
}

const mounted: string[] = [];

afterEach(() => {
  for (const dir of mounted.splice(0)) {
    spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

let refusal: string | undefined;

/**
 * Mounts a tmpfs of `sizeKb` KiB, or returns the reason it cannot here (mounting needs root
 * or CAP_SYS_ADMIN). Tests skip with that reason printed; where mounting works they run.
 */
export function mountTinyDisk(sizeKb: number): TinyDisk | string {
  if (refusal) return refusal;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-disk-'));
  const result = spawnSync(
    'mount',
    ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', dir],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    refusal = `cannot mount a tmpfs here (${(result.stderr || result.error?.message || 'mount failed').trim()})`;
    return refusal;
  }
  mounted.push(dir);
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill() {
      const chunk = Buffer.alloc(4096, 1);
      const fd = fs.openSync(filler, 'a');
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    readOnly(on) {
      const remount = spawnSync('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, dir], {
        encoding: 'utf8',
      });
      if (remount.status !== 0) throw new Error(`remount failed: ${remount.stderr}`);
    },
  };
}

/** Prints why a test that needs a tiny disk does not run here. */
export function skipBecause(reason: string): void {
  console.warn(`skipped: ${reason}`);
}
