import { LivetallyError } from '../../domain/errors.js';
import {
  InvalidEvent,
  parseEventLine,
  type BroadcastEvent,
  type ConnectedEvent,
  type StreamEvent,
} from '../../domain/events.js';
import type { Source, SourceSink } from '../source.js';
import { badStart, playLines, type ReplayProgress, type ReplaySummary } from './line-playback.js';
import { ReplayPacer } from './replay-pacer.js';

export type { ReplayProgress, ReplaySummary };

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

  private deliver(event: BroadcastEvent, sink: SourceSink, summary: ReplaySummary): void {
    if (this.stopped) return;
    summary.events++;
    sink.event(event);
  }

  private async deliverHeader(
    event: ConnectedEvent,
    sink: SourceSink,
    summary: ReplaySummary,
  ): Promise<void> {
    await this.pacer.reach(event.at);
    if (this.stopped) return;
    summary.events++;
    await sink.connected({ ...event, roomId: this.options.roomId ?? event.roomId }, this.pacer.now);
  }

  async run(sink: SourceSink): Promise<ReplaySummary> {
    const { file, onInvalid, startAt } = this.options;
    const summary: ReplaySummary = { reason: 'finished', lines: 0, events: 0, invalid: 0 };
    let offset = 0;
    let sawHeader = false;
    const result = await playLines(
      {
        file,
        what: 'recording',
        onProgress: this.options.onProgress,
        isStopped: () => this.stopped,
      },
      summary,
      (text, line) => {
        const parsed = parseEventLine(text);
        if (parsed instanceof InvalidEvent) {
          if (!sawHeader) throw badStart(file, line, parsed.error, 'recording');
          summary.invalid++;
          onInvalid?.(line, parsed.error);
          return undefined;
        }
        if (!sawHeader) {
          if (parsed.type !== 'connected') {
            const error = `a recording starts with a "connected" line, not "${parsed.type}"`;
            throw badStart(file, line, error, 'recording');
          }
          if (startAt !== undefined) offset = startAt - parsed.at;
        }
        const event = offset ? shift(parsed, offset) : parsed;
        if (event.type === 'connected') {
          sawHeader = true;
          this.pacer.start(event.at);
          return this.deliverHeader(event, sink, summary);
        }
        const due = this.pacer.reach(event.at);
        if (due) return due.then(() => this.deliver(event, sink, summary));
        this.deliver(event, sink, summary);
        return undefined;
      },
    );
    if (!sawHeader && result.reason !== 'stopped') {
      throw badStart(file, 1, 'the recording is empty', 'recording');
    }
    return result;
  }
}

function shift(event: StreamEvent, offset: number): StreamEvent {
  return { ...event, at: event.at + offset };
}
