import type { BroadcastEvent, ConnectedEvent } from '../domain/events.js';

/** Where a source delivers what it sees. The stream tracker is the usual sink. */
export interface SourceSink {
  /** The broadcast is known: at the start, and again after each reconnect. */
  connected(info: ConnectedEvent, clock: () => number): void | Promise<void>;
  event(event: BroadcastEvent): void;
}

/**
 * Produces normalized events: TikTok through tiktok-live-connector, or a recording. Every
 * source speaks the same events, so the stats rules never know which one is behind them.
 */
export interface Source {
  /** Runs until the source ends by itself (end of file, LIVE ended) or `stop()` is called. */
  run(sink: SourceSink): Promise<SourceEnd>;
  stop(): void;
}

export interface SourceEnd {
  reason: 'finished' | 'stopped' | 'streamEnd' | 'failed';
  detail?: string;
}
