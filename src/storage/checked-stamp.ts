import fs from 'node:fs';

/**
 * A note next to a profile file (`<file>-checked`) saying "livetally closed this file cleanly,
 * and this is how it looked then". While the file still looks exactly so (same inode, size,
 * modification and change times), nobody has written to it since, and the full page check
 * (`PRAGMA quick_check`, about 6 ms per MB here) can be skipped. Any other writer, a crash,
 * a copy or a damaged disk block written by a tool changes those times and brings the check
 * back.
 */
interface Stamp {
  size: number;
  ino: number;
  mtimeNs: string;
  ctimeNs: string;
}

const SUFFIX = '-checked';

export function stampFile(file: string): string {
  return file + SUFFIX;
}

/** True when the file is exactly as livetally left it at its last clean close. */
export function isUnchangedSinceCheck(file: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(stampFile(file), 'utf8');
  } catch {
    return false;
  }
  const now = currentStamp(file);
  if (!now) return false;
  try {
    const saved = JSON.parse(text) as Partial<Stamp>;
    return (
      saved.size === now.size &&
      saved.ino === now.ino &&
      saved.mtimeNs === now.mtimeNs &&
      saved.ctimeNs === now.ctimeNs
    );
  } catch {
    return false;
  }
}

/** Forgets the note: the file is about to change. */
export function dropStamp(file: string): void {
  fs.rmSync(stampFile(file), { force: true });
}

/**
 * Notes the file's current look, after its last connection closed cleanly. Not when the file
 * was found damaged meanwhile (that note stays) or a WAL file shows another connection.
 */
export function writeStamp(file: string): void {
  if (fs.existsSync(`${file}-wal`) || isMarkedDamaged(file)) return;
  const stamp = currentStamp(file);
  if (!stamp) return;
  fs.writeFileSync(stampFile(file), JSON.stringify(stamp), { mode: 0o600 });
}

/** Records that SQLite reported damage: no later clean close may vouch for the file. */
export function markDamaged(file: string): void {
  try {
    fs.writeFileSync(stampFile(file), '{"damaged":true}', { mode: 0o600 });
  } catch {
    // the next open checks the file anyway: there is no valid note
  }
}

function isMarkedDamaged(file: string): boolean {
  try {
    return (
      (JSON.parse(fs.readFileSync(stampFile(file), 'utf8')) as { damaged?: unknown }).damaged ===
      true
    );
  } catch {
    return false;
  }
}

function currentStamp(file: string): Stamp | undefined {
  try {
    const stat = fs.statSync(file, { bigint: true });
    return {
      size: Number(stat.size),
      ino: Number(stat.ino),
      mtimeNs: String(stat.mtimeNs),
      ctimeNs: String(stat.ctimeNs),
    };
  } catch {
    return undefined;
  }
}
