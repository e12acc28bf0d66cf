import { LIMITS } from './limits.js';

/**
 * Normalized stream events: what every source (TikTok, a replay) produces and the only
 * input the stats rules see. The wire form is the recording format of docs/formats.md.
 */

export interface StreamUser {
  /** TikTok's numeric user id: stable, the key for everything per viewer (opaque text). */
  id: string;
  /** The @handle (may change). */
  handle: string;
  nickname: string;
}

interface Timed {
  /** Milliseconds since 1970. */
  at: number;
}

interface FromViewer extends Timed {
  /** TikTok's message id: the same message sent again is counted once. */
  msgId: string;
  user: StreamUser;
}

/*
 * Ids (`msgId`, `user.id`, `giftId`, `groupId`, `roomId`, `streamerId`) are opaque text:
 * validation accepts a JSON string or a whole number and hands on the decimal string, so
 * "5655" and 5655 are the same id everywhere after it.
 */

export interface ConnectedEvent extends Timed {
  type: 'connected';
  streamer: string;
  streamerId: string;
  roomId: string;
}
export interface ViewersEvent extends Timed {
  type: 'viewers';
  count: number;
}
export interface LikeEvent extends Omit<FromViewer, 'user'> {
  type: 'like';
  /** Absent when TikTok sent a room total without a usable viewer: only likes move then. */
  user?: StreamUser;
  /** Likes in this batch. */
  count: number;
  /** The room's like total, when TikTok sent it. */
  roomTotal?: number;
}
export interface GiftEvent extends FromViewer {
  type: 'gift';
  giftId: string;
  giftName: string;
  /** Diamond (coin) value of one item. */
  diamonds: number;
  repeatCount: number;
  /** TikTok gift type 1: sent on every tick of a combo, counted at its end. */
  streakable: boolean;
  repeatEnd: boolean;
  groupId?: string;
}
export interface FollowEvent extends FromViewer {
  type: 'follow';
}
export interface ShareEvent extends FromViewer {
  type: 'share';
}
export interface ChatEvent extends FromViewer {
  type: 'chat';
  text: string;
}
export interface JoinEvent extends FromViewer {
  type: 'join';
}
export interface StreamEndEvent extends Timed {
  type: 'streamEnd';
  reason: string;
}

export type StreamEvent =
  | ConnectedEvent
  | ViewersEvent
  | LikeEvent
  | GiftEvent
  | FollowEvent
  | ShareEvent
  | ChatEvent
  | JoinEvent
  | StreamEndEvent;
export type StreamEventType = StreamEvent['type'];
/** Events that happen inside a broadcast (everything but the `connected` header). */
export type BroadcastEvent = Exclude<StreamEvent, ConnectedEvent>;

/** Why a value is not a valid event. Returned, not thrown: bad lines are routine input. */
export class InvalidEvent {
  constructor(readonly error: string) {}
}

// Validation ----------------------------------------------------------------------------
// Hand-written, one function per event type, rather than a schema library or a table of
// checks: it runs for every event of million-event replays and returns the input object
// itself. The checks of a type run in a fixed order and the first failing one is the
// error ("gift.repeatCount: must be a whole number from 1 to 100000"); a numeric id checked
// before it has already been turned into its string in place. The decisions and messages
// are those of the table of checks this replaced (test/unit/event-validator-oracle.test.ts).

const TIME_ERROR = 'must be a time in milliseconds since 1970';
const BOOLEAN_ERROR = 'must be true or false';
const USER_ERROR = 'must be an object {id, handle, nickname}';
const ID_ERROR = `must be a non-empty string of at most ${LIMITS.idLength} characters, or a whole number below 2^53`;

const integerError = (min: number, max: number) => `must be a whole number from ${min} to ${max}`;
const textError = (min: number, max: number) =>
  min > 0
    ? `must be a non-empty string of at most ${max} characters`
    : `must be a string of at most ${max} characters`;

const VIEWERS_ERROR = integerError(0, LIMITS.maxViewers);
const LIKE_COUNT_ERROR = integerError(0, LIMITS.maxLikeBatch);
const ROOM_TOTAL_ERROR = integerError(0, LIMITS.maxRoomLikes);
const DIAMONDS_ERROR = integerError(0, LIMITS.maxDiamondsPerItem);
const REPEAT_ERROR = integerError(1, LIMITS.maxRepeatCount);
const STREAMER_ERROR = textError(1, LIMITS.handleLength);
const HANDLE_ERROR = textError(0, LIMITS.handleLength);
const NICKNAME_ERROR = textError(0, LIMITS.nicknameLength);
const GIFT_NAME_ERROR = textError(0, LIMITS.giftNameLength);
const CHAT_ERROR = textError(0, LIMITS.chatLength);
const REASON_ERROR = textError(0, LIMITS.reasonLength);

function isInteger(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function isText(v: unknown, min: number, max: number): boolean {
  return typeof v === 'string' && v.length >= min && v.length <= max;
}

function isTime(v: unknown): boolean {
  return isInteger(v, LIMITS.minTime, LIMITS.maxTime);
}

/**
 * An opaque id: a string, or a whole number (turned into its decimal string in place). A
 * number beyond 2^53 has already lost digits in JSON.parse, so it is refused, not guessed
 * at. `min` is 0 where TikTok may send an empty one.
 */
function isId(owner: Record<string, unknown>, key: string, min: number): boolean {
  const v = owner[key];
  if (typeof v === 'string') return v.length >= min && v.length <= LIMITS.idLength;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return false;
  owner[key] = String(v);
  return true;
}

/** The error of a `user` field, after the field name ("user.id must …"), or undefined. */
function userError(v: unknown): string | undefined {
  if (!isRecord(v)) return `: ${USER_ERROR}`;
  if (!isId(v, 'id', 1)) return `.id ${ID_ERROR}`;
  if (!isText(v['handle'], 0, LIMITS.handleLength)) return `.handle ${HANDLE_ERROR}`;
  if (!isText(v['nickname'], 0, LIMITS.nicknameLength)) return `.nickname ${NICKNAME_ERROR}`;
  return undefined;
}

/** `at`, `msgId` and `user`, which every event from a viewer has ("at: must …"). */
function messageError(v: Record<string, unknown>): string | undefined {
  if (!isTime(v['at'])) return `at: ${TIME_ERROR}`;
  if (!isId(v, 'msgId', 1)) return `msgId: ${ID_ERROR}`;
  const error = userError(v['user']);
  return error === undefined ? undefined : `user${error}`;
}

function likeError(v: Record<string, unknown>): string | undefined {
  if (!isTime(v['at'])) return `at: ${TIME_ERROR}`;
  if (!isId(v, 'msgId', 1)) return `msgId: ${ID_ERROR}`;
  const error = userError(v['user']);
  if (error !== undefined) {
    // A like's room total counts without a viewer; without a room total a viewer is needed.
    if (v['roomTotal'] === undefined) return `user${error}`;
    delete v['user'];
  }
  if (!isInteger(v['count'], 0, LIMITS.maxLikeBatch)) return `count: ${LIKE_COUNT_ERROR}`;
  const total = v['roomTotal'];
  if (total !== undefined && !isInteger(total, 0, LIMITS.maxRoomLikes)) {
    return `roomTotal: ${ROOM_TOTAL_ERROR}`;
  }
  return undefined;
}

function giftError(v: Record<string, unknown>): string | undefined {
  const error = messageError(v);
  if (error !== undefined) return error;
  if (!isId(v, 'giftId', 1)) return `giftId: ${ID_ERROR}`;
  if (!isText(v['giftName'], 0, LIMITS.giftNameLength)) return `giftName: ${GIFT_NAME_ERROR}`;
  if (!isInteger(v['diamonds'], 0, LIMITS.maxDiamondsPerItem)) return `diamonds: ${DIAMONDS_ERROR}`;
  if (!isInteger(v['repeatCount'], 1, LIMITS.maxRepeatCount)) {
    return `repeatCount: ${REPEAT_ERROR}`;
  }
  if (typeof v['streakable'] !== 'boolean') return `streakable: ${BOOLEAN_ERROR}`;
  if (typeof v['repeatEnd'] !== 'boolean') return `repeatEnd: ${BOOLEAN_ERROR}`;
  if (v['groupId'] !== undefined && !isId(v, 'groupId', 0)) return `groupId: ${ID_ERROR}`;
  return undefined;
}

function chatError(v: Record<string, unknown>): string | undefined {
  const error = messageError(v);
  if (error !== undefined) return error;
  return isText(v['text'], 0, LIMITS.chatLength) ? undefined : `text: ${CHAT_ERROR}`;
}

function viewersError(v: Record<string, unknown>): string | undefined {
  if (!isTime(v['at'])) return `at: ${TIME_ERROR}`;
  return isInteger(v['count'], 0, LIMITS.maxViewers) ? undefined : `count: ${VIEWERS_ERROR}`;
}

function connectedError(v: Record<string, unknown>): string | undefined {
  if (!isTime(v['at'])) return `at: ${TIME_ERROR}`;
  if (!isText(v['streamer'], 1, LIMITS.handleLength)) return `streamer: ${STREAMER_ERROR}`;
  if (!isId(v, 'streamerId', 0)) return `streamerId: ${ID_ERROR}`;
  return isId(v, 'roomId', 1) ? undefined : `roomId: ${ID_ERROR}`;
}

function streamEndError(v: Record<string, unknown>): string | undefined {
  if (!isTime(v['at'])) return `at: ${TIME_ERROR}`;
  return isText(v['reason'], 0, LIMITS.reasonLength) ? undefined : `reason: ${REASON_ERROR}`;
}

/**
 * Checks a decoded value against the event's fields; the error names the first offending
 * field ("gift.repeatCount: must be a whole number from 1 to 100000"). Unknown fields are
 * ignored. On success the value itself is returned, typed, with numeric ids turned into
 * strings (and a like's unusable viewer removed) in place.
 */
export function validateEvent(value: unknown): StreamEvent | InvalidEvent {
  if (!isRecord(value)) return new InvalidEvent('an event must be a JSON object');
  const type = value['type'];
  if (typeof type !== 'string') return new InvalidEvent('an event needs a "type"');
  let error: string | undefined;
  switch (type) {
    case 'like':
      error = likeError(value);
      break;
    case 'chat':
      error = chatError(value);
      break;
    case 'join':
    case 'follow':
    case 'share':
      error = messageError(value);
      break;
    case 'gift':
      error = giftError(value);
      break;
    case 'viewers':
      error = viewersError(value);
      break;
    case 'connected':
      error = connectedError(value);
      break;
    case 'streamEnd':
      error = streamEndError(value);
      break;
    default:
      return new InvalidEvent(`unknown event type "${type.slice(0, 40)}"`);
  }
  return error === undefined
    ? (value as unknown as StreamEvent)
    : new InvalidEvent(`${type}.${error}`);
}

/** Parses one NDJSON line into a validated event. */
export function parseEventLine(line: string): StreamEvent | InvalidEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new InvalidEvent('not valid JSON');
  }
  return validateEvent(value);
}

export function isGiftEvent(value: unknown): value is GiftEvent {
  const result = validateEvent(value);
  return !(result instanceof InvalidEvent) && result.type === 'gift';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
