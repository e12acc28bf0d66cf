import { describe, expect, it } from 'vitest';
import { InvalidEvent, validateEvent } from '../../src/domain/events.js';
import { LIMITS } from '../../src/domain/limits.js';
import {
  RecordingGenerator,
  recordingLines,
} from '../../src/sources/replay/recording-generator.js';
import { referenceValidateEvent } from '../helpers/reference-event-validator.js';

/**
 * The hand-written validator against the table-driven one it replaced: on every line of a
 * generated recording, on every field of every event type replaced by a hostile value or
 * removed, and on the hostile shapes the other tests use, both must take the same
 * decision, give the same message and leave the event in the same state.
 */

function compare(line: string): 'valid' | 'invalid' {
  const mine = JSON.parse(line) as unknown;
  const theirs = JSON.parse(line) as unknown;
  const result = validateEvent(mine);
  const expected = referenceValidateEvent(theirs);
  if (expected instanceof InvalidEvent) {
    expect(result, line).toBeInstanceOf(InvalidEvent);
    expect((result as InvalidEvent).error, line).toBe(expected.error);
  } else {
    expect(result, line).toBe(mine);
    expect(expected).toBe(theirs);
  }
  // The same normalisation in place (numeric ids as text, a like's unusable viewer gone).
  expect(mine, line).toStrictEqual(theirs);
  return expected instanceof InvalidEvent ? 'invalid' : 'valid';
}

const generated = [
  ...recordingLines(new RecordingGenerator({ seed: 21, durationSec: 60, intensity: 2 })),
];

/** One good line of each type, as the generator writes it, plus the optional fields. */
function samples(): Record<string, unknown>[] {
  const byType = new Map<string, Record<string, unknown>>();
  for (const line of generated) {
    const event = JSON.parse(line) as Record<string, unknown>;
    if (!byType.has(event['type'] as string)) byType.set(event['type'] as string, event);
  }
  const gift = byType.get('gift')!;
  const like = byType.get('like')!;
  return [
    ...byType.values(),
    { ...gift, groupId: '1700000000123' },
    { ...gift, groupId: '' },
    { ...like, roomTotal: 5000 },
    Object.fromEntries(Object.entries(like).filter(([key]) => key !== 'roomTotal')),
  ];
}

const HOSTILE: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.5,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  1e20,
  LIMITS.minTime - 1,
  LIMITS.minTime,
  LIMITS.maxTime,
  LIMITS.maxTime + 1,
  LIMITS.maxViewers + 1,
  LIMITS.maxRepeatCount,
  LIMITS.maxRepeatCount + 1,
  LIMITS.maxRoomLikes,
  LIMITS.maxRoomLikes + 1,
  '',
  '0',
  '5655',
  '-1',
  'x'.repeat(LIMITS.idLength),
  'x'.repeat(LIMITS.idLength + 1),
  'x'.repeat(LIMITS.handleLength + 1),
  'x'.repeat(LIMITS.giftNameLength + 1),
  'x'.repeat(LIMITS.chatLength + 1),
  '❤️'.repeat(40),
  [],
  [1],
  {},
  { id: '1', handle: 'a', nickname: 'A' },
  { id: 12, handle: 'a', nickname: 'A' },
  { id: -12, handle: 'a', nickname: 'A' },
  { id: '', handle: 'a', nickname: 'A' },
  { id: '1', handle: 7, nickname: 'A' },
  { id: '1', handle: 'a' },
  { id: '1', handle: 'a', nickname: 'x'.repeat(LIMITS.nicknameLength + 1) },
  { id: '1', handle: 'x'.repeat(LIMITS.handleLength + 1), nickname: 'A' },
];

/** The event with `path` (a field, or `user.<field>`) set to `value`, or removed. */
function withField(event: Record<string, unknown>, path: string, value: unknown, remove: boolean) {
  const copy = structuredClone(event);
  const [key, inner] = path.split('.') as [string, string | undefined];
  const owner = inner === undefined ? copy : (copy[key] as Record<string, unknown>);
  const field = inner ?? key;
  if (remove) delete owner[field];
  else owner[field] = value;
  return JSON.stringify(copy);
}

function paths(event: Record<string, unknown>): string[] {
  const keys = [...Object.keys(event), 'roomTotal', 'groupId', 'unknown'];
  if (typeof event['user'] === 'object') keys.push('user.id', 'user.handle', 'user.nickname');
  return [...new Set(keys)];
}

describe('the hand-written event validator decides like the table it replaced', () => {
  it('on every line of a generated recording (all accepted)', () => {
    expect(generated.length).toBeGreaterThan(1000);
    const decisions = generated.map(compare);
    expect(decisions.every((d) => d === 'valid')).toBe(true);
  });

  it('on every field of every event type set to a hostile value or removed', () => {
    const seen = { valid: 0, invalid: 0 };
    for (const event of samples()) {
      for (const path of paths(event)) {
        seen[compare(withField(event, path, undefined, true))]++;
        for (const value of HOSTILE) seen[compare(withField(event, path, value, false))]++;
      }
    }
    // The corpus exercises both sides: if it did not, the comparison would prove little.
    expect(seen.valid).toBeGreaterThan(100);
    expect(seen.invalid).toBeGreaterThan(1000);
  });

  it('on the shapes of a line that is not an event', () => {
    for (const line of [
      '42',
      'null',
      '"like"',
      '[]',
      '[{"type":"like"}]',
      '{}',
      '{"at":1}',
      '{"type":1}',
      '{"type":null}',
      '{"type":"subscribe","at":1}',
      '{"type":"__proto__","at":1}',
      '{"type":"toString","at":1}',
      '{"type":"constructor"}',
      '{"type":"hasOwnProperty"}',
      `{"type":"${'y'.repeat(100)}"}`,
      '{"type":"like"}',
      '{"type":"gift"}',
      '{"type":"connected"}',
      '{"type":"streamEnd","at":1795201200000}',
      '{"type":"like","at":1795201200000,"msgId":"1","count":1,"roomTotal":-1,"user":5}',
      '{"type":"like","at":1795201200000,"msgId":"1","count":-1,"roomTotal":3,"user":5}',
      '{"type":"like","at":1795201200000,"msgId":"1","count":1,"roomTotal":null,"user":5}',
      '{"type":"like","at":1795201200000,"msgId":2,"count":1,"user":{"id":3,"handle":"h","nickname":"n"}}',
      '{"type":"like","at":1795201200000,"msgId":2,"count":1,"user":{"id":3,"handle":"h","nickname":"n"},"type":"join"}',
    ]) {
      compare(line);
    }
  });
});
