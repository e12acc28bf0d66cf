import { ControlEvent } from 'tiktok-live-connector';
import type { Logger } from '../../app/logger.js';
import type { BroadcastEvent } from '../../domain/events.js';
import { ADAPTED_EVENTS, type TikTokEventAdapter } from './event-adapter.js';
import { asFields, readInt, readString } from './payload-fields.js';
import type { RawCaptureTarget } from './raw-capture-target.js';
import { redact } from './redact.js';
import type { LiveConnection } from './webcast-connection.js';

/** How a connection that was up came to an end. */
export type SessionEnd =
  { kind: 'streamEnd'; reason: string } | { kind: 'disconnected'; code?: number; reason?: string };

interface RawMessage {
  at: number;
  method: string;
  payload: Uint8Array;
}

export interface LiveSessionOptions {
  adapter: TikTokEventAdapter;
  logger: Logger;
  now: () => number;
  secrets: readonly (string | undefined)[];
}

/**
 * The listeners of one connection attempt. The library dispatches the sign server's
 * initial batch (recent messages, re-sent after a reconnect) inside `connect()`, before the
 * room id of the connect result is known; those events are held until the sink has been
 * told which broadcast they belong to, so they land in the right one — and are dropped if
 * the attempt fails.
 */
export class LiveSession {
  readonly ended: Promise<SessionEnd>;
  private finish!: (end: SessionEnd) => void;
  private held: BroadcastEvent[] | undefined = [];
  private heldRaw: RawMessage[] | undefined = [];
  private deliver: ((event: BroadcastEvent) => void) | undefined;
  private capture: RawCaptureTarget | undefined;
  private disposed = false;
  private heardAt: number;

  constructor(
    private readonly connection: LiveConnection,
    private readonly options: LiveSessionOptions,
  ) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
    this.heardAt = options.now();
    // Any frame counts as a sign of life, whatever it holds (the silence watchdog reads it).
    connection.on(ControlEvent.WEBSOCKET_DATA, () => (this.heardAt = options.now()));
    for (const name of ADAPTED_EVENTS) {
      connection.on(name, (payload: unknown) => {
        const event = options.adapter.adapt(name, payload);
        if (event) this.onEvent(event);
      });
    }
    connection.on(ControlEvent.DISCONNECTED, (info: unknown) => {
      const fields = asFields(info);
      const code = readInt(fields?.['code']);
      const reason = readString(fields?.['reason']);
      this.finish({
        kind: 'disconnected',
        ...(code === undefined ? {} : { code }),
        ...(reason ? { reason } : {}),
      });
    });
    // Without an `error` listener the library stays silent about failures after connect.
    connection.on(ControlEvent.ERROR, (info: unknown) => this.onLibraryError(info));
    connection.onRawMessage = (method, payload) => this.onRaw(method, payload);
  }

  /** When TikTok last sent anything on this connection (by the source's clock). */
  get lastHeardAt(): number {
    return this.heardAt;
  }

  /** From now on events go to `deliver` (the held ones first), raw messages to `capture`. */
  release(deliver: (event: BroadcastEvent) => void, capture?: RawCaptureTarget): void {
    const held = this.held ?? [];
    const heldRaw = this.heldRaw ?? [];
    this.held = undefined;
    this.heldRaw = undefined;
    this.deliver = deliver;
    this.capture = capture;
    for (const raw of heldRaw) capture?.message(raw.at, raw.method, raw.payload);
    for (const event of held) this.onEvent(event);
  }

  /** Stops listening; the connection's own cleanup is the caller's. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.connection.removeAllListeners();
    this.connection.onRawMessage = undefined;
    this.held = undefined;
    this.heldRaw = undefined;
  }

  private onEvent(event: BroadcastEvent): void {
    if (this.disposed) return;
    if (this.held) {
      this.held.push(event);
      return;
    }
    this.deliver?.(event);
    if (event.type === 'streamEnd') this.finish({ kind: 'streamEnd', reason: event.reason });
  }

  private onRaw(method: string, payload: Uint8Array): void {
    if (this.disposed) return;
    const at = this.options.now();
    this.heardAt = at;
    if (this.heldRaw) this.heldRaw.push({ at, method, payload });
    else this.capture?.message(at, method, payload);
  }

  private onLibraryError(info: unknown): void {
    const fields = asFields(info);
    const what = readString(fields?.['info']) ?? 'error';
    const exception = fields?.['exception'];
    const detail = redact(
      exception instanceof Error ? exception.message : String(exception),
      this.options.secrets,
    );
    // Connect failures (anything before `release`) are reported by the source, with a
    // message a streamer can act on; the library's own words are only for --verbose.
    const connecting = this.held !== undefined || what === 'Error while connecting';
    // The library often wraps an error in one carrying the same words: say them once.
    const text = detail.startsWith(what) ? detail : `${what}: ${detail}`;
    this.options.logger[connecting ? 'debug' : 'warn'](`TikTok connection: ${text}`);
  }
}
