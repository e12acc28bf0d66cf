import { EventEmitter } from 'node:events';
import { LivetallyError } from '../domain/errors.js';
import type { SourceEnd, SourceSink, SourceStatus } from '../sources/source.js';
import type { ConnectionView } from '../shared/api-types.js';
import type { Logger } from './logger.js';
import type { SourceFactory, SourceKind } from './source-factory.js';
import { normalizeStreamerHandle } from '../domain/streamer-handle.js';
import type { StreamTracker } from './stream-tracker.js';

interface ManagerEvents {
  connection: [ConnectionView];
}

const DISCONNECTED: ConnectionView = {
  state: 'disconnected',
  streamer: null,
  roomId: null,
  error: null,
  retryInMs: null,
  source: null,
  lastEnd: null,
};

/**
 * Runs at most one source at a time into the tracker and keeps the connection state the
 * dashboard shows: connecting, connected, reconnecting, disconnected, and the last error.
 */
export class ConnectionManager extends EventEmitter<ManagerEvents> {
  private view: ConnectionView = DISCONNECTED;
  private running: Promise<void> | undefined;
  private stop: (() => void) | undefined;
  /** Why the running source is being stopped, for the history entry. */
  private stopReason: 'disconnected' | 'stopped' = 'disconnected';
  private streamer = '';
  /** Ends the wait of a pending `connect` for its first outcome. */
  private answer: (() => void) | undefined;

  constructor(
    private readonly factory: SourceFactory,
    private readonly logger: Logger,
    /** How long `connect` waits for the first outcome before answering "connecting". */
    private readonly answerWithinMs = 10_000,
  ) {
    super();
  }

  get current(): ConnectionView {
    return this.view;
  }

  get isIdle(): boolean {
    return this.running === undefined;
  }

  /**
   * Connects to a streamer through the configured source. Resolves with the state after the
   * first outcome (connected, or a failure), or "connecting" if that takes long.
   */
  async connect(input: string, tracker: StreamTracker): Promise<ConnectionView> {
    const streamer = normalizeStreamerHandle(input);
    if (this.running) {
      const who = this.view.streamer ? `@${this.view.streamer}` : 'a streamer';
      throw new LivetallyError(
        'already_connected',
        `already connected to ${who}; disconnect first`,
      );
    }
    const { source, kind } = await this.factory(streamer);
    this.set({ ...DISCONNECTED, state: 'connecting', streamer, source: kind });
    this.streamer = streamer;
    let settle: () => void = () => {};
    const firstOutcome = new Promise<void>((resolve) => (settle = resolve));
    this.answer = settle;
    source.onStatus = (status) => {
      this.onStatus(status, kind);
      // A failure the source retries (rate limit, …) is an answer worth giving at once.
      if (status.state === 'reconnecting' || (status.state === 'connecting' && status.code)) {
        settle();
      }
    };
    const sink: SourceSink = {
      connected: async (info, clock) => {
        await tracker.connected(info, clock);
        this.set({
          ...DISCONNECTED,
          state: 'connected',
          streamer: info.streamer,
          roomId: info.roomId,
          source: kind,
        });
        this.streamer = info.streamer;
        settle();
      },
      event: (event) => tracker.event(event),
    };
    this.stop = () => source.stop();
    this.running = source
      .run(sink)
      .then(
        (end) => this.ended(end, tracker),
        (error: unknown) => this.ended(failure(error), tracker),
      )
      .finally(() => {
        this.running = undefined;
        this.stop = undefined;
        settle();
      });
    const timeout = setTimeout(settle, this.answerWithinMs);
    await firstOutcome;
    clearTimeout(timeout);
    this.answer = undefined;
    return this.view;
  }

  /**
   * A pending `connect` answers now ("connecting") instead of waiting for its first
   * outcome, so that a Disconnect or a stop queued behind it is not held up by a slow
   * TikTok (the connection made at start is such a connect).
   */
  answerNow(): void {
    this.answer?.();
  }

  /** Stops the source; the tracker closes open combos, saves and clears the live stats. */
  async disconnect(): Promise<ConnectionView> {
    if (!this.running) throw new LivetallyError('not_connected', 'not connected to anyone');
    await this.ensureDisconnected();
    return this.view;
  }

  /** Like `disconnect`, but fine when nothing is connected (or it just ended by itself). */
  async ensureDisconnected(reason: 'disconnected' | 'stopped' = 'disconnected'): Promise<void> {
    if (!this.running) return;
    this.stopReason = reason;
    this.stop?.();
    await this.running;
  }

  private async ended(end: SourceEnd, tracker: StreamTracker): Promise<void> {
    const reason =
      end.reason === 'streamEnd'
        ? 'ended'
        : end.reason === 'stopped'
          ? this.stopReason
          : 'disconnected';
    this.stopReason = 'disconnected';
    try {
      await tracker.disconnect(reason);
    } catch (error) {
      this.logger.error(`could not save at the end of the connection: ${(error as Error).message}`);
    }
    const failed = end.reason === 'failed';
    if (failed) this.logger.warn(`connection ended: ${end.detail ?? end.code ?? 'failed'}`);
    this.set({
      ...DISCONNECTED,
      error: failed
        ? { code: end.code ?? 'connection_failed', message: end.detail ?? 'the connection failed' }
        : null,
      lastEnd: {
        reason: failed ? 'failed' : (reason as 'ended' | 'disconnected' | 'stopped'),
        streamer: this.streamer,
        at: Date.now(),
      },
    });
  }

  private onStatus(status: SourceStatus, kind: SourceKind): void {
    const error =
      status.code && status.message ? { code: status.code, message: status.message } : null;
    if (status.state === 'connected') return; // reported through the sink, with the room
    if (status.state === 'disconnected') return; // reported when the source ends
    this.set({
      ...this.view,
      state: status.state,
      error: error ?? (status.state === 'connecting' ? null : this.view.error),
      retryInMs: status.retryInMs ?? null,
      source: kind,
    });
  }

  private set(view: ConnectionView): void {
    this.view = view;
    this.emit('connection', view);
  }
}

function failure(error: unknown): SourceEnd {
  if (error instanceof LivetallyError) {
    return { reason: 'failed', code: error.code, detail: error.message };
  }
  return { reason: 'failed', code: 'connection_failed', detail: (error as Error).message };
}
