import { EventEmitter } from 'node:events';
import {
  BaseProtoMessage,
  ProtoMessageFetchResult,
  TikTokLiveConnection,
  deserializeMessage,
} from 'tiktok-live-connector';

/** The method name and protobuf bytes of one webcast message, as TikTok sent it. */
export type RawMessageListener = (method: string, payload: Uint8Array) => void;

/**
 * What the live source needs from a connection: tiktok-live-connector's connection class,
 * or a stand-in in tests. Payloads are `unknown` on purpose: the adapter parses them.
 */
export interface LiveConnection {
  /** Resolves with the library's connection state ({roomId, roomInfo, …}). */
  connect(roomId?: string): Promise<unknown>;
  disconnect(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeAllListeners(): unknown;
  /** Told about every webcast message the connection processes, before it is dispatched. */
  onRawMessage: RawMessageListener | undefined;
}

/** How one replayed message fared in the library's decoder. */
export type ReplayOutcome =
  { kind: 'dispatched' } | { kind: 'unknown' } | { kind: 'undecodable'; error: string };

// The library's typings lose their EventEmitter base under NodeNext resolution (their
// `typed-emitter` import is CommonJS), so the emitter methods are called explicitly.
const emitterOn = EventEmitter.prototype.on;
const emitterRemoveAll = EventEmitter.prototype.removeAllListeners;

/**
 * tiktok-live-connector's connection, with two additions: every processed message is also
 * handed over raw (the library never emits its documented `rawData` event), and a captured
 * message can be fed back through exactly the path live messages take.
 */
export class WebcastConnection extends TikTokLiveConnection implements LiveConnection {
  onRawMessage: RawMessageListener | undefined;

  on(event: string, listener: (...args: unknown[]) => void): this {
    emitterOn.call(this, event, listener);
    return this;
  }

  removeAllListeners(): this {
    emitterRemoveAll.call(this);
    return this;
  }

  /** The one entry point of every batch: the sign server's initial one and each WebSocket frame. */
  protected override async processProtoMessageFetchResult(
    result: ProtoMessageFetchResult,
  ): Promise<void> {
    const listener = this.onRawMessage;
    if (listener) for (const message of result.messages) listener(message.method, message.payload);
    await super.processProtoMessageFetchResult(result);
  }

  /**
   * Decodes one captured message with the library's own decoder and dispatches it as a
   * live one: wrapped in a fetch result like the ones the WebSocket delivers, decoded by
   * `deserializeMessage`, processed by the library's dispatch, so the same events fire.
   */
  async replayMessage(method: string, payload: Uint8Array): Promise<ReplayOutcome> {
    const batch = ProtoMessageFetchResult.encode({
      ...ProtoMessageFetchResult.decode(new Uint8Array(0)),
      messages: [
        { ...BaseProtoMessage.decode(new Uint8Array(0)), method, payload: Buffer.from(payload) },
      ],
    }).finish();
    const result = deserializeMessage('ProtoMessageFetchResult', Buffer.from(batch));
    const message = result.messages[0];
    if (message?.decodeError !== undefined) {
      return { kind: 'undecodable', error: `the payload is not a valid ${method}` };
    }
    if (!message?.decodedData) return { kind: 'unknown' };
    await super.processProtoMessageFetchResult(result);
    return { kind: 'dispatched' };
  }
}
