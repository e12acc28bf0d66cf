import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Everything about a folder that a write could change: every entry below it (files,
 * folders, links) with its kind, size, mode, modification and change times (ns) and, for
 * files, a hash of its bytes. `folderTimes: false` leaves out the times of folders (which
 * change when a file is created and removed again, e.g. a lock).
 */
export function snapshotDir(
  root: string,
  options: { folderTimes?: boolean } = {},
): Record<string, string> {
  const { folderTimes = true } = options;
  const entries: Record<string, string> = {};
  const visit = (dir: string) => {
    const stat = fs.lstatSync(dir, { bigint: true });
    const seen = describe(dir, stat);
    entries[path.relative(root, dir) || '.'] =
      folderTimes || !stat.isDirectory() ? seen : seen.replace(/ m\d+ c\d+/, '');
    if (!stat.isDirectory()) return;
    for (const name of fs.readdirSync(dir).sort()) visit(path.join(dir, name));
  };
  if (fs.existsSync(root)) visit(root);
  return entries;
}

function describe(file: string, stat: fs.BigIntStats): string {
  const kind = stat.isDirectory() ? 'dir' : stat.isSymbolicLink() ? 'link' : 'file';
  const hash =
    kind === 'file' ? crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex') : '';
  return `${kind} ${stat.size} ${stat.mode.toString(8)} m${stat.mtimeNs} c${stat.ctimeNs} ${hash}`;
}

/** `snapshotDir`, or null when `dir` does not exist: two equal snapshots mean nothing changed. */
export function snapshot(dir: string): Record<string, string> | null {
  return fs.existsSync(dir) ? snapshotDir(dir) : null;
}
