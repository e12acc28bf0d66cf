import type {
  ConnectedEvent,
  FollowEvent,
  GiftEvent,
  LikeEvent,
  ShareEvent,
  StreamUser,
  ViewersEvent,
  ChatEvent,
  JoinEvent,
  StreamEndEvent,
} from '../../src/domain/events.js';

/** Small builders for normalized events, with unique message ids unless given. */
export const T0 = Date.UTC(2026, 10, 20, 19, 0, 0);
let counter = 0;
const nextId = () => `m${++counter}`;

export function user(n: number | string): StreamUser {
  return { id: `u${n}`, handle: `user${n}`, nickname: `User ${n}` };
}

export function connected(over: Partial<ConnectedEvent> = {}): ConnectedEvent {
  return {
    type: 'connected',
    at: T0,
    streamer: 'alice',
    streamerId: '100',
    roomId: 'room-1',
    ...over,
  };
}

export function viewers(count: number, at = T0): ViewersEvent {
  return { type: 'viewers', at, count };
}

export function like(over: Partial<LikeEvent> & { count: number }): LikeEvent {
  return { type: 'like', at: T0, msgId: nextId(), user: user(1), ...over };
}

export function gift(over: Partial<GiftEvent> = {}): GiftEvent {
  return {
    type: 'gift',
    at: T0,
    msgId: nextId(),
    user: user(1),
    giftId: '5655',
    giftName: 'Rose',
    diamonds: 1,
    repeatCount: 1,
    streakable: true,
    repeatEnd: false,
    ...over,
  };
}

/** A whole combo: ticks 1..n, then the end message (unless `end` is false). */
export function combo(
  n: number,
  over: Partial<GiftEvent> = {},
  options: { end?: boolean } = {},
): GiftEvent[] {
  const events: GiftEvent[] = [];
  for (let i = 1; i <= n; i++) events.push(gift({ ...over, repeatCount: i, repeatEnd: false }));
  if (options.end ?? true) events.push(gift({ ...over, repeatCount: n, repeatEnd: true }));
  return events;
}

export function follow(who: StreamUser = user(1), over: Partial<FollowEvent> = {}): FollowEvent {
  return { type: 'follow', at: T0, msgId: nextId(), user: who, ...over };
}

export function share(who: StreamUser = user(1), over: Partial<ShareEvent> = {}): ShareEvent {
  return { type: 'share', at: T0, msgId: nextId(), user: who, ...over };
}

export function chat(who: StreamUser = user(1), text = 'hi'): ChatEvent {
  return { type: 'chat', at: T0, msgId: nextId(), user: who, text };
}

export function join(who: StreamUser = user(1), at = T0): JoinEvent {
  return { type: 'join', at, msgId: nextId(), user: who };
}

export function streamEnd(reason = 'ended', at = T0): StreamEndEvent {
  return { type: 'streamEnd', at, reason };
}
