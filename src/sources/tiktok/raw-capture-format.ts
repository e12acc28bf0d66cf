import { InvalidEvent, validateEvent, type ConnectedEvent } from '../../domain/events.js';
import { LIMITS } from '../../domain/limits.js';
import { asFields } from './payload-fields.js';

/**
 * The raw capture of DESIGN.md: NDJSON, first line the `connected` line of the replay
 * format, then one `{"at","method","payload"}` line per webcast message with its protobuf
 * bytes in base64. A reconnect that lands in a new broadcast adds another `connected` line.
 */
export type RawLine =
  | { kind: 'connected'; event: ConnectedEvent }
  | { kind: 'message'; at: number; method: string; payload: Uint8Array };

/** Webcast message names are identifiers ("WebcastGiftMessage"). */
const METHOD = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function formatConnectedLine(event: ConnectedEvent): string {
  const { type, at, streamer, streamerId, roomId } = event;
  return JSON.stringify({ type, at, streamer, streamerId, roomId });
}

export function formatMessageLine(at: number, method: string, payload: Uint8Array): string {
  const base64 = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString(
    'base64',
  );
  return JSON.stringify({ at, method, payload: base64 });
}

/** One line of a raw capture; what is wrong with it otherwise. */
export function parseRawLine(text: string): RawLine | InvalidEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return new InvalidEvent('not valid JSON');
  }
  const fields = asFields(value);
  if (!fields) return new InvalidEvent('a line must be a JSON object');
  if ('type' in fields) {
    const event = validateEvent(value);
    if (event instanceof InvalidEvent) return event;
    if (event.type !== 'connected') {
      return new InvalidEvent(
        `a raw capture holds "connected" lines and messages, not "${event.type}" events`,
      );
    }
    return { kind: 'connected', event };
  }
  const { at, method, payload } = fields;
  if (
    typeof at !== 'number' ||
    !Number.isInteger(at) ||
    at < LIMITS.minTime ||
    at > LIMITS.maxTime
  ) {
    return new InvalidEvent('"at" must be a time in milliseconds since 1970');
  }
  if (typeof method !== 'string' || !METHOD.test(method)) {
    return new InvalidEvent('"method" must be a webcast message name such as WebcastGiftMessage');
  }
  if (typeof payload !== 'string' || !BASE64.test(payload)) {
    return new InvalidEvent('"payload" must be base64');
  }
  return { kind: 'message', at, method, payload: Buffer.from(payload, 'base64') };
}
