import { describe, expect, it } from 'vitest';
import { MessageWindow } from '../../src/domain/message-window.js';

describe('MessageWindow', () => {
  it('recognises an id seen before', () => {
    const window = new MessageWindow(10);
    expect(window.add('a')).toBe(true);
    expect(window.add('b')).toBe(true);
    expect(window.add('a')).toBe(false);
    expect(window.size).toBe(2);
  });

  it('forgets the oldest ids beyond its capacity, keeping memory flat', () => {
    const window = new MessageWindow(3);
    for (const id of ['a', 'b', 'c', 'd']) window.add(id);
    expect(window.size).toBe(3);
    expect(window.has('a')).toBe(false);
    expect(window.has('d')).toBe(true);
    expect(window.add('a')).toBe(true); // long gone: counted as new
  });

  it('forgets TikTok-style numeric ids the same way, mixed with other ids', () => {
    const window = new MessageWindow(3);
    const ids = ['7350000000000007919', 'x', '7350000000000015838', '7350000000000023757'];
    for (const id of ids) expect(window.add(id)).toBe(true);
    expect(window.size).toBe(3);
    expect(window.has(ids[0]!)).toBe(false);
    expect(window.add('x')).toBe(false);
    expect(window.add(ids[3]!)).toBe(false);
    expect(window.add(ids[0]!)).toBe(true); // evicts 'x'
    expect(window.has('x')).toBe(false);
  });

  it('hands out only the ids added since the last drain, at most its capacity', () => {
    const window = new MessageWindow(3);
    window.load(['x', 'y']);
    window.add('a');
    window.add('y');
    expect(window.drainNew()).toEqual(['a']);
    expect(window.drainNew()).toEqual([]);
    for (const id of ['1', '2', '3', '4', '5']) window.add(id);
    expect(window.drainNew()).toEqual(['3', '4', '5']);
  });

  it('treats ids loaded from storage as seen', () => {
    const window = new MessageWindow(5);
    window.load(['a', 'b', 'a']);
    expect(window.size).toBe(2);
    expect(window.add('b')).toBe(false);
  });

  it('refuses a nonsensical capacity', () => {
    expect(() => new MessageWindow(0)).toThrow(RangeError);
  });
});
