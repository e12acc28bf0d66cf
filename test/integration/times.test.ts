import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/domain/events.js';
import { cli, cliJson } from '../helpers/cli.js';
import { connected, like, T0, user } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';

/** 20 s of likes from T0 (2026-11-20 19:00:00 UTC), played at 40× (half a second). */
function replayed(): string {
  const data = tempDir();
  const events: StreamEvent[] = [connected()];
  for (let i = 0; i < 200; i++) events.push(like({ count: 1, at: T0 + i * 100, user: user(i) }));
  const file = writeRecording(tempDir(), 'r.ndjson', events);
  const result = cli(['--data-dir', data, 'replay', file, '--speed', '40']);
  expect(result.code, result.stderr).toBe(0);
  return data;
}

describe('times', () => {
  it('are whole epoch milliseconds in JSON; stats --json keeps its ISO updatedAt and adds updatedAtMs', () => {
    const data = replayed();
    const stats = cliJson<{ updatedAt: string; updatedAtMs: number }>([
      '--data-dir',
      data,
      'stats',
    ]);
    expect(Number.isInteger(stats.updatedAtMs)).toBe(true);
    expect(stats.updatedAtMs).toBe(Date.parse(stats.updatedAt));
    const { sessions } = cliJson<{ sessions: Record<string, unknown>[] }>([
      '--data-dir',
      data,
      'sessions',
    ]);
    expect(sessions[0]).toMatchObject({ startedAt: T0, endedAt: T0 + 19_900 });
    for (const key of ['startedAt', 'endedAt', 'updatedAt']) {
      expect(Number.isInteger(sessions[0]![key]), key).toBe(true);
    }
    const profiles = cliJson<{ profiles: { modifiedAt: string; modifiedAtMs: number }[] }>([
      '--data-dir',
      data,
      'profiles',
      'list',
    ]);
    expect(profiles.profiles[0]!.modifiedAtMs).toBe(Date.parse(profiles.profiles[0]!.modifiedAt));
  });

  it('are shown in local time, one format everywhere: the machine zone, --tz or LIVETALLY_TZ', () => {
    const data = replayed();
    const dir = ['--data-dir', data];
    expect(cli([...dir, 'sessions'], { TZ: 'Asia/Tokyo' }).stdout).toContain(
      '2026-11-21 04:00:00 +09:00',
    );
    expect(cli([...dir, 'sessions', '--tz', 'Asia/Kolkata']).stdout).toContain(
      '2026-11-21 00:30:00 +05:30',
    );
    expect(cli([...dir, 'sessions'], { LIVETALLY_TZ: 'America/New_York' }).stdout).toContain(
      '2026-11-20 14:00:00 -05:00',
    );
    // --tz wins over the environment
    expect(
      cli([...dir, 'sessions', '--tz', 'UTC'], { LIVETALLY_TZ: 'America/New_York' }).stdout,
    ).toContain('2026-11-20 19:00:00 +00:00');
    const stats = cli([...dir, 'stats', '--tz', 'Asia/Kolkata']).stdout;
    expect(stats).toMatch(/saved at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30/);
    const list = cli([...dir, 'profiles', 'list', '--tz', 'Asia/Kolkata']).stdout;
    expect(list).toMatch(/modified \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30/);
  });

  it('refuses a time zone that does not exist, with a clear message', () => {
    const data = replayed();
    for (const [args, env] of [
      [['sessions', '--tz', 'Mars/Olympus'], {}],
      [['stats'], { LIVETALLY_TZ: 'Mars/Olympus' }],
    ] as const) {
      const result = cli(['--data-dir', data, ...args], env);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        'livetally: "Mars/Olympus" is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC',
      );
    }
  });
});
