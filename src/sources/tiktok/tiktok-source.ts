import type { TikTokLiveConnectionOptions } from 'tiktok-live-connector';
import { silentLogger, type Logger } from '../../app/logger.js';
import { LivetallyError } from '../../domain/errors.js';
import type { ConnectedEvent } from '../../domain/events.js';
import type { Source, SourceEnd, SourceSink, SourceStatus } from '../source.js';
import { DEFAULT_BACKOFF, retryDelay, type BackoffOptions } from './backoff.js';
import { describeConnectFailure, type ConnectFailure } from './connect-failure.js';
import { TikTokEventAdapter } from './event-adapter.js';
import { LiveSession, type SessionEnd } from './live-session.js';
import { asFields, readId } from './payload-fields.js';
import type { RawCaptureTarget } from './raw-capture-target.js';
import { redact } from './redact.js';
import { SignServer } from './sign-server.js';
import { DEFAULT_SILENCE_LIMIT_MS, SilenceWatchdog } from './silence-watchdog.js';
import { normalizeStreamerHandle } from '../../domain/streamer-handle.js';
import { systemTimers, type SourceTimers } from './timers.js';
import { WebcastConnection, type LiveConnection } from './webcast-connection.js';

/** A TikTok login, for LIVEs TikTok only shows to signed-in viewers (cookies of tiktok.com). */
export interface TikTokSessionCookie {
  sessionId: string;
  ttTargetIdc: string;
}

type LibraryWebClientOptions = NonNullable<TikTokLiveConnectionOptions['webClientOptions']>;

/** Connection options that only tests set: where "TikTok" is and how to reach it. */
export interface ConnectionOverrides {
  webConfigOverrides?: TikTokLiveConnectionOptions['webConfigOverrides'];
  /** got options. (The library's type demands a cookie jar, then replaces it with its own.) */
  webClientOptions?: Omit<LibraryWebClientOptions, 'cookieJar'>;
  wsClientOptions?: TikTokLiveConnectionOptions['wsClientOptions'];
  wsConfigOverrides?: TikTokLiveConnectionOptions['wsConfigOverrides'];
}

export type ConnectionFactory = (params: {
  streamer: string;
  signServer: SignServer;
}) => LiveConnection;

export interface TikTokSourceOptions {
  /** The streamer's @handle (with or without "@", or the LIVE's address). */
  streamer: string;
  /** Euler Stream API key for the sign server. */
  signApiKey?: string;
  session?: TikTokSessionCookie;
  logger?: Logger;
  /** Also write every received message to a raw capture. Its owner closes it. */
  capture?: RawCaptureTarget;
  onStatus?: (status: SourceStatus) => void;
  backoff?: Partial<BackoffOptions>;
  /** Sign server base URL (default Euler Stream's). */
  signServerUrl?: string;
  /** Clock and timers for the pauses between attempts and the silence watchdog. */
  timers?: SourceTimers;
  /** A connection that delivers nothing for this long counts as dropped (default 60 s). */
  silenceLimitMs?: number;
  /** Tests: how the real connection reaches a fake TikTok on 127.0.0.1. */
  connectionOverrides?: ConnectionOverrides;
  /** Tests: a stand-in for the library's connection. */
  createConnection?: ConnectionFactory;
}

type Attempt =
  | { kind: 'connected'; connection: LiveConnection; session: LiveSession; info: ConnectedEvent }
  | { kind: 'failed'; failure: ConnectFailure }
  | { kind: 'stopped' };

/**
 * The live TikTok source: connects through tiktok-live-connector, hands every message to
 * the adapter, and keeps the connection up. After an unexpected disconnect it reconnects
 * with exponential backoff (honouring the sign server's `retryAfter`); messages TikTok
 * re-sends then keep their ids, so the stats rules recognise them. It gives up on a stream
 * end, an offline streamer and a refused sign-server key, and says why in `onStatus`.
 */
export class TikTokSource implements Source {
  onStatus: ((status: SourceStatus) => void) | undefined;
  readonly streamer: string;
  private readonly logger: Logger;
  private readonly timers: SourceTimers;
  private readonly backoff: BackoffOptions;
  private readonly signServer: SignServer;
  private readonly adapter: TikTokEventAdapter;
  private readonly secrets: readonly (string | undefined)[];
  private readonly createConnection: () => LiveConnection;
  private stopped = false;
  private running = false;
  /** Ends the current wait (a pause, a pending connect, a live session) on `stop()`. */
  private interrupt: (() => void) | undefined;
  /** The room last written to the capture, so a reconnect to it adds no second header. */
  private capturedRoomId: string | undefined;

  constructor(private readonly options: TikTokSourceOptions) {
    this.streamer = normalizeStreamerHandle(options.streamer);
    this.onStatus = options.onStatus;
    this.logger = options.logger ?? silentLogger;
    this.timers = options.timers ?? systemTimers;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.secrets = [options.signApiKey, options.session?.sessionId];
    this.signServer = new SignServer({
      ...(options.signServerUrl ? { baseUrl: options.signServerUrl } : {}),
      ...(options.signApiKey ? { apiKey: options.signApiKey } : {}),
      now: () => this.timers.now(),
    });
    this.adapter = new TikTokEventAdapter({ now: () => this.timers.now(), logger: this.logger });
    const factory = options.createConnection;
    this.createConnection = factory
      ? () => factory({ streamer: this.streamer, signServer: this.signServer })
      : () => this.libraryConnection();
  }

  stop(): void {
    this.stopped = true;
    this.interrupt?.();
  }

  async run(sink: SourceSink): Promise<SourceEnd> {
    if (this.running) throw new LivetallyError('already_running', 'this source is already running');
    this.running = true;
    try {
      return await this.keepConnected(sink);
    } finally {
      this.running = false;
    }
  }

  private async keepConnected(sink: SourceSink): Promise<SourceEnd> {
    let connectedOnce = false;
    let failures = 0;
    let roomId: string | undefined;
    this.status({ state: 'connecting', message: `connecting to @${this.streamer}…` });
    for (;;) {
      if (this.stopped) return this.stoppedEnd();
      const attempt = await this.connectFollowingRoom(roomId);
      if (attempt.kind === 'stopped') return this.stoppedEnd();

      if (attempt.kind === 'failed') {
        failures++;
        const { failure } = attempt;
        if (!failure.retry || failures > this.backoff.maxRetries) {
          return this.giveUp(failure, failures, connectedOnce);
        }
        const delay = retryDelay(this.backoff, failures, {
          rateLimited: failure.code === 'rate_limited',
          ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
        });
        const state = connectedOnce ? 'reconnecting' : 'connecting';
        if (!(await this.waitToRetry(state, failure.code, failure.message, delay))) {
          return this.stoppedEnd();
        }
        continue;
      }

      await this.announce(sink, attempt);
      connectedOnce = true;
      failures = 0;
      roomId = attempt.info.roomId;

      const end = await this.untilEndedOrSilent(attempt.session);
      attempt.session.dispose();
      if (end?.kind !== 'disconnected') await attempt.connection.disconnect();
      if (end === undefined) return this.stoppedEnd();
      if (end.kind === 'streamEnd') return this.streamEnded(end);

      // A drop, or a socket gone silent: back to the same room after the first pause.
      failures = 1;
      const [code, why] =
        end.kind === 'silent'
          ? ['connection_silent', `no messages from TikTok for ${seconds(this.silenceLimitMs)} s`]
          : [
              'connection_lost',
              `lost the connection to @${this.streamer}'s LIVE${describeClose(end)}`,
            ];
      const delay = retryDelay(this.backoff, failures);
      if (!(await this.waitToRetry('reconnecting', code, why, delay))) {
        return this.stoppedEnd();
      }
    }
  }

  /** Tells the sink (and the capture) which broadcast this is, then lets events flow. */
  private async announce(
    sink: SourceSink,
    attempt: Extract<Attempt, { kind: 'connected' }>,
  ): Promise<void> {
    const { connection, session, info } = attempt;
    try {
      await sink.connected(info, () => this.timers.now());
    } catch (error) {
      session.dispose();
      await connection.disconnect();
      throw error;
    }
    const capture = this.options.capture;
    if (capture && this.capturedRoomId !== info.roomId) {
      capture.connected(info);
      this.capturedRoomId = info.roomId;
    }
    session.release((event) => sink.event(event), capture);
    this.logger.info(`connected to @${this.streamer}'s LIVE (room ${info.roomId})`);
    this.status({ state: 'connected', message: `connected to @${this.streamer}'s LIVE` });
  }

  /** Says why and for how long, waits, then says it tries again; false when stopped. */
  private async waitToRetry(
    state: 'connecting' | 'reconnecting',
    code: string,
    why: string,
    delay: number,
  ): Promise<boolean> {
    const verb =
      state === 'reconnecting' && (code === 'connection_lost' || code === 'connection_silent')
        ? 'reconnecting'
        : 'retrying';
    const message = `${why}, ${verb} in ${seconds(delay)} s`;
    this.logger.warn(message);
    this.status({ state, code, message, retryInMs: delay });
    if (!(await this.pause(delay))) return false;
    this.status({ state, message: `${state} to @${this.streamer}…` });
    return true;
  }

  /**
   * The end of a live session, or `silent` once nothing arrived for the silence limit;
   * undefined when stopped.
   */
  private async untilEndedOrSilent(
    session: LiveSession,
  ): Promise<SessionEnd | { kind: 'silent' } | undefined> {
    const watchdog = new SilenceWatchdog(
      this.timers,
      this.silenceLimitMs,
      () => session.lastHeardAt,
    );
    try {
      const silent = watchdog.silent.then(() => ({ kind: 'silent' as const }));
      return await this.untilStopped(Promise.race([session.ended, silent]));
    } finally {
      watchdog.dispose();
    }
  }

  private get silenceLimitMs(): number {
    return this.options.silenceLimitMs ?? DEFAULT_SILENCE_LIMIT_MS;
  }

  /**
   * Reconnects go straight to the known room. If it has ended, the streamer may have
   * started a new LIVE meanwhile: look the room up afresh before calling them offline.
   */
  private async connectFollowingRoom(roomId: string | undefined): Promise<Attempt> {
    const attempt = await this.connectOnce(roomId);
    if (roomId && attempt.kind === 'failed' && attempt.failure.code === 'user_offline') {
      if (this.stopped) return { kind: 'stopped' };
      return this.connectOnce(undefined);
    }
    return attempt;
  }

  private async connectOnce(roomId: string | undefined): Promise<Attempt> {
    this.signServer.forget();
    const connection = this.createConnection();
    const session = new LiveSession(connection, {
      adapter: this.adapter,
      logger: this.logger,
      now: () => this.timers.now(),
      secrets: this.secrets,
    });
    const connecting = connection.connect(roomId).then(
      (state) => ({ ok: true as const, state }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const outcome = await this.untilStopped(connecting);
    if (outcome === undefined) {
      // The library cannot cancel a connect: close the connection once it settles.
      void connecting.then(async (late) => {
        session.dispose();
        if (late.ok) await connection.disconnect();
      });
      return { kind: 'stopped' };
    }
    if (!outcome.ok) {
      session.dispose();
      this.logger.debug(
        `connect failed: ${redact(describeError(outcome.error), this.secrets, 2000)}`,
      );
      return { kind: 'failed', failure: this.describe(outcome.error) };
    }
    const state = asFields(outcome.state);
    const connectedRoom = readId(state?.['roomId']);
    if (!connectedRoom) {
      session.dispose();
      await connection.disconnect();
      return {
        kind: 'failed',
        failure: {
          code: 'no_room_id',
          message: `TikTok did not say which LIVE of @${this.streamer} it connected to`,
          retry: true,
        },
      };
    }
    const info: ConnectedEvent = {
      type: 'connected',
      at: this.timers.now(),
      streamer: this.streamer,
      streamerId: ownerIdOf(state?.['roomInfo']),
      roomId: connectedRoom,
    };
    return { kind: 'connected', connection, session, info };
  }

  private describe(error: unknown): ConnectFailure {
    return describeConnectFailure(error, {
      streamer: this.streamer,
      signServerHost: this.signServer.host,
      signKeyGiven: this.signServer.hasKey,
      signAnswer: this.signServer.lastAnswer,
      secrets: this.secrets,
    });
  }

  private giveUp(failure: ConnectFailure, failures: number, connectedOnce: boolean): SourceEnd {
    const message = failure.retry
      ? `${failure.message} (gave up after ${failures} attempts)`
      : failure.message;
    this.status({ state: 'disconnected', code: failure.code, message });
    // Before the first connect the caller learns of it as an error (and reports it).
    if (!connectedOnce) throw new LivetallyError(failure.code, message);
    this.logger.warn(message);
    // Offline after a drop: the LIVE ended while we were away.
    return failure.code === 'user_offline'
      ? { reason: 'streamEnd', code: failure.code, detail: message }
      : { reason: 'failed', code: failure.code, detail: message };
  }

  private streamEnded(end: Extract<SessionEnd, { kind: 'streamEnd' }>): SourceEnd {
    const message =
      end.reason === 'suspended'
        ? `@${this.streamer}'s LIVE was suspended by TikTok`
        : `@${this.streamer}'s LIVE has ended`;
    this.logger.info(message);
    this.status({ state: 'disconnected', code: 'stream_ended', message });
    return { reason: 'streamEnd', code: 'stream_ended', detail: message };
  }

  private stoppedEnd(): SourceEnd {
    this.status({
      state: 'disconnected',
      code: 'stopped',
      message: `disconnected from @${this.streamer}`,
    });
    return { reason: 'stopped' };
  }

  /** Waits `ms` on the injected timers; false when stopped meanwhile. */
  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const handle = this.timers.setTimeout(() => {
        this.interrupt = undefined;
        resolve(!this.stopped);
      }, ms);
      this.interrupt = () => {
        this.timers.clearTimeout(handle);
        this.interrupt = undefined;
        resolve(false);
      };
      if (this.stopped) this.interrupt();
    });
  }

  /** The promise's value, or undefined as soon as `stop()` is called. (Given promises never reject.) */
  private untilStopped<T>(promise: Promise<T>): Promise<T | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.interrupt = () => {
        this.interrupt = undefined;
        resolve(undefined);
      };
      promise.then(
        (value) => {
          this.interrupt = undefined;
          resolve(value);
        },
        () => resolve(undefined),
      );
    });
  }

  private status(status: SourceStatus): void {
    try {
      this.onStatus?.(status);
    } catch (error) {
      this.logger.error(`status listener failed: ${describeError(error)}`);
    }
  }

  private libraryConnection(): WebcastConnection {
    const { session, connectionOverrides } = this.options;
    return new WebcastConnection(this.streamer, {
      eulerApiInstance: this.signServer.api,
      // Recent messages come with every connect; re-sent ones keep their ids.
      processInitialData: true,
      // Needed to learn that a streamer is offline (and who owns the room).
      fetchRoomInfoOnConnect: true,
      enableExtendedGiftInfo: false,
      ...(session ? { session: { cookie: { type: 'cookie', value: { ...session } } } } : {}),
      ...connectionOverrides,
      webClientOptions: connectionOverrides?.webClientOptions as
        LibraryWebClientOptions | undefined,
    });
  }
}

/** The room owner's stable id from the room info, when TikTok sent it as a string. */
function ownerIdOf(roomInfo: unknown): string {
  const data = asFields(asFields(roomInfo)?.['data']);
  const owner = asFields(data?.['owner']);
  return (
    readId(owner?.['id_str']) ??
    readId(data?.['owner_user_id_str']) ??
    readId(data?.['owner_user_id']) ??
    ''
  );
}

function describeClose(end: Extract<SessionEnd, { kind: 'disconnected' }>): string {
  return end.code === undefined ? '' : ` (code ${end.code})`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
