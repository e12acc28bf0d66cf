import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/app/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1000],
    ['1.5s', 1500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['5', 5000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'abc', '-1s', '0', '1 day', '1e3s'])('refuses %j', (text) => {
    expect(() => parseDuration(text, '--save-interval')).toThrow(/--save-interval/);
  });
});
