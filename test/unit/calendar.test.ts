import { describe, expect, it } from 'vitest';
import {
  bucketLabel,
  dateSpan,
  parseDate,
  parseTimeZone,
  periodContaining,
  startOfDay,
} from '../../src/domain/calendar.js';
import { LivetallyError } from '../../src/domain/errors.js';
import { resolveTimeZone } from '../../src/app/time-zone.js';

const HOUR = 3600_000;
const at = (iso: string) => Date.parse(iso);

describe('calendar periods in a time zone', () => {
  it.each([
    // Berlin's DST days: 23 hours in March, 25 in October; an ordinary day has 24.
    ['Europe/Berlin', '2026-03-29', 23, '2026-03-28T23:00:00Z'],
    ['Europe/Berlin', '2026-10-25', 25, '2026-10-24T22:00:00Z'],
    ['Europe/Berlin', '2026-06-10', 24, '2026-06-09T22:00:00Z'],
    ['America/New_York', '2026-03-08', 23, '2026-03-08T05:00:00Z'],
    ['America/New_York', '2026-11-01', 25, '2026-11-01T04:00:00Z'],
    // Lord Howe Island moves its clocks by half an hour.
    ['Australia/Lord_Howe', '2026-04-05', 24.5, '2026-04-04T13:00:00Z'],
    ['UTC', '2026-03-29', 24, '2026-03-29T00:00:00Z'],
  ])('a day in %s on %s lasts %s hours', (zone, day, hours, midnight) => {
    const range = periodContaining(at(midnight) + HOUR, 'day', zone);
    expect(range.label).toBe(day);
    expect(range.start).toBe(at(midnight));
    expect((range.end - range.start) / HOUR).toBe(hours);
  });

  it('finds the first instant of a day whose midnight a DST change skips', () => {
    // Santiago de Chile moved its clocks from 00:00 to 01:00 on 2025-09-07.
    const start = startOfDay({ year: 2025, month: 9, day: 7 }, 'America/Santiago');
    expect(new Date(start).toISOString()).toBe('2025-09-07T04:00:00.000Z');
    expect(bucketLabel(start - 1, 'day', 'America/Santiago')).toBe('2025-09-06');
  });

  it('starts weeks on Monday and months on the 1st, in the zone', () => {
    // Sunday 23:30 in Berlin is Monday 06:30 in Tokyo.
    const sundayNight = at('2026-03-29T21:30:00Z');
    expect(bucketLabel(sundayNight, 'week', 'Europe/Berlin')).toBe('2026-03-23');
    expect(bucketLabel(sundayNight, 'week', 'Asia/Tokyo')).toBe('2026-03-30');
    expect(bucketLabel(sundayNight, 'month', 'Europe/Berlin')).toBe('2026-03-01');
    const newYear = at('2026-12-31T23:30:00Z');
    expect(bucketLabel(newYear, 'month', 'Europe/Berlin')).toBe('2027-01-01');
    expect(bucketLabel(newYear, 'week', 'Europe/Berlin')).toBe('2026-12-28');
    const week = periodContaining(newYear, 'week', 'Europe/Berlin');
    expect(new Date(week.start).toISOString()).toBe('2026-12-27T23:00:00.000Z');
    expect((week.end - week.start) / HOUR).toBe(7 * 24);
    const march = periodContaining(at('2026-03-15T12:00:00Z'), 'month', 'Europe/Berlin');
    expect((march.end - march.start) / HOUR).toBe(31 * 24 - 1);
  });

  it('turns inclusive dates into instants', () => {
    const span = dateSpan(parseDate('2026-10-25'), parseDate('2026-10-25'), 'Europe/Berlin');
    expect(span).toEqual({ start: at('2026-10-24T22:00:00Z'), end: at('2026-10-25T23:00:00Z') });
    expect(dateSpan(undefined, undefined, 'UTC')).toEqual({ start: -Infinity, end: Infinity });
  });

  it('reads only real dates', () => {
    expect(parseDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    for (const bad of ['2026-02-29', '2026-13-01', '2026-04-31', '26-04-01', '2026-4-1', ''])
      expect(parseDate(bad), bad).toBeUndefined();
  });

  it('knows zones by their IANA names, in any case, and refuses the rest', () => {
    expect(parseTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(parseTimeZone('UTC')).toBe('UTC');
    for (const bad of ['Mars/Olympus', '', 'x'.repeat(100)]) {
      expect(() => parseTimeZone(bad)).toThrow(LivetallyError);
    }
  });

  it('takes the zone from --tz, else LIVETALLY_TZ, else the machine', () => {
    expect(resolveTimeZone('Asia/Tokyo', { LIVETALLY_TZ: 'Europe/Berlin' })).toBe('Asia/Tokyo');
    expect(resolveTimeZone(undefined, { LIVETALLY_TZ: 'Europe/Berlin' })).toBe('Europe/Berlin');
    expect(resolveTimeZone(undefined, {})).toBe(
      new Intl.DateTimeFormat().resolvedOptions().timeZone,
    );
    expect(() => resolveTimeZone(undefined, { LIVETALLY_TZ: 'Berlin' })).toThrow(
      /"Berlin" is not a time zone/,
    );
  });
});
