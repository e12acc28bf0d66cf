import { describe, expect, it } from 'vitest';
import { IdTable } from '../../src/domain/id-table.js';
import { splitNumericId } from '../../src/domain/numeric-id.js';

describe('splitNumericId', () => {
  const halves = new Uint32Array(2);
  const split = (id: string) => (splitNumericId(id, halves) ? [halves[0], halves[1]] : null);

  it.each([
    ['0', 0n],
    ['7', 7n],
    ['4294967295', 4294967295n],
    ['4294967296', 4294967296n],
    ['7350000000000007919', 7350000000000007919n],
    ['9999999999999999999', 9999999999999999999n],
  ])('splits %s into its 32-bit halves exactly', (id, value) => {
    expect(split(id)).toEqual([Number(value >> 32n), Number(value & 0xffffffffn)]);
  });

  it.each(['', '00', '0123', '-1', '+1', '1.5', '12a', ' 12', '12345678901234567890', 'u1', '١٢'])(
    'leaves %j to the string path',
    (id) => expect(split(id)).toBeNull(),
  );
});

/** A small deterministic random source for the model tests. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('IdTable', () => {
  it('behaves like a Map under random inserts, lookups and deletes (numeric and other ids)', () => {
    const rand = random(42);
    const table = new IdTable(8); // small on purpose: it must grow
    const model = new Map<string, number>();
    const pool = Array.from({ length: 3000 }, (_, i) =>
      i % 5 === 0 ? `user-${i}` : (7_350_000_000_000_000_000n + BigInt(i) * 7919n).toString(),
    );
    for (let step = 0; step < 40_000; step++) {
      const id = pool[Math.floor(rand() * pool.length)]!;
      const op = rand();
      if (op < 0.5) {
        const result = table.getOrSet(id, step);
        const expected = model.get(id);
        expect(result).toBe(expected ?? -1);
        if (expected === undefined) model.set(id, step);
      } else if (op < 0.8) {
        expect(table.delete(id)).toBe(model.delete(id));
      } else {
        expect(table.get(id)).toBe(model.get(id));
      }
      expect(table.size).toBe(model.size);
    }
    for (const id of pool) expect(table.get(id)).toBe(model.get(id));
  });

  it('keeps the numeric and the string forms of an id apart', () => {
    const table = new IdTable(4);
    expect(table.getOrSet('123', 1)).toBe(-1);
    expect(table.getOrSet('0123', 2)).toBe(-1);
    expect(table.get('123')).toBe(1);
    expect(table.get('0123')).toBe(2);
  });

  it('forgets everything on clear', () => {
    const table = new IdTable(4);
    table.getOrSet('1', 1);
    table.getOrSet('x', 2);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get('1')).toBeUndefined();
    expect(table.getOrSet('1', 5)).toBe(-1);
  });
});
