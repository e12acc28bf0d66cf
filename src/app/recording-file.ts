import fs from 'node:fs';
import { LivetallyError } from '../domain/errors.js';

export type RecordingKind = 'events' | 'raw';

/** How much of the start of a file is looked at to tell a recording from a raw capture. */
const SNIFF_BYTES = 64 * 1024;
const SNIFF_LINES = 20;

/**
 * Checks, before anything is locked, created or counted, that `file` is a readable file of
 * the expected kind: a recording of events, or a raw TikTok capture (`--raw`). Each would
 * otherwise be read line by line as the other, every line "bad", into an empty history
 * entry. `shown` is the name as the user typed it.
 */
export function checkRecordingFile(file: string, expected: RecordingKind, shown = file): void {
  const what = expected === 'raw' ? 'raw capture' : 'recording';
  let head: string;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) {
      throw new LivetallyError(
        'recording_is_folder',
        `cannot read ${what} ${shown}: it is a folder; give the .ndjson file inside it`,
      );
    }
    head = readHead(file);
  } catch (error) {
    if (error instanceof LivetallyError) throw error;
    throw new LivetallyError('recording_not_found', `cannot read ${what} ${shown}: ${why(error)}`);
  }
  const found = sniffKind(head);
  if (found === 'events' && expected === 'raw') {
    throw new LivetallyError(
      'not_raw_capture',
      `${shown} is a recording of events, not a raw capture: replay it without --raw`,
    );
  }
  if (found === 'raw' && expected === 'events') {
    throw new LivetallyError(
      'raw_capture_without_raw',
      `${shown} is a raw TikTok capture: replay it with --raw`,
    );
  }
}

/**
 * Which kind the first lines after the opening `connected` line are: events have a
 * `type`, raw messages a `method` and a `payload`. Undecided (a short or broken file) is
 * left to the line-by-line checks.
 */
export function sniffKind(head: string): RecordingKind | undefined {
  const lines = head.split('\n');
  lines.pop(); // possibly cut in the middle
  let seen = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (++seen > SNIFF_LINES) break;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const fields = value as Record<string, unknown>;
    if (typeof fields['type'] === 'string') {
      if (fields['type'] !== 'connected') return 'events';
    } else if (typeof fields['method'] === 'string' && typeof fields['payload'] === 'string') {
      return 'raw';
    }
  }
  return undefined;
}

function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const length = fs.readSync(fd, buffer, 0, SNIFF_BYTES, 0);
    // A whole file keeps its last line even without a final newline.
    return buffer.toString('utf8', 0, length) + (length < SNIFF_BYTES ? '\n' : '');
  } finally {
    fs.closeSync(fd);
  }
}

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'there is no such file (ENOENT)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'EISDIR') return 'it is a folder (EISDIR)';
  return code ?? (error instanceof Error ? error.message : String(error));
}
