import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SummaryResponse } from '../../src/shared/api-types.js';
import { cli, cliJson } from '../helpers/cli.js';
import { generateRecording, writeRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

// `livetally summary` and the history exports, through the built command line, against
// the server's answers for the same profile.

afterEach(closeAllServers);

const berlinEvening = (day: number) => Date.UTC(2026, 2, day, 19, 0, 0); // 20:00 CET

function profileWithThreeLives(): string {
  const data = tempDir();
  const recordings = tempDir();
  for (const [i, day] of [23, 27, 30].entries()) {
    const { file } = generateRecording(
      recordings,
      {
        seed: 60 + i,
        durationSec: 60,
        streamer: 'alice',
        streamerId: '7100000000000000001',
        roomId: `740000000000000006${i}`,
        startAt: berlinEvening(day),
      },
      `r${i}.ndjson`,
    );
    expect(cli(['--data-dir', data, 'replay', file]).code).toBe(0);
  }
  return data;
}

describe('livetally summary', () => {
  it('prints the same document as GET /api/summary, and a table for people', async () => {
    const data = profileWithThreeLives();
    const args = ['--data-dir', data, 'summary', '--period', 'week', '--tz', 'Europe/Berlin'];
    const json = cliJson<SummaryResponse>(args);
    expect(json.buckets.map((b) => [b.start, b.sessions])).toEqual([
      ['2026-03-23', 2],
      ['2026-03-30', 1],
    ]);
    const server = await testServer({ dataDir: data });
    const response = await server.app.inject({
      method: 'GET',
      url: '/api/summary?period=week&tz=Europe/Berlin',
      headers: { host: server.host },
    });
    expect(response.json()).toEqual(json);
    await server.close();

    const table = cli(args);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Profile "default" — per week (from Monday), Europe/Berlin');
    expect(lines[1]).toMatch(/^week of\s+LIVEs\s+time live\s+peak\s+likes\s+coins/);
    expect(lines[2]).toMatch(/^2026-03-23\s+2\s+2m00s/);
    expect(lines.at(-1)).toMatch(/^total\s+3\s+3m00s/);
  });

  it('takes the zone from LIVETALLY_TZ, and dates as inclusive days', () => {
    const data = profileWithThreeLives();
    const inTokyo = cliJson<SummaryResponse>(
      ['--data-dir', data, 'summary', '--from', '2026-03-24', '--to', '2026-03-31'],
      { LIVETALLY_TZ: 'Asia/Tokyo' },
    );
    // 20:00 in Berlin is 04:00 the next morning in Tokyo.
    expect(inTokyo.tz).toBe('Asia/Tokyo');
    expect(inTokyo.buckets.map((b) => b.start)).toEqual(['2026-03-24', '2026-03-28', '2026-03-31']);
  });

  it('refuses a bad zone, period or date with a line that says what to write (exit 2)', () => {
    const data = tempDir();
    for (const [args, message] of [
      [['--tz', 'Berlin'], /"Berlin" is not a time zone; use an IANA name such as Europe\/Berlin/],
      [['--from', '2026-13-01'], /"from" must be a date written YYYY-MM-DD/],
      [['--period', 'year'], /argument 'year' is invalid/],
    ] as const) {
      const result = cli(['--data-dir', data, 'summary', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it('says so when a profile has no broadcasts, and writes nothing', () => {
    const data = path.join(tempDir(), 'fresh');
    const result = cli(['--data-dir', data, 'summary']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no broadcasts in this time');
    expect(fs.existsSync(data)).toBe(false);
  });
});

describe('history exports', () => {
  it("exports every viewer's all-time totals and the summary as CSV for Excel, and all of it as JSON", () => {
    const data = tempDir();
    const recordings = tempDir();
    const file = writeRecording(recordings, 'evil.ndjson', [
      {
        type: 'connected',
        at: berlinEvening(2),
        streamer: 'alice',
        streamerId: '1',
        roomId: '2',
      },
      {
        type: 'gift',
        at: berlinEvening(2) + 1000,
        msgId: 'm1',
        user: { id: '6900000000000000001', handle: 'müller', nickname: '=HYPERLINK("x")' },
        giftId: '11046',
        giftName: 'Galaxy',
        diamonds: 1000,
        repeatCount: 1,
        streakable: false,
        repeatEnd: false,
      },
    ]);
    expect(cli(['--data-dir', data, 'replay', file]).code).toBe(0);

    const viewers = cli(['--data-dir', data, 'export', '--format', 'csv', '--viewers']);
    expect(viewers.code).toBe(0);
    expect(viewers.stdout.startsWith('\uFEFFuser_id,handle,nickname,coins,gifts,likes')).toBe(true);
    const row = viewers.stdout.split('\r\n')[1]!;
    // The formula is defused, the name kept as written (UTF-8 with a BOM for Excel).
    expect(row).toBe(
      `6900000000000000001,müller,"'=HYPERLINK(""x"")",1000,1,0,0,0,0,1,2026-03-02T19:00:01.000Z,2026-03-02T19:00:01.000Z`,
    );

    const days = cli([
      '--data-dir',
      data,
      'export',
      '--format',
      'csv',
      '--summary',
      'day',
      '--tz',
      'UTC',
    ]);
    expect(days.stdout.split('\r\n').slice(0, 2)).toEqual([
      '\uFEFFday,time_zone,sessions,live_minutes,peak_viewers,likes,total_coins,followers,shares,gifts,gifters',
      '2026-03-02,UTC,1,0,0,0,1000,0,0,1,1',
    ]);

    const everything = JSON.parse(
      cli(['--data-dir', data, 'export', '--format', 'json']).stdout,
    ) as {
      sessions: unknown[];
      viewers: { userId: string; coins: number }[];
      summary: { tz: string; day: unknown[]; week: unknown[]; month: unknown[] };
    };
    expect(everything.sessions).toHaveLength(1);
    expect(everything.viewers).toEqual([
      expect.objectContaining({ userId: '6900000000000000001', coins: 1000, sessions: 1 }),
    ]);
    expect(everything.summary.month).toHaveLength(1);
  });

  it('serves the same files over HTTP, to download', async () => {
    const data = profileWithThreeLives();
    const server = await testServer({ dataDir: data });
    const get = (url: string) =>
      server.app.inject({ method: 'GET', url, headers: { host: server.host } });
    const viewers = await get('/api/export/viewers');
    expect(viewers.statusCode).toBe(200);
    expect(viewers.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(viewers.headers['content-disposition']).toBe(
      'attachment; filename="livetally-viewers.csv"',
    );
    expect(viewers.body.startsWith('\uFEFFuser_id,')).toBe(true);
    const months = await get('/api/export/summary?period=month&tz=Europe/Berlin&format=json');
    expect(months.headers['content-disposition']).toContain('livetally-months.json');
    expect((months.json() as SummaryResponse).buckets).toHaveLength(1);
    expect((await get('/api/export/summary?tz=Atlantis')).statusCode).toBe(400);
  });
});
