import type { BroadcastEvent, ConnectedEvent } from '../domain/events.js';
import type { ConnectionState } from '../shared/api-types.js';

/** Connection states of the contract (`/api/stats` → connection.state). */
export type { ConnectionState };

/** What a source tells about its connection, in words a streamer can act on. */
export interface SourceStatus {
  state: ConnectionState;
  /** Stable machine-readable reason, e.g. `user_offline`, `rate_limited`, `sign_key_rejected`. */
  code?: string;
  /** e.g. "@alice is not live right now", "rate limited by the sign server, retrying in 42 s". */
  message?: string;
  /** When reconnecting: how long until the next attempt. */
  retryInMs?: number;
}

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
  /**
   * Runs until the source ends by itself (end of file, LIVE ended, a failure it will not
   * retry) or `stop()` is called. Rejects only for failures before the first connect.
   */
  run(sink: SourceSink): Promise<SourceEnd>;
  stop(): void;
  /** Connection state changes (optional: a replay is simply connected while it plays). */
  onStatus?: (status: SourceStatus) => void;
}

export interface SourceEnd {
  reason: 'finished' | 'stopped' | 'streamEnd' | 'failed';
  /** Stable code of the failure or end, when there is one. */
  code?: string;
  detail?: string;
}
