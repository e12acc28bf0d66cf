import { describe, expect, it } from 'vitest';
import {
  WebcastEvent,
  WebcastGiftMessage,
  WebcastLikeMessage,
  WebcastRoomUserSeqMessage,
  deserializeMessage,
} from 'tiktok-live-connector';
import { createLogger } from '../../src/app/logger.js';
import { validateEvent, InvalidEvent } from '../../src/domain/events.js';
import { LIMITS } from '../../src/domain/limits.js';
import { ADAPTED_EVENTS, TikTokEventAdapter } from '../../src/sources/tiktok/event-adapter.js';
import { WebcastConnection } from '../../src/sources/tiktok/webcast-connection.js';
import {
  T0,
  ann,
  chatMessage,
  giftMessage,
  likeMessage,
  memberMessage,
  socialMessage,
  type Encoded,
  type GiftSpec,
} from './fixtures/webcast-messages.js';

const NOW = T0 + 999_000;

function adapter() {
  const logs: string[] = [];
  const adapt = new TikTokEventAdapter({
    now: () => NOW,
    logger: createLogger('debug', (line) => logs.push(line)),
  });
  return { adapt, logs };
}

/** The payload object exactly as the library emits it: its own decoder's output. */
function decoded(message: Encoded): unknown {
  return deserializeMessage(message.method as 'WebcastGiftMessage', Buffer.from(message.payload));
}

const rose: GiftSpec = {
  msgId: '501',
  at: T0,
  from: ann,
  giftId: 5655,
  name: 'Rose',
  diamonds: 1,
  type: 1,
  repeatCount: 4,
  repeatEnd: 1,
  groupId: '77',
};

describe('the TikTok event adapter', () => {
  it('listens to follow and share, never to social (one kind of message, counted once)', () => {
    expect(ADAPTED_EVENTS).toContain(WebcastEvent.FOLLOW);
    expect(ADAPTED_EVENTS).toContain(WebcastEvent.SHARE);
    expect(ADAPTED_EVENTS).not.toContain(WebcastEvent.SOCIAL);
  });

  it('the library dispatches a follow only as `follow` and a share only as `share`', async () => {
    const connection = new WebcastConnection('alice', {});
    const seen: string[] = [];
    for (const name of [WebcastEvent.FOLLOW, WebcastEvent.SHARE, WebcastEvent.SOCIAL]) {
      connection.on(name, () => seen.push(name));
    }
    for (const kind of ['follow', 'share', 'other'] as const) {
      const message = socialMessage({ msgId: '1', from: ann, kind });
      expect(await connection.replayMessage(message.method, message.payload)).toEqual({
        kind: 'dispatched',
      });
    }
    expect(seen).toEqual(['follow', 'share', 'social']);
  });

  it('translates a gift field by field: type 1 is streakable, repeatEnd 1 is true', () => {
    const { adapt } = adapter();
    expect(adapt.adapt(WebcastEvent.GIFT, decoded(giftMessage(rose)))).toEqual({
      type: 'gift',
      at: T0,
      msgId: '501',
      user: { id: ann.id, handle: ann.handle, nickname: ann.nickname },
      giftId: '5655',
      giftName: 'Rose',
      diamonds: 1,
      repeatCount: 4,
      streakable: true,
      repeatEnd: true,
      groupId: '77',
    });
    const lion = adapt.adapt(
      WebcastEvent.GIFT,
      decoded(giftMessage({ ...rose, type: 2, repeatEnd: 0, groupId: '0', repeatCount: 1 })),
    );
    expect(lion).toMatchObject({ streakable: false, repeatEnd: false });
    expect(lion).not.toHaveProperty('groupId');
  });

  it('takes the gift id from the gift details when the message has none', () => {
    const { adapt } = adapter();
    const payload = WebcastGiftMessage.decode(giftMessage(rose).payload);
    expect(adapt.adapt(WebcastEvent.GIFT, { ...payload, giftId: '0' })).toMatchObject({
      giftId: '5655',
    });
  });

  it('likes: the room total when sent, nothing when the total is the protobuf default', () => {
    const { adapt } = adapter();
    const like = (total: number) =>
      adapt.adapt(
        WebcastEvent.LIKE,
        decoded(likeMessage({ msgId: '9', from: ann, count: 15, total })),
      );
    expect(like(12_345)).toMatchObject({ type: 'like', count: 15, roomTotal: 12_345 });
    expect(like(0)).not.toHaveProperty('roomTotal');
  });

  it('keeps the room total of a like without a usable user; only the viewer part is lost', () => {
    const { adapt } = adapter();
    const payload = WebcastLikeMessage.decode(
      likeMessage({ msgId: '9', from: ann, count: 15, total: 12_345 }).payload,
    ) as unknown as Record<string, unknown>;
    for (const who of [undefined, { ...(payload['user'] as object), id: '0', idStr: '' }]) {
      const event = adapt.adapt(WebcastEvent.LIKE, { ...payload, user: who });
      expect(event).toMatchObject({ type: 'like', msgId: '9', count: 15, roomTotal: 12_345 });
      expect(event).not.toHaveProperty('user');
    }
    // without a room total there is nothing left to count
    expect(
      adapt.adapt(WebcastEvent.LIKE, { ...payload, user: undefined, total: '0' }),
    ).toBeUndefined();
  });

  it('viewers are the room total (a gauge), with the message time or now', () => {
    const { adapt } = adapter();
    const payload = WebcastRoomUserSeqMessage.decode(new Uint8Array(0));
    expect(adapt.adapt(WebcastEvent.ROOM_USER, { ...payload, total: '321' })).toEqual({
      type: 'viewers',
      at: NOW,
      count: 321,
    });
  });

  it('member joins only; chat text; stream end reasons', () => {
    const { adapt } = adapter();
    expect(
      adapt.adapt(
        WebcastEvent.MEMBER,
        decoded(memberMessage({ msgId: '3', from: ann, action: 1 })),
      ),
    ).toMatchObject({ type: 'join', msgId: '3' });
    expect(
      adapt.adapt(
        WebcastEvent.MEMBER,
        decoded(memberMessage({ msgId: '4', from: ann, action: 3 })),
      ),
    ).toBeUndefined();
    expect(
      adapt.adapt(WebcastEvent.CHAT, decoded(chatMessage({ msgId: '5', from: ann, text: 'gg' }))),
    ).toMatchObject({ type: 'chat', text: 'gg' });
    expect(adapt.adapt(WebcastEvent.STREAM_END, { action: 3 })).toEqual({
      type: 'streamEnd',
      at: NOW,
      reason: 'ended',
    });
    expect(adapt.adapt(WebcastEvent.STREAM_END, { action: 4 })).toMatchObject({
      reason: 'suspended',
    });
  });

  it('clips display text instead of dropping the message, without splitting an emoji', () => {
    const { adapt } = adapter();
    const long = { ...ann, nickname: `${'n'.repeat(LIMITS.nicknameLength - 1)}😀tail` };
    const event = adapt.adapt(WebcastEvent.GIFT, decoded(giftMessage({ ...rose, from: long })));
    expect(event).toMatchObject({
      type: 'gift',
      user: { nickname: 'n'.repeat(LIMITS.nicknameLength - 1) },
    });
    const chat = adapt.adapt(
      WebcastEvent.CHAT,
      decoded(chatMessage({ msgId: '5', from: ann, text: 'x'.repeat(5000) })),
    );
    expect(chat).toMatchObject({ text: 'x'.repeat(LIMITS.chatLength) });
  });

  it.each<[string, (gift: Record<string, unknown>) => Record<string, unknown>, string]>([
    [
      'no message id',
      (g) => ({ ...g, common: { ...(g['common'] as object), msgId: '0' } }),
      'no message id',
    ],
    ['no user', (g) => ({ ...g, user: undefined }), 'no user id'],
    [
      'user id 0',
      (g) => ({ ...g, user: { ...(g['user'] as object), id: '0', idStr: '' } }),
      'no user id',
    ],
    ['no gift details', (g) => ({ ...g, gift: undefined }), 'no gift details'],
    ['repeat count 0', (g) => ({ ...g, repeatCount: 0 }), 'gift.repeatCount'],
    [
      'negative diamonds',
      (g) => ({ ...g, gift: { ...(g['gift'] as object), diamondCount: -5 } }),
      'gift.diamonds',
    ],
    [
      'absurd diamonds',
      (g) => ({ ...g, gift: { ...(g['gift'] as object), diamondCount: 2 ** 31 - 1 } }),
      'gift.diamonds',
    ],
    ['repeat count a string', (g) => ({ ...g, repeatCount: '3' }), 'no repeat count'],
    ['repeatEnd missing', (g) => ({ ...g, repeatEnd: undefined }), 'no repeatEnd'],
    [
      'gift id garbage',
      (g) => ({ ...g, giftId: 'x', gift: { ...(g['gift'] as object), id: 'y' } }),
      'no gift id',
    ],
  ])('skips a gift with %s and logs it at debug', (_name, mutate, reason) => {
    const { adapt, logs } = adapter();
    const payload = WebcastGiftMessage.decode(giftMessage(rose).payload) as unknown as Record<
      string,
      unknown
    >;
    expect(adapt.adapt(WebcastEvent.GIFT, mutate(payload))).toBeUndefined();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^debug: skipped a TikTok gift message/);
    expect(logs[0]).toContain(reason);
  });

  it.each<[string, unknown]>([
    ['a count beyond 2^53', '99999999999999999999'],
    ['a negative count', '-5'],
    ['a float', '1.5'],
    ['not a number', 'many'],
    ['beyond any real LIVE', String(LIMITS.maxRoomLikes + 1)],
  ])('skips a like whose room total is %s, never counting it wrong', (_name, total) => {
    const { adapt, logs } = adapter();
    const payload = WebcastLikeMessage.decode(
      likeMessage({ msgId: '9', from: ann, count: 1, total: 5 }).payload,
    );
    expect(adapt.adapt(WebcastEvent.LIKE, { ...payload, total })).toBeUndefined();
    expect(logs).toHaveLength(1);
  });

  it('skips a viewer count that is absurd or missing, and anything that is not an object', () => {
    const { adapt, logs } = adapter();
    expect(
      adapt.adapt(WebcastEvent.ROOM_USER, { total: String(LIMITS.maxViewers + 1) }),
    ).toBeUndefined();
    expect(adapt.adapt(WebcastEvent.ROOM_USER, {})).toBeUndefined();
    expect(adapt.adapt(WebcastEvent.GIFT, null)).toBeUndefined();
    expect(adapt.adapt(WebcastEvent.GIFT, [1, 2])).toBeUndefined();
    expect(logs).toHaveLength(4);
  });

  it('a nonsensical message time falls back to now; every event it makes is valid', () => {
    const { adapt } = adapter();
    const payload = WebcastGiftMessage.decode(giftMessage(rose).payload);
    for (const createTime of ['0', '12', 'abc', '99999999999999']) {
      const event = adapt.adapt(WebcastEvent.GIFT, {
        ...payload,
        common: { ...payload.common, createTime },
      });
      expect(event?.at).toBe(NOW);
      expect(validateEvent(event)).not.toBeInstanceOf(InvalidEvent);
    }
  });

  it('accepts ids as the library may hand them (idStr only, bigint) without losing digits', () => {
    const { adapt } = adapter();
    const payload = WebcastGiftMessage.decode(giftMessage(rose).payload);
    const event = adapt.adapt(WebcastEvent.GIFT, {
      ...payload,
      user: { ...payload.user, id: undefined, idStr: '7000000000000000099' },
      common: { ...payload.common, msgId: 7390000000000000001n },
    });
    expect(event).toMatchObject({
      msgId: '7390000000000000001',
      user: { id: '7000000000000000099' },
    });
  });
});
