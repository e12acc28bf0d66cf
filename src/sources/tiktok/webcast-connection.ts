import { EventEmitter } from 'node:events';
import type { BaseProtoMessage, ProtoMessageFetchResult } from 'tiktok-live-connector';
import {
  InvalidSchemaNameError,
  TikTokLiveConnection,
  WebcastDeserializeConfig,
  deserializeMessage,
  type DecodedData,
  type WebcastEventMessage,
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
  | { kind: 'dispatched' }
  | { kind: 'unknown' }
  /** A message livetally does not use: not decoded, as on a live connection. */
  | { kind: 'skipped' }
  | { kind: 'undecodable'; error: string };

/**
 * The webcast messages the adapted events come from (see ADAPTED_EVENTS): the only ones
 * the library is asked to decode. A busy LIVE sends many more kinds (ranks, banners,
 * battles, …), and decoding is most of what a message costs.
 */
export const DECODED_MESSAGES: readonly (keyof WebcastEventMessage)[] = [
  'WebcastGiftMessage',
  'WebcastLikeMessage',
  'WebcastRoomUserSeqMessage',
  'WebcastSocialMessage',
  'WebcastChatMessage',
  'WebcastMemberMessage',
  'WebcastControlMessage',
];
const decoded = new Set<string>(DECODED_MESSAGES);

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

  constructor(...args: ConstructorParameters<typeof TikTokLiveConnection>) {
    super(...args);
    // The library's own switch (a process-wide setting of its decoder): raw captures still
    // hold every message, as they are taken before decoding.
    WebcastDeserializeConfig.includeMessageTypes = [...DECODED_MESSAGES];
  }

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
   * live one: what the library does for each message of a WebSocket frame (the same
   * decoder, the same decode-error and unknown-type handling, the same dispatch), without
   * wrapping it in a frame only to unwrap it again.
   */
  async replayMessage(method: string, bytes: Uint8Array): Promise<ReplayOutcome> {
    if (!decoded.has(method)) {
      return isKnownMessage(method) ? { kind: 'skipped' } : { kind: 'unknown' };
    }
    const payload = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let decodedData: DecodedData;
    try {
      const data = deserializeMessage(method as keyof WebcastEventMessage, payload);
      decodedData = { type: method, data } as DecodedData;
    } catch (error) {
      if (error instanceof InvalidSchemaNameError) return { kind: 'unknown' };
      return { kind: 'undecodable', error: `the payload is not a valid ${method}` };
    }
    await super.processProtoMessageFetchResult(batchOf(method, payload, decodedData));
    return { kind: 'dispatched' };
  }
}

/**
 * A batch of one decoded message, every other field at its default as the library's
 * decoder fills it (written out: cloning a decoded default is several times slower).
 */
function batchOf(
  method: string,
  payload: Buffer,
  decodedData: DecodedData,
): ProtoMessageFetchResult {
  const message: BaseProtoMessage = {
    method,
    payload,
    msgId: '0',
    msgType: 0,
    offset: '0',
    isHistory: false,
    decodedData,
  };
  return {
    messages: [message],
    cursor: '',
    fetchInterval: '0',
    now: '0',
    internalExt: '',
    fetchType: 0,
    routeParams: {},
    heartbeatDuration: '0',
    needAck: false,
    pushServer: '',
    isFirst: false,
    historyCommentCursor: '',
    historyNoMore: false,
  };
}

const known = new Map<string, boolean>();

/** Whether the library has a schema for a message name (it decodes nothing else). */
function isKnownMessage(method: string): boolean {
  let found = known.get(method);
  if (found === undefined) {
    try {
      deserializeMessage(method as keyof WebcastEventMessage, Buffer.alloc(0));
      found = true;
    } catch (error) {
      found = !(error instanceof InvalidSchemaNameError);
    }
    // Names come from files: remember a bounded number of them.
    if (known.size < 1000) known.set(method, found);
  }
  return found;
}
