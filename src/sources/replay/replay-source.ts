import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { LivetallyError } from '../../domain/errors.js';
import { InvalidEvent, parseEventLine, type StreamEvent } from '../../domain/events.js';
import type { Source, SourceEnd, SourceSink } from '../source.js';
import { readLines } from './ndjson-lines.js';
import { ReplayPacer } from './replay-pacer.js';

export interface ReplayProgress {
  bytesRead: number;
  totalBytes: number;
  events: number;
  invalid: number;
}

export interface ReplayOptions {
  file: string;
  /** 0 = as fast as possible, 1 = real time, 2 = twice as fast, … */
  speed: number;
  /** A line that does not parse or validate: reported, then skipped. */
  onInvalid?: (line: number, error: string) => void;
  onProgress?: (progress: ReplayProgress) => void;
  /** Re-date the recording so that it starts at this time (a looped demo happens now). */
  startAt?: number;
  /** Replace the recording's room id (a looped demo is a new broadcast each time). */
  roomId?: string;
}

export interface ReplaySummary extends SourceEnd {
  lines: number;
  events: number;
  invalid: number;
}

/**
 * Plays an NDJSON recording as if it were a live connection. Time in the recording drives
 * a virtual clock, so streak timeouts behave as they did live, at any speed.
 */
export class ReplaySource implements Source {
  private stopped = false;
  private readonly pacer: ReplayPacer;

  constructor(private readonly options: ReplayOptions) {
    if (!Number.isFinite(options.speed) || options.speed < 0) {
      throw new LivetallyError(
        'invalid_speed',
        'speed must be a number ≥ 0 (0 = as fast as possible)',
      );
    }
    this.pacer = new ReplayPacer(options.speed);
  }

  /** The recording's clock: the time of the latest event, or scaled wall time when paced. */
  get now(): () => number {
    return this.pacer.now;
  }

  stop(): void {
    this.stopped = true;
    this.pacer.interrupt();
  }

  async run(sink: SourceSink): Promise<ReplaySummary> {
    const { file, onInvalid, onProgress, startAt } = this.options;
    let offset = 0;
    const totalBytes = statSize(file);
    const summary: ReplaySummary = { reason: 'finished', lines: 0, events: 0, invalid: 0 };
    let sawHeader = false;
    let bytesRead = 0;
    let lastProgress = performance.now();

    for await (const { texts, numbers } of readLines(file, (n) => (bytesRead = n))) {
      for (let i = 0; i < texts.length; i++) {
        if (this.stopped) return { ...summary, reason: 'stopped' };
        const lineNumber = numbers[i]!;
        summary.lines = lineNumber;
        const parsed = parseEventLine(texts[i]!);
        if (parsed instanceof InvalidEvent) {
          if (!sawHeader) throw badHeader(file, lineNumber, parsed.error);
          summary.invalid++;
          onInvalid?.(lineNumber, parsed.error);
          continue;
        }
        if (!sawHeader && parsed.type === 'connected' && startAt !== undefined) {
          offset = startAt - parsed.at;
        }
        const event = offset ? shift(parsed, offset) : parsed;
        if (!sawHeader && event.type !== 'connected') {
          throw badHeader(
            file,
            lineNumber,
            `a recording starts with a "connected" line, not "${event.type}"`,
          );
        }
        if (event.type === 'connected') this.pacer.start(event.at);
        await this.pacer.reach(event.at);
        if (this.stopped) return { ...summary, reason: 'stopped' };
        summary.events++;
        if (event.type === 'connected') {
          sawHeader = true;
          const roomId = this.options.roomId ?? event.roomId;
          await sink.connected({ ...event, roomId }, this.pacer.now);
        } else {
          sink.event(event);
        }
      }
      if (onProgress && performance.now() - lastProgress >= 1000) {
        lastProgress = performance.now();
        onProgress({ bytesRead, totalBytes, events: summary.events, invalid: summary.invalid });
      }
      // Let timers (periodic saves, pushes) run between chunks even at full speed.
      await yieldToLoop();
    }
    if (!sawHeader) throw badHeader(file, 1, 'the recording is empty');
    onProgress?.({
      bytesRead: totalBytes,
      totalBytes,
      events: summary.events,
      invalid: summary.invalid,
    });
    return summary;
  }
}

function shift(event: StreamEvent, offset: number): StreamEvent {
  return { ...event, at: event.at + offset };
}

function statSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    throw new LivetallyError(
      'recording_not_found',
      `cannot read recording ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

function badHeader(file: string, line: number, error: string): LivetallyError {
  return new LivetallyError(
    'invalid_recording',
    `${path.basename(file)} line ${line}: ${error} (a recording starts with {"type":"connected",…})`,
  );
}
