import { describe, expect, it } from 'vitest';
import { MessageDedupe } from '../../src/domain/message-dedupe.js';
import { messageKey } from '../../src/domain/message-key.js';

const options = { windowCapacity: 4, filterBits: 1 << 16 };
const tiktok = (n: number) => (7350000000000000000n + BigInt(n) * 7919n).toString();

function key(id: string): [number, number] {
  const out = new Uint32Array(2);
  messageKey(id, out);
  return [out[0]!, out[1]!];
}

/** A profile file's table of saved keys, as the app layer would look it up. */
function saved(dedupe: MessageDedupe, into = new Set<string>()) {
  const { keys, mark } = dedupe.drainNew();
  for (let i = 0; i < keys.length; i += 2) into.add(`${keys[i]}:${keys[i + 1]}`);
  dedupe.committed(mark);
  return into;
}

describe('message keys', () => {
  it('are the exact 64-bit value of a canonical decimal id', () => {
    const value = 7350000000000007919n;
    expect(key(value.toString())).toEqual([Number(value >> 32n), Number(value & 0xffffffffn)]);
  });

  it('are a stable 64-bit hash for other ids, never equal to a decimal id', () => {
    expect(key('m1')).toEqual(key('m1'));
    expect(key('m1')).not.toEqual(key('m2'));
    expect(key('0123')).not.toEqual(key('123'));
    // above 9999999999999999999, the largest canonical decimal of 19 digits
    for (const id of ['m1', 'x', '', '12a', '-1', 'u'.repeat(64)]) {
      const [hi, lo] = key(id);
      expect(BigInt(hi) * 2n ** 32n + BigInt(lo)).toBeGreaterThan(9999999999999999999n);
    }
  });
});

describe('MessageDedupe', () => {
  it('classifies: new, then duplicate', () => {
    const dedupe = new MessageDedupe(options);
    expect(dedupe.check('a')).toBe('new');
    expect(dedupe.check(tiktok(1))).toBe('new');
    expect(dedupe.check('a')).toBe('duplicate');
    expect(dedupe.check(tiktok(1))).toBe('duplicate');
  });

  it('keeps every id not yet committed to the file, however many', () => {
    const dedupe = new MessageDedupe(options);
    for (let i = 0; i < 1000; i++) expect(dedupe.check(tiktok(i))).toBe('new');
    for (let i = 0; i < 1000; i++) expect(dedupe.check(tiktok(i))).toBe('duplicate');
    expect(dedupe.drainNew().keys).toHaveLength(2000); // every one of them is handed to storage
  });

  it('needs no lookup while every id of the broadcast is still in memory', () => {
    const dedupe = new MessageDedupe({ windowCapacity: 100_000, filterBits: 512 }); // a tiny filter: all maybes
    for (let i = 0; i < 5000; i++) expect(dedupe.check(tiktok(i))).toBe('new');
    saved(dedupe);
    expect(dedupe.check(tiktok(5000))).toBe('new');
  });

  it('after committed ids left the window, a maybe is looked up; the answer decides', () => {
    const dedupe = new MessageDedupe(options);
    for (let i = 0; i < 10; i++) dedupe.check(tiktok(i));
    const file = saved(dedupe);
    for (let i = 10; i < 20; i++) dedupe.check(tiktok(i)); // pushes the committed ones out
    expect(dedupe.windowSize).toBeLessThanOrEqual(10 + options.windowCapacity);
    expect(dedupe.needsLookup(tiktok(3))).toBe(true);
    expect(dedupe.check(tiktok(3))).toBe('lookup'); // nothing changes until it is answered
    expect(dedupe.check(tiktok(3), file.has(key(tiktok(3)).join(':')))).toBe('duplicate');
    expect(dedupe.check(tiktok(3))).toBe('duplicate'); // remembered: no second lookup
    expect(dedupe.needsLookup(tiktok(12))).toBe(false); // in the window
    expect(dedupe.needsLookup('never-seen')).toBe(false); // the filter has never seen it
    expect(dedupe.check('never-seen')).toBe('new');
  });

  it('a lookup that finds nothing (a false positive) counts the id as new and saves it', () => {
    const dedupe = new MessageDedupe({ windowCapacity: 1, filterBits: 512 });
    for (let i = 0; i < 5000; i++) dedupe.check(tiktok(i)); // every bit of the tiny filter set
    saved(dedupe);
    dedupe.check('pushes-out');
    saved(dedupe);
    const id = tiktok(10_000);
    expect(dedupe.check(id)).toBe('lookup');
    expect(dedupe.check(id, false)).toBe('new');
    expect(dedupe.drainNew().keys).toEqual(new Uint32Array(key(id)));
  });

  it('ids already in the file (a resumed broadcast) are looked up, never saved again', () => {
    const dedupe = new MessageDedupe(options);
    const [hi, lo] = key(tiktok(7));
    dedupe.rememberStored(hi, lo);
    expect(dedupe.check(tiktok(7))).toBe('lookup');
    expect(dedupe.check(tiktok(7), true)).toBe('duplicate');
    expect(dedupe.drainNew().keys).toHaveLength(0);
  });

  it('has a fixed memory: the filter does not grow with the broadcast', () => {
    const dedupe = new MessageDedupe({ windowCapacity: 1000, filterBits: 1 << 20 });
    const round = (r: number) => {
      for (let i = 0; i < 10_000; i++) dedupe.check(tiktok(r * 10_000 + i));
      saved(dedupe); // each save's ids are committed, then they may leave the window
    };
    round(0);
    const afterOne = dedupe.memoryBytes;
    for (let r = 1; r < 30; r++) round(r);
    expect(dedupe.memoryBytes).toBe(afterOne);
    expect(dedupe.windowSize).toBeLessThanOrEqual(10_000 + 1000);
  });
});
