import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLtthImport, prepareLtthImport } from '../../src/app/ltth-import.js';
import { silentLogger } from '../../src/app/logger.js';
import { runReplay } from '../../src/app/run-replay.js';
import { Workspace } from '../../src/app/workspace.js';
import type {
  GiftBreakdownResponse,
  LeaderboardResponse,
  RecapResponse,
  SummaryResponse,
  ViewerResponse,
} from '../../src/shared/api-types.js';
import {
  bucketOf,
  helperUsers,
  HistoryOracle,
  inSamePeriod,
  localDay,
  LTTH_STREAM_STATS,
  METRICS,
  NOWS,
  PERIODS,
  PLANS,
  ranking,
  ZONES,
  type OraclePeriod,
} from '../helpers/history-oracle.js';
import { buildWorld, TIE_IDS, type BroadcastTruth } from '../helpers/history-world.js';
import { writeLtthDatabase, type LtthUser } from '../helpers/ltth.js';
import { writeRecording } from '../helpers/recordings.js';
import { closeAllServers, testServer, type TestServer } from '../helpers/server.js';

// History answers against an oracle. A month of broadcasts (across midnight, over a week
// boundary, through both of Europe/Berlin's DST changes, one resumed after a reconnect, two
// on one day by two streamers, ties on purpose) is replayed through the real tracker into a
// real profile file, plus an import from the helper app. The expected buckets and rankings
// are computed by the oracle (test/helpers/history-oracle.ts) from the generator's record
// of what happened, with date arithmetic of the test's own (toLocaleDateString, not
// livetally's calendar), and compared with what the real server answers, for every period,
// window, metric and several zones and "nows".

let ltthUsers: LtthUser[];
let oracle: HistoryOracle;

let world: BroadcastTruth[];
let server: TestServer;
let now = NOWS[0]!;
let sessionIds: number[];
let ltthFile: string;
let dataDir: string;

beforeAll(async () => {
  world = buildWorld(PLANS);
  // Folders that live as long as this file's tests (tempDir() is emptied after each test).
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-oracle-'));
  const recordings = path.join(dataDir, 'recordings');
  fs.mkdirSync(recordings);
  const workspace = new Workspace(dataDir, silentLogger);
  workspace.lockForWriting('test');
  workspace.ensureDefault();
  const profile = workspace.openForWriting('default');
  const { store } = profile;
  try {
    let n = 0;
    for (const broadcast of world) {
      for (const events of broadcast.recordings) {
        const file = writeRecording(recordings, `r${++n}.ndjson`, events);
        await runReplay({ profile, file, speed: 0, saveIntervalMs: 50, logger: silentLogger });
      }
    }
    sessionIds = store
      .listSessions()
      .map((s) => s.id)
      .reverse();
    ltthUsers = helperUsers(world);
    oracle = new HistoryOracle(world, ltthUsers);
    ltthFile = writeLtthDatabase(recordings, {
      streamStats: LTTH_STREAM_STATS,
      users: ltthUsers,
    });
    await applyLtthImport(await prepareLtthImport(ltthFile), store.history);
    // Oldest first: the import is dated before every broadcast.
    sessionIds = store
      .listSessions()
      .map((s) => s.id)
      .reverse();
  } finally {
    store.close();
    workspace.release();
  }
  server = await testServer({ dataDir, now: () => now, timeZone: 'Europe/Berlin' });
}, 120_000);

afterAll(async () => {
  await closeAllServers();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await server.app.inject({ method: 'GET', url, headers: { host: server.host } });
  return { status: response.statusCode, body: response.json() as T };
}

// The oracle (test/helpers/history-oracle.ts) ------------------------------------------

const expectedSummary = (period: OraclePeriod, zone: string, from?: string, to?: string) =>
  oracle.expectedSummary(period, zone, from, to);
const totals = (broadcasts: BroadcastTruth[], withImport: boolean) =>
  oracle.totals(broadcasts, withImport);

describe('history against the oracle', () => {
  it('the world covers what it should', () => {
    // Across midnight, the DST days, and the resumed broadcast are really in it.
    expect(localDay(world[3]!.endAt, 'Europe/Berlin')).not.toBe(
      localDay(world[3]!.startAt, 'Europe/Berlin'),
    );
    expect(world[4]!.recordings).toHaveLength(2);
    expect(sessionIds).toHaveLength(world.length + 1); // + the imported entry
    const ties = ranking(totals(world, true), 'coins', 1000).filter((v) =>
      TIE_IDS.includes(v.userId),
    );
    expect(ties.map((v) => v.userId)).toEqual(['1000', '70010', '999']);
    expect(new Set(ties.map((v) => v.coins)).size).toBe(1);
  });

  it.each(ZONES)('summaries per day, week and month in %s', async (zone) => {
    for (const period of PERIODS) {
      const { status, body } = await get<SummaryResponse>(
        `/api/summary?period=${period}&tz=${encodeURIComponent(zone)}`,
      );
      expect(status).toBe(200);
      expect(body.tz).toBe(zone);
      expect(body.period).toBe(period);
      expect(body.buckets, `${period} in ${zone}`).toEqual(expectedSummary(period, zone));
      for (const [from, to] of [
        ['2026-03-28', '2026-03-29'],
        ['2026-03-30', '2026-04-01'],
        ['2026-10-25', '2026-10-25'],
        ['2026-03-29', undefined],
        [undefined, '2026-03-27'],
      ] as const) {
        const range = `${from ? `&from=${from}` : ''}${to ? `&to=${to}` : ''}`;
        const ranged = await get<SummaryResponse>(
          `/api/summary?period=${period}&tz=${encodeURIComponent(zone)}${range}`,
        );
        expect(ranged.body.buckets, `${period} ${range} in ${zone}`).toEqual(
          expectedSummary(period, zone, from, to),
        );
      }
    }
  });

  it('summarises in the server zone when none is asked for', async () => {
    const { body } = await get<SummaryResponse>('/api/summary');
    expect(body).toEqual({
      period: 'day',
      tz: 'Europe/Berlin',
      buckets: expectedSummary('day', 'Europe/Berlin'),
    });
    // The 25-hour day holds the broadcast at 23:59 CET and not the one a minute after midnight.
    const day = body.buckets.find((b) => b.start === '2026-10-25')!;
    expect(day.sessions).toBe(3);
    expect(body.buckets.find((b) => b.start === '2026-10-26')!.sessions).toBe(1);
  });

  it.each(ZONES)('day, week and month leaderboards in %s, for every metric', async (zone) => {
    for (const at of NOWS) {
      now = at;
      for (const period of PERIODS) {
        const chosen = world.filter((b) => inSamePeriod(b.startAt, at, period, zone));
        const sums = totals(chosen, false);
        for (const metric of METRICS) {
          const url = `/api/leaderboard?metric=${metric}&window=${period}&limit=100&tz=${encodeURIComponent(zone)}`;
          const { status, body } = await get<LeaderboardResponse>(url);
          expect(status).toBe(200);
          expect(body).toMatchObject({ window: period, metric, sessionId: null });
          expect(body.period!.from).toBe(bucketOf(localDay(at, zone), period));
          expect(body.viewers, `${url} at ${new Date(at).toISOString()}`).toEqual(
            ranking(sums, metric, 100),
          );
        }
      }
    }
  });

  it('all-time leaderboards hold every broadcast and the import, with ties by user id', async () => {
    const sums = totals(world, true);
    for (const metric of METRICS) {
      for (const limit of [1, 3, 10, 100]) {
        const { body } = await get<LeaderboardResponse>(
          `/api/leaderboard?metric=${metric}&window=all&limit=${limit}`,
        );
        expect(body.viewers, `${metric} top ${limit}`).toEqual(ranking(sums, metric, limit));
      }
    }
  });

  it('session leaderboards: the last broadcast by default, any broadcast when named', async () => {
    const last = world.at(-1)!;
    for (const metric of METRICS) {
      const current = await get<LeaderboardResponse>(`/api/leaderboard?metric=${metric}`);
      expect(current.body.window).toBe('session');
      expect(current.body.sessionId).toBe(sessionIds.at(-1));
      expect(current.body.viewers).toEqual(ranking(totals([last], false), metric, 10));
    }
    for (const [i, broadcast] of world.entries()) {
      const id = sessionIds[i + 1]!; // the import came last but is dated before them all
      const { body } = await get<LeaderboardResponse>(
        `/api/leaderboard?metric=likes&window=session&session=${id}&limit=100`,
      );
      expect(body.viewers).toEqual(ranking(totals([broadcast], false), 'likes', 100));
    }
  });

  it("a viewer's totals over everything the profile holds", async () => {
    const sums = totals(world, true);
    for (const v of sums.values()) {
      const { status, body } = await get<ViewerResponse>(`/api/viewers/${v.userId}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        userId: v.userId,
        handle: v.handle,
        nickname: v.nickname,
        firstSeen: v.firstSeen,
        lastSeen: v.lastSeen,
        sessions: v.sessions,
        coins: v.coins,
        gifts: v.gifts,
        likes: v.likes,
        comments: v.comments,
        shares: v.shares,
        follows: v.follows,
        imported: v.imported,
      });
      const gifted = world.filter((b) => (b.viewers.get(v.userId)?.gifts ?? 0) > 0);
      expect(body.giftSessions).toBe(gifted.length);
    }
    const unknown = await get<{ error: { code: string } }>('/api/viewers/123456789');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('viewer_not_found');
  });

  it('recaps: against the same streamer’s previous broadcast, with first-time gifters', async () => {
    const ltthGifters = new Set(
      ltthUsers.filter((u) => Number(u.total_coins_sent) > 0).map((u) => String(u.user_id)),
    );
    for (const [i, b] of world.entries()) {
      const id = sessionIds[i + 1]!;
      const { status, body } = await get<RecapResponse>(`/api/sessions/${id}/recap`);
      expect(status).toBe(200);
      const earlier = world.filter((o) => o.startAt < b.startAt);
      const previous = earlier.filter((o) => o.streamer === b.streamer).at(-1);
      expect(body.session.startedAt).toBe(b.startAt);
      expect(body.durationMs).toBe(b.endAt - b.startAt);
      if (!previous) {
        expect(body.previous).toBeNull();
        expect(body.difference).toBeNull();
      } else {
        expect(body.previous!.startedAt).toBe(previous.startAt);
        expect(body.difference).toEqual({
          viewers: b.stats.viewers - previous.stats.viewers,
          likes: b.stats.likes - previous.stats.likes,
          totalCoins: b.stats.totalCoins - previous.stats.totalCoins,
          followers: b.stats.followers - previous.stats.followers,
          shares: b.stats.shares - previous.stats.shares,
          gifts: b.stats.gifts - previous.stats.gifts,
          peakViewers: b.peakViewers - previous.peakViewers,
          durationMs: b.endAt - b.startAt - (previous.endAt - previous.startAt),
        });
      }
      expect(body.topGifters).toEqual(ranking(totals([b], false), 'coins', 5));
      const gifters = [...b.viewers.values()].filter((v) => v.gifts > 0);
      const before = new Set(
        earlier.flatMap((o) =>
          [...o.viewers.values()].filter((v) => v.gifts > 0).map((v) => v.userId),
        ),
      );
      const fresh = gifters.filter((v) => !before.has(v.userId) && !ltthGifters.has(v.userId));
      expect(body.gifters).toBe(gifters.length);
      expect(body.newGifters, `broadcast ${i}`).toBe(fresh.length);
      expect(body.firstTimeGifters.map((v) => v.userId)).toEqual(
        ranking(new Map(fresh.map((v) => [v.userId, v])), 'coins', 50).map((v) => v.userId),
      );
    }
    expect((await get(`/api/sessions/999/recap`)).status).toBe(404);
  });

  it('gift breakdowns per broadcast', async () => {
    for (const [i, b] of world.entries()) {
      const { body } = await get<GiftBreakdownResponse>(`/api/sessions/${sessionIds[i + 1]}/gifts`);
      const expected = [...b.giftTypes]
        .map(([giftId, t]) => ({ giftId, giftName: t.giftName, count: t.count, coins: t.coins }))
        .sort(
          (x, y) =>
            y.coins - x.coins ||
            y.count - x.count ||
            (x.giftId < y.giftId ? -1 : x.giftId > y.giftId ? 1 : 0),
        );
      expect(body.gifts.map(({ diamonds: _d, ...g }) => g)).toEqual(expected);
    }
  });

  it('refuses bad zones, dates and windows with 400, saying what is wrong', async () => {
    for (const [url, code] of [
      ['/api/summary?tz=Mars/Olympus', 'invalid_time_zone'],
      ['/api/summary?from=2026-02-30', 'invalid_date'],
      ['/api/summary?to=29.03.2026', 'invalid_date'],
      ['/api/summary?from=2026-04-02&to=2026-04-01', 'invalid_date'],
      ['/api/summary?period=year', 'invalid_request'],
      ['/api/leaderboard?window=year', 'invalid_request'],
      ['/api/leaderboard?window=week&tz=Nowhere', 'invalid_time_zone'],
    ] as const) {
      const { status, body } = await get<{ error: { code: string; message: string } }>(url);
      expect(status, url).toBe(400);
      expect(body.error.code, url).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(10);
    }
  });

  it('importing the same helper file again changes no answer', async () => {
    const before = await Promise.all([
      get('/api/leaderboard?window=all&metric=coins&limit=100'),
      get('/api/summary?period=month'),
      get(`/api/viewers/${ltthUsers[0]!.user_id}`),
    ]);
    await server.close();
    const workspace = new Workspace(dataDir, silentLogger);
    workspace.lockForWriting('test');
    const { store } = workspace.openForWriting('default');
    try {
      const again = await applyLtthImport(await prepareLtthImport(ltthFile), store.history);
      expect(again.applied).toBe(false);
    } finally {
      store.close();
      workspace.release();
    }
    expect(fs.existsSync(path.join(dataDir, 'user_configs', 'default.db'))).toBe(true);
    server = await testServer({ dataDir, now: () => now, timeZone: 'Europe/Berlin' });
    const after = await Promise.all([
      get('/api/leaderboard?window=all&metric=coins&limit=100'),
      get('/api/summary?period=month'),
      get(`/api/viewers/${ltthUsers[0]!.user_id}`),
    ]);
    expect(after).toEqual(before);
  });
});
