import { WebcastEvent } from 'tiktok-live-connector';
import type { Logger } from '../../app/logger.js';
import {
  InvalidEvent,
  validateEvent,
  type BroadcastEvent,
  type StreamUser,
} from '../../domain/events.js';
import { LIMITS } from '../../domain/limits.js';
import {
  asFields,
  clip,
  readCount,
  readId,
  readInt,
  readString,
  type Fields,
} from './payload-fields.js';

/**
 * The library events livetally listens to. Follow and share come only from the library's
 * own `follow`/`share` events (derived from social messages); `social` is never listened
 * to, so a follow can never be counted twice.
 */
export const ADAPTED_EVENTS = [
  WebcastEvent.GIFT,
  WebcastEvent.LIKE,
  WebcastEvent.ROOM_USER,
  WebcastEvent.FOLLOW,
  WebcastEvent.SHARE,
  WebcastEvent.CHAT,
  WebcastEvent.MEMBER,
  WebcastEvent.STREAM_END,
] as const;
export type AdaptedEvent = (typeof ADAPTED_EVENTS)[number];

/** TikTok's gift type of combo gifts: sent on every tick, counted at the end. */
const STREAKABLE_GIFT_TYPE = 1;
const MEMBER_JOINED = 1;
/** ControlAction values the library ends the stream on. */
const STREAM_SUSPENDED = 4;

/** A reason the message was skipped, for the debug log. */
type Skip = string;

export interface EventAdapterOptions {
  /** Time for messages that carry none (or a nonsensical one), e.g. the stream end. */
  now: () => number;
  logger: Logger;
}

/**
 * Translates tiktok-live-connector events into normalized events, field by field, and
 * nothing more: streaks, duplicates and totals are the stats rules' business. A message
 * that does not fit (no user id, no message id, a count that is not a number) is logged
 * at debug and skipped — never guessed at, so it can never be counted wrong.
 */
export class TikTokEventAdapter {
  constructor(private readonly options: EventAdapterOptions) {}

  adapt(name: AdaptedEvent, payload: unknown): BroadcastEvent | undefined {
    const data = asFields(payload);
    const result = data ? this.translate(name, data) : 'the payload is not an object';
    if (typeof result === 'string') return this.skip(name, data, result);
    const valid = validateEvent(result);
    if (valid instanceof InvalidEvent) return this.skip(name, data, valid.error);
    return valid as BroadcastEvent;
  }

  private translate(name: AdaptedEvent, data: Fields): BroadcastEvent | Skip {
    switch (name) {
      case WebcastEvent.ROOM_USER: {
        const count = readCount(data['total']);
        if (count === undefined) return 'no viewer total';
        return { type: 'viewers', at: this.timeOf(data), count };
      }
      case WebcastEvent.STREAM_END: {
        const action = readInt(data['action']);
        return {
          type: 'streamEnd',
          at: this.options.now(),
          reason: action === STREAM_SUSPENDED ? 'suspended' : 'ended',
        };
      }
      case WebcastEvent.GIFT:
        return this.gift(data);
      case WebcastEvent.LIKE:
        return this.like(data);
      case WebcastEvent.FOLLOW:
        return this.withViewer(data, (base) => ({ type: 'follow', ...base }));
      case WebcastEvent.SHARE:
        return this.withViewer(data, (base) => ({ type: 'share', ...base }));
      case WebcastEvent.CHAT:
        return this.withViewer(data, (base) => ({
          type: 'chat',
          ...base,
          text: clip(readString(data['content']) ?? '', LIMITS.chatLength),
        }));
      case WebcastEvent.MEMBER:
        return this.withViewer(data, (base) =>
          readInt(data['action']) === MEMBER_JOINED
            ? { type: 'join', ...base }
            : `member action ${String(data['action'])} is not a join`,
        );
    }
  }

  /**
   * A like needs a message id; its room total counts even without a usable viewer (TikTok
   * sends like totals whose per-viewer part is missing), only the viewer's share is lost.
   */
  private like(data: Fields): BroadcastEvent | Skip {
    const msgId = readId(asFields(data['common'])?.['msgId']);
    if (!msgId) return 'no message id';
    const count = readInt(data['count']);
    if (count === undefined || count < 0) return 'no like count';
    const total = data['total'];
    let roomTotal: number | undefined;
    // "0" is protobuf's default: the message did not carry the room total.
    if (total !== undefined && total !== '0' && total !== 0) {
      roomTotal = readCount(total);
      if (roomTotal === undefined) return 'the room like total is not a count';
    }
    const user = readUser(data['user']);
    if (!user && roomTotal === undefined) return 'no user id';
    return {
      type: 'like',
      at: this.timeOf(data),
      msgId,
      ...(user ? { user } : {}),
      count,
      ...(roomTotal === undefined ? {} : { roomTotal }),
    };
  }

  private gift(data: Fields): BroadcastEvent | Skip {
    return this.withViewer(data, (base) => {
      const gift = asFields(data['gift']);
      if (!gift) return 'no gift details';
      const giftId = readId(data['giftId']) ?? readId(gift['id']);
      if (!giftId) return 'no gift id';
      const diamonds = readInt(gift['diamondCount']);
      if (diamonds === undefined) return 'no diamond value';
      const repeatCount = readInt(data['repeatCount']);
      if (repeatCount === undefined) return 'no repeat count';
      const repeatEnd = data['repeatEnd'];
      if (typeof repeatEnd !== 'number' && typeof repeatEnd !== 'boolean') return 'no repeatEnd';
      const groupId = readId(data['groupId']);
      return {
        type: 'gift',
        ...base,
        giftId,
        giftName: clip(readString(gift['name']) ?? '', LIMITS.giftNameLength),
        diamonds,
        repeatCount,
        streakable: readInt(gift['type']) === STREAKABLE_GIFT_TYPE,
        // A number on the wire (0 or 1) despite the library's README.
        repeatEnd: repeatEnd === true || (typeof repeatEnd === 'number' && repeatEnd !== 0),
        ...(groupId === undefined ? {} : { groupId }),
      };
    });
  }

  /** Messages from a viewer need a stable user id and a message id, or they are skipped. */
  private withViewer(
    data: Fields,
    build: (base: { at: number; msgId: string; user: StreamUser }) => BroadcastEvent | Skip,
  ): BroadcastEvent | Skip {
    const msgId = readId(asFields(data['common'])?.['msgId']);
    if (!msgId) return 'no message id';
    const user = readUser(data['user']);
    if (!user) return 'no user id';
    return build({ at: this.timeOf(data), msgId, user });
  }

  private timeOf(data: Fields): number {
    const at = readCount(asFields(data['common'])?.['createTime']);
    return at !== undefined && at >= LIMITS.minTime && at <= LIMITS.maxTime
      ? at
      : this.options.now();
  }

  private skip(name: string, data: Fields | undefined, reason: string): undefined {
    const msgId = readId(asFields(data?.['common'])?.['msgId']);
    this.options.logger.debug(
      `skipped a TikTok ${name} message${msgId ? ` (${msgId})` : ''}: ${reason}`,
    );
    return undefined;
  }
}

function readUser(value: unknown): StreamUser | undefined {
  const user = asFields(value);
  if (!user) return undefined;
  // `id` is the stable numeric id; `idStr` carries the same value where `id` is missing.
  const id = readId(user['id']) ?? readId(user['idStr']);
  if (!id) return undefined;
  return {
    id,
    handle: clip(readString(user['displayId']) ?? '', LIMITS.handleLength),
    nickname: clip(readString(user['nickname']) ?? '', LIMITS.nicknameLength),
  };
}
