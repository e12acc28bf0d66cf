import { describe, expect, it } from 'vitest';
import {
  InvalidEvent,
  parseEventLine,
  validateEvent,
  type StreamEvent,
} from '../../src/domain/events.js';
import {
  chat,
  connected,
  follow,
  gift,
  join,
  like,
  share,
  streamEnd,
  viewers,
} from '../helpers/events.js';

describe('event validation', () => {
  const valid: [string, StreamEvent][] = [
    ['connected', connected()],
    ['viewers', viewers(0)],
    ['like without room total', like({ count: 3 })],
    ['like with room total', like({ count: 3, roomTotal: 1200 })],
    ['streakable gift tick', gift()],
    ['gift with group id', gift({ groupId: '1700000000123' })],
    ['non-streakable gift', gift({ streakable: false, repeatEnd: true, diamonds: 29999 })],
    ['follow', follow()],
    ['share', share()],
    ['chat', chat(undefined, '❤️ hello')],
    ['join', join()],
    ['stream end', streamEnd('suspended')],
  ];
  it.each(valid)('accepts a %s event and returns it as is', (_name, event) => {
    expect(validateEvent(event)).toBe(event);
  });

  it('ignores fields it does not know', () => {
    const event = { ...like({ count: 1 }), extra: { nested: true } };
    expect(validateEvent(event)).toBe(event);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['a number', 42, /JSON object/],
    ['an array', [like({ count: 1 })], /JSON object/],
    ['null', null, /JSON object/],
    ['no type', { at: 1 }, /needs a "type"/],
    ['unknown type', { type: 'subscribe', at: Date.now() }, /unknown event type "subscribe"/],
    ['missing count', { ...viewers(1), count: undefined }, /viewers\.count/],
    ['negative viewers', viewers(-1), /viewers\.count: must be a whole number from 0/],
    ['NaN viewers', viewers(Number.NaN), /viewers\.count/],
    ['Infinity likes', like({ count: Infinity }), /like\.count/],
    ['fractional likes', like({ count: 1.5 }), /like\.count/],
    ['numeric string', { ...like({ count: 1 }), count: '15' }, /like\.count/],
    ['absurd like batch', like({ count: 1e9 }), /like\.count/],
    ['absurd room total', like({ count: 1, roomTotal: 1e20 }), /like\.roomTotal/],
    ['negative room total', like({ count: 1, roomTotal: -5 }), /like\.roomTotal/],
    ['absurd diamonds', gift({ diamonds: 1e12 }), /gift\.diamonds/],
    ['zero repeat count', gift({ repeatCount: 0 }), /gift\.repeatCount/],
    ['absurd repeat count', gift({ repeatCount: 5_000_000 }), /gift\.repeatCount/],
    ['repeatEnd as number', { ...gift(), repeatEnd: 1 }, /gift\.repeatEnd: must be true or false/],
    ['empty message id', gift({ msgId: '' }), /gift\.msgId/],
    ['missing user', { ...follow(), user: undefined }, /follow\.user: must be an object/],
    ['user without id', { ...share(), user: { handle: 'a', nickname: 'b' } }, /share\.user\.id/],
    ['time in seconds', { ...join(), at: 1_700_000_000 }, /join\.at: must be a time/],
    ['time as string', { ...join(), at: '2026-01-01' }, /join\.at/],
    ['connected without room', { ...connected(), roomId: '' }, /connected\.roomId/],
    ['very long chat', chat(undefined, 'x'.repeat(5000)), /chat\.text/],
  ];
  it.each(invalid)('rejects %s with a message naming the field', (_name, value, message) => {
    const result = validateEvent(value);
    expect(result).toBeInstanceOf(InvalidEvent);
    expect((result as InvalidEvent).error).toMatch(message);
  });

  it('reports a line that is not JSON', () => {
    const result = parseEventLine('{"type":"like",');
    expect(result).toBeInstanceOf(InvalidEvent);
    expect((result as InvalidEvent).error).toBe('not valid JSON');
  });

  it('parses a line into a typed event', () => {
    const line = JSON.stringify(like({ count: 7, roomTotal: 70 }));
    const result = parseEventLine(line);
    expect(result).not.toBeInstanceOf(InvalidEvent);
    expect(result).toMatchObject({ type: 'like', count: 7, roomTotal: 70 });
  });

  it('does not let a "__proto__" type reach the table', () => {
    expect(validateEvent(JSON.parse('{"type":"__proto__","at":1}'))).toBeInstanceOf(InvalidEvent);
    expect(validateEvent({ type: 'toString', at: 1 })).toBeInstanceOf(InvalidEvent);
  });
});

describe('ids are opaque: a JSON string or a whole number', () => {
  it('turns numeric ids into their decimal strings, in every id field', () => {
    const result = validateEvent({
      ...gift({ groupId: undefined }),
      msgId: 7350000000000007,
      user: { id: 6900000001, handle: 'a', nickname: 'A' },
      giftId: 5655,
      groupId: 1700000000123,
    });
    expect(result).toMatchObject({
      msgId: '7350000000000007',
      user: { id: '6900000001' },
      giftId: '5655',
      groupId: '1700000000123',
    });
    expect(
      validateEvent({ ...connected(), roomId: 7400000000524904, streamerId: 71 }),
    ).toMatchObject({ roomId: '7400000000524904', streamerId: '71' });
  });

  it('accepts a gift id written as a string ("5655" and 5655 are the same id)', () => {
    expect(validateEvent({ ...gift(), giftId: '5655' })).toMatchObject({ giftId: '5655' });
    expect(validateEvent({ ...gift(), giftId: 5655 })).toMatchObject({ giftId: '5655' });
  });

  it.each([
    ['a fraction', 1.5],
    ['a negative number', -4],
    ['a number beyond 2^53 (it lost digits in JSON)', 2 ** 53 + 2],
    ['true', true],
    ['an object', { id: 1 }],
    ['an empty string', ''],
  ])('refuses %s as an id, naming the field', (_name, id) => {
    for (const [event, field] of [
      [{ ...gift(), giftId: id }, /gift\.giftId/],
      [{ ...like({ count: 1 }), msgId: id }, /like\.msgId/],
      [{ ...follow(), user: { id, handle: '', nickname: '' } }, /follow\.user\.id/],
      [{ ...connected(), roomId: id }, /connected\.roomId/],
    ] as const) {
      const result = validateEvent(event);
      expect(result).toBeInstanceOf(InvalidEvent);
      expect((result as InvalidEvent).error).toMatch(field);
    }
  });
});

describe('likes without a usable viewer', () => {
  it.each([
    ['no user', undefined],
    ['a user without id', { handle: 'a', nickname: 'b' }],
    ['a user that is not an object', 'someone'],
  ])('keep a like with a room total and %s, without the viewer', (_name, who) => {
    const result = validateEvent({ ...like({ count: 2, roomTotal: 900 }), user: who });
    expect(result).toMatchObject({ type: 'like', roomTotal: 900 });
    expect((result as { user?: unknown }).user).toBeUndefined();
  });

  it('refuse a like with neither a viewer nor a room total', () => {
    const result = validateEvent({ ...like({ count: 2 }), user: undefined });
    expect(result).toBeInstanceOf(InvalidEvent);
    expect((result as InvalidEvent).error).toMatch(/like\.user/);
  });
});
