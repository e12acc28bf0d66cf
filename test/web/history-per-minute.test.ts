import { describe, expect, it } from 'vitest';
import { perMinute } from '../../web/dashboard/history/per-minute.js';

const T0 = Date.UTC(2026, 2, 29, 19, 0, 0);
const at = (seconds: number, value: number) => ({ t: T0 + seconds * 1000, value });

describe('per-minute bars from 10-second samples', () => {
  it('takes each minute as its end value minus its start value, a sample labelled with its end', () => {
    // Samples at 0:10 … 1:00 belong to minute 0 (the one at 1:00 closes it); 1:10 … to minute 1.
    const samples = [at(10, 5), at(30, 12), at(60, 30), at(70, 31), at(120, 40), at(250, 90)];
    expect(perMinute(samples)).toEqual([
      { start: T0, value: 30 },
      { start: T0 + 60_000, value: 10 },
      { start: T0 + 120_000, value: 0 }, // a quiet minute is there, with 0
      { start: T0 + 180_000, value: 0 },
      { start: T0 + 240_000, value: 50 },
    ]);
  });

  it('has nothing without samples, and never a negative bar', () => {
    expect(perMinute([])).toEqual([]);
    expect(perMinute([at(10, 9), at(70, 4)]).map((m) => m.value)).toEqual([9, 0]);
  });
});
