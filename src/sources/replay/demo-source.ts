import type { Source, SourceEnd, SourceSink } from '../source.js';
import { ReplaySource } from './replay-source.js';

export interface DemoOptions {
  file: string;
  speed: number;
  onInvalid?: (line: number, error: string) => void;
  /** The wall clock, to date each loop as a broadcast happening now. */
  now?: () => number;
  /** Pause between two loops. */
  pauseMs?: number;
}

/**
 * The bundled recording, played again and again, each time as a new broadcast happening
 * now: the dashboard keeps moving for someone trying livetally without a TikTok account.
 */
export class DemoSource implements Source {
  private current: ReplaySource | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: DemoOptions) {}

  async run(sink: SourceSink): Promise<SourceEnd> {
    const now = this.options.now ?? Date.now;
    for (let loop = 1; !this.stopped; loop++) {
      const startAt = now();
      this.current = new ReplaySource({
        file: this.options.file,
        speed: this.options.speed,
        onInvalid: loop === 1 ? this.options.onInvalid : undefined,
        startAt,
        roomId: `demo-${startAt}`,
      });
      const end = await this.current.run(sink);
      if (end.reason === 'stopped' || this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pauseMs ?? 2000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return { reason: 'stopped' };
  }

  stop(): void {
    this.stopped = true;
    this.current?.stop();
    this.wake?.();
  }
}
