import { InvalidEvent, validateEvent, type ConnectedEvent } from '../../domain/events.js';
import { LIMITS } from '../../domain/limits.js';
import { asFields } from './payload-fields.js';

/**
 * The raw capture of docs/formats.md: NDJSON, first line the `connected` line of the replay
 * format, then one `{"at","method","payload"}` line per webcast message with its protobuf
 * bytes in base64. A reconnect that lands in a new broadcast adds another `connected` line.
 */
export type RawLine =
  | { kind: 'connected'; event: ConnectedEvent }
  | { kind: 'message'; at: number; method: string; payload: Buffer };

/** Webcast message names are identifiers ("WebcastGiftMessage"). */
const METHOD = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
/** The start of a message line exactly as `formatMessageLine` writes it. */
const WRITTEN = /^\{"at":(\d{1,16}),"method":"([A-Za-z][A-Za-z0-9_]{0,127})","payload":"/;

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

/**
 * One line of a raw capture; what is wrong with it otherwise. With `payloads`, the payload
 * is decoded into its buffer and stays valid until the next line is read with it.
 */
export function parseRawLine(text: string, payloads?: PayloadBuffer): RawLine | InvalidEvent {
  const decodeBase64 = payloads ? payloads.decode : decodeFresh;
  // Lines as livetally writes them are read without building a copy of the payload text
  // (most of the line) only to decode it: the same checks, a third of the work.
  const written = WRITTEN.exec(text);
  if (written && text.endsWith('"}')) {
    const at = Number(written[1]);
    const payload = decodeBase64(text.slice(written[0].length, -2));
    if (validTime(at) && payload) return { kind: 'message', at, method: written[2]!, payload };
  }
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
  if (typeof at !== 'number' || !validTime(at)) {
    return new InvalidEvent('"at" must be a time in milliseconds since 1970');
  }
  if (typeof method !== 'string' || !METHOD.test(method)) {
    return new InvalidEvent('"method" must be a webcast message name such as WebcastGiftMessage');
  }
  const bytes = typeof payload === 'string' ? decodeBase64(payload) : undefined;
  if (!bytes) return new InvalidEvent('"payload" must be base64');
  return { kind: 'message', at, method, payload: bytes };
}

function validTime(at: number): boolean {
  return Number.isInteger(at) && at >= LIMITS.minTime && at <= LIMITS.maxTime;
}

/**
 * Where payloads are decoded, one after the other: a replay handles each message before it
 * reads the next, so one buffer does, instead of a new one (and garbage) per message.
 */
export class PayloadBuffer {
  private bytes = Buffer.allocUnsafe(64 * 1024);

  readonly decode = (text: string): Buffer | undefined => {
    const length = base64Length(text);
    if (length === undefined) return undefined;
    if (length > this.bytes.length) {
      this.bytes = Buffer.allocUnsafe(Math.max(length, 2 * this.bytes.length));
    }
    const written = this.bytes.write(text, 'base64');
    return written === length ? this.bytes.subarray(0, length) : undefined;
  };
}

/** The bytes of padded base64 text, or undefined when it is not base64. */
function decodeFresh(text: string): Buffer | undefined {
  const length = base64Length(text);
  if (length === undefined) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === length ? bytes : undefined;
}

/**
 * How many bytes padded base64 text stands for. Node's decoder skips what is not base64
 * (and stops at a misplaced "="), so the text is base64 exactly when it decodes to this
 * many bytes — checked without a regular expression over the whole payload. (The URL-safe
 * "-" and "_" pass too.)
 */
function base64Length(text: string): number | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}
