/**
 * The event validator as it was before the hand-written per-type functions of
 * src/domain/events.ts (a table of field checks per type), kept unchanged as the oracle the
 * new one is compared with: same accept/reject decisions, same messages, same in-place
 * normalisation.
 */
import { InvalidEvent, type StreamEvent, type StreamEventType } from '../../src/domain/events.js';
import { LIMITS } from '../../src/domain/limits.js';

// Validation ----------------------------------------------------------------------------
// A table of field checks per event type. Hand-written rather than a schema library: it
// runs for every event of million-event replays and returns the input object itself.

/** Returns an error, or undefined; may normalise the value in place (`owner[key]`). */
type Check = (value: unknown, owner: Record<string, unknown>, key: string) => string | undefined;

const integer =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `must be a whole number from ${min} to ${max}`;

const text =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'string' && v.length >= min && v.length <= max
      ? undefined
      : min > 0
        ? `must be a non-empty string of at most ${max} characters`
        : `must be a string of at most ${max} characters`;

const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');

const optional =
  (check: Check): Check =>
  (v, owner, key) =>
    v === undefined ? undefined : check(v, owner, key);

const time: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= LIMITS.minTime && v <= LIMITS.maxTime
    ? undefined
    : 'must be a time in milliseconds since 1970';

/**
 * An opaque id: a string, or a whole number (turned into its decimal string). A number
 * beyond 2^53 has already lost digits in JSON.parse, so it is refused, not guessed at.
 */
const opaqueId =
  (min: number): Check =>
  (v, owner, key) => {
    if (typeof v === 'string')
      return v.length >= min && v.length <= LIMITS.idLength ? undefined : ID_ERROR;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return ID_ERROR;
    owner[key] = String(v);
    return undefined;
  };
const ID_ERROR = `must be a non-empty string of at most ${LIMITS.idLength} characters, or a whole number below 2^53`;
const id = opaqueId(1);
/** The same, where TikTok may send an empty one. */
const idOrEmpty = opaqueId(0);

type Fields = readonly (readonly [string, Check])[];

const USER_FIELDS: Fields = [
  ['id', id],
  ['handle', text(0, LIMITS.handleLength)],
  ['nickname', text(0, LIMITS.nicknameLength)],
];

const user: Check = (v) => {
  if (!isRecord(v)) return 'must be an object {id, handle, nickname}';
  for (const [key, check] of USER_FIELDS) {
    const error = check(v[key], v, key);
    if (error) return `.${key} ${error}`;
  }
  return undefined;
};

/** A like's room total counts without a viewer; without a room total a viewer is needed. */
const likeUser: Check = (v, owner, key) => {
  const error = user(v, owner, key);
  if (error === undefined || owner['roomTotal'] === undefined) return error;
  delete owner[key];
  return undefined;
};

const MESSAGE: Fields = [
  ['at', time],
  ['msgId', id],
  ['user', user],
];

const FIELDS: Record<StreamEventType, Fields> = {
  connected: [
    ['at', time],
    ['streamer', text(1, LIMITS.handleLength)],
    ['streamerId', idOrEmpty],
    ['roomId', id],
  ],
  viewers: [
    ['at', time],
    ['count', integer(0, LIMITS.maxViewers)],
  ],
  like: [
    ['at', time],
    ['msgId', id],
    ['user', likeUser],
    ['count', integer(0, LIMITS.maxLikeBatch)],
    ['roomTotal', optional(integer(0, LIMITS.maxRoomLikes))],
  ],
  gift: [
    ...MESSAGE,
    ['giftId', id],
    ['giftName', text(0, LIMITS.giftNameLength)],
    ['diamonds', integer(0, LIMITS.maxDiamondsPerItem)],
    ['repeatCount', integer(1, LIMITS.maxRepeatCount)],
    ['streakable', boolean],
    ['repeatEnd', boolean],
    ['groupId', optional(idOrEmpty)],
  ],
  follow: MESSAGE,
  share: MESSAGE,
  chat: [...MESSAGE, ['text', text(0, LIMITS.chatLength)]],
  join: MESSAGE,
  streamEnd: [
    ['at', time],
    ['reason', text(0, LIMITS.reasonLength)],
  ],
};

/**
 * Checks a decoded value against the event's fields; the error names the first offending
 * field ("gift.repeatCount: must be a whole number from 1 to 100000"). Unknown fields are
 * ignored. On success the value itself is returned, typed, with numeric ids turned into
 * strings (and a like's unusable viewer removed) in place.
 */
export function referenceValidateEvent(value: unknown): StreamEvent | InvalidEvent {
  if (!isRecord(value)) return new InvalidEvent('an event must be a JSON object');
  const type = value['type'];
  if (typeof type !== 'string') return new InvalidEvent('an event needs a "type"');
  const fields = Object.hasOwn(FIELDS, type) ? FIELDS[type as StreamEventType] : undefined;
  if (!fields) return new InvalidEvent(`unknown event type "${type.slice(0, 40)}"`);
  for (const [key, check] of fields) {
    const error = check(value[key], value, key);
    if (error)
      return new InvalidEvent(`${type}.${key}${error.startsWith('.') ? '' : ': '}${error}`);
  }
  return value as unknown as StreamEvent;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
