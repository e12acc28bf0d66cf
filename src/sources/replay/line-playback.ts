import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { LivetallyError } from '../../domain/errors.js';
import type { SourceEnd } from '../source.js';
import { lineText, readLines } from './ndjson-lines.js';

export interface ReplayProgress {
  bytesRead: number;
  totalBytes: number;
  events: number;
  invalid: number;
}

export interface ReplaySummary extends SourceEnd {
  lines: number;
  events: number;
  invalid: number;
}

export interface PlaybackOptions {
  file: string;
  /** "recording" or "capture", for messages. */
  what: string;
  onProgress?: (progress: ReplayProgress) => void;
  isStopped: () => boolean;
}

/**
 * How long the loop works before it lets the event loop have a turn, when it is behind
 * (catching up after a slow moment) or at full speed: pushes to the overlays wait for
 * such a turn, so this bounds how late an alert can be.
 */
const MAX_TURN_MS = 10;

/**
 * The loop both replay sources share: every non-blank line of the file, in order, with
 * progress about once a second, stopping promptly, and a turn for timers, sockets and
 * pushes at least every MAX_TURN_MS even at full speed. `play` handles one line and
 * updates `summary`.
 */
export async function playLines(
  options: PlaybackOptions,
  summary: ReplaySummary,
  /** Returns a promise only when it has to wait (most lines are handled synchronously). */
  play: (text: string, line: number) => Promise<void> | void,
): Promise<ReplaySummary> {
  const { file, onProgress, isStopped } = options;
  const totalBytes = fileSize(file, options.what);
  let bytesRead = 0;
  let lastProgress = performance.now();
  const progress = () => ({
    bytesRead,
    totalBytes,
    events: summary.events,
    invalid: summary.invalid,
  });
  let turnStarted = performance.now();
  for await (const batch of readLines(file, (n) => (bytesRead = n))) {
    const { numbers } = batch;
    for (let i = 0; i < numbers.length; i++) {
      if (isStopped()) return { ...summary, reason: 'stopped' };
      summary.lines = numbers[i]!;
      const pending = play(lineText(batch, i), numbers[i]!);
      if (pending) await pending;
      if (isStopped()) return { ...summary, reason: 'stopped' };
      // Checked every 16 lines: reading the clock costs more than handling some lines.
      if ((i & 15) === 15 && performance.now() - turnStarted >= MAX_TURN_MS) {
        await yieldToLoop();
        turnStarted = performance.now();
      }
    }
    if (onProgress && performance.now() - lastProgress >= 1000) {
      lastProgress = performance.now();
      onProgress(progress());
    }
    await yieldToLoop();
    turnStarted = performance.now();
  }
  onProgress?.({ ...progress(), bytesRead: totalBytes });
  return summary;
}

/** A recording that cannot be used from its first line on: nothing was counted. */
export function badStart(file: string, line: number, error: string, what: string): LivetallyError {
  return new LivetallyError(
    'invalid_recording',
    `${path.basename(file)} line ${line}: ${error} (a ${what} starts with {"type":"connected",…})`,
  );
}

function fileSize(file: string, what: string): number {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    throw new LivetallyError(
      'recording_not_found',
      `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}
