import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
import { generateRecording } from '../helpers/recordings.js';
import {
  eventually,
  launchBrowser,
  parseCount,
  screenshotPath,
  seriousAxeViolations,
  watchErrors,
} from './support/browser.js';
import { api, cleanUp, folder, startLivetally, type Livetally } from './support/livetally.js';

// The History pages as a streamer uses them: a profile with five weeks of LIVEs, a real
// `livetally start`, Debian's Chromium. Numbers on the pages are checked against the API
// (itself checked against an oracle in test/integration/history-oracle.test.ts).

const DAY = 86_400_000;
let browser: Browser;
let server: Livetally;
let errors: string[] = [];

/** Evenings of the last five weeks, a LIVE most of them, dated so that weeks and months show. */
function eveningsAgo(days: number): number {
  const d = new Date(Date.now() - days * DAY);
  d.setHours(19, 30, 0, 0);
  return Math.min(d.getTime(), Date.now() - 2 * 3600_000);
}

beforeAll(async () => {
  const dataDir = folder();
  const replayDir = folder();
  const recordings = folder();
  const workspace = new Workspace(dataDir, silentLogger);
  workspace.lockForWriting('test');
  workspace.ensureDefault();
  const profile = workspace.openForWriting('default');
  const { store } = profile;
  try {
    const days = [33, 30, 26, 23, 19, 16, 12, 9, 5, 2, 1];
    for (const [i, ago] of days.entries()) {
      const { file } = generateRecording(
        recordings,
        {
          seed: 700 + i,
          durationSec: 240 + (i % 4) * 60,
          intensity: 0.6 + (i % 3) * 0.3,
          audience: 900,
          streamer: 'luna_live',
          streamerId: '7100000000000000777',
          roomId: `74000000000000007${String(i).padStart(2, '0')}`,
          startAt: eveningsAgo(ago),
        },
        `luna-${i}.ndjson`,
      );
      await runReplay({ profile, file, speed: 0, saveIntervalMs: 200, logger: silentLogger });
    }
  } finally {
    store.close();
    workspace.release();
  }
  // A LIVE that ends by itself while the dashboard watches.
  generateRecording(
    replayDir,
    {
      seed: 790,
      durationSec: 20,
      streamer: 'luna_live',
      streamerId: '7100000000000000777',
      roomId: '7400000000000000790',
      startAt: Date.now(),
    },
    'luna_live.ndjson',
  );
  [server, browser] = await Promise.all([
    startLivetally({ dataDir, replayDir, speed: 10 }),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanUp();
});

async function open(
  route: string,
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 1000 },
    locale: 'en-US',
    colorScheme: options.dark ? 'dark' : 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(new URL(route, server.url).href);
  await page.locator('main:not([aria-busy])').waitFor();
  return { page, context };
}

const summaryOf = (period: string, tz: string) =>
  api<SummaryResponse>(server, 'GET', `/api/summary?period=${period}&tz=${encodeURIComponent(tz)}`);

describe('the History pages', () => {
  it('shows this week, this month, every LIVE and the top supporters', async () => {
    const { page, context } = await open('/history');
    const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const weeks = await summaryOf('week', tz);
    const months = await summaryOf('month', tz);
    const count = async (selector: string) =>
      parseCount(await page.locator(selector).first().textContent());
    expect(await count('[data-history-stat="week-coins"]')).toBe(weeks.buckets.at(-1)!.totalCoins);
    expect(await count('[data-history-stat="month-coins"]')).toBe(
      months.buckets.at(-1)!.totalCoins,
    );
    expect(await count('[data-history-stat="week-likes"]')).toBe(weeks.buckets.at(-1)!.likes);

    const sessions = await api<{ sessions: unknown[] }>(server, 'GET', '/api/sessions');
    const rows = page.locator('table.broadcasts tbody tr');
    expect(await rows.count()).toBe(sessions.sessions.length);
    await expect(page.locator('.chart canvas').count()).resolves.toBeGreaterThan(0);

    // Top supporters of all time, as the API ranks them.
    const board = await api<LeaderboardResponse>(
      server,
      'GET',
      '/api/leaderboard?window=all&metric=coins&limit=10',
    );
    const names = await page.locator('.board-widget tbody a.nick').allTextContents();
    expect(names).toEqual(board.viewers.map((v) => v.nickname || v.handle));
    // Ranked by likes this week: the table follows the choice.
    await page.locator('.board-widget').getByText('This week', { exact: true }).click();
    await page.getByLabel('Ranked by').selectOption('likes');
    const weekLikes = await api<LeaderboardResponse>(
      server,
      'GET',
      `/api/leaderboard?window=week&metric=likes&limit=10&tz=${encodeURIComponent(tz)}`,
    );
    await eventually(async () =>
      expect(await page.locator('.board-widget tbody a.nick').allTextContents()).toEqual(
        weekLikes.viewers.map((v) => v.nickname || v.handle),
      ),
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('history-light.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows one LIVE: numbers against the one before, charts, gifters and gifts', async () => {
    const sessions = await api<{ sessions: { id: number }[] }>(server, 'GET', '/api/sessions');
    const id = sessions.sessions[0]!.id;
    const recap = await api<RecapResponse>(server, 'GET', `/api/sessions/${id}/recap`);
    const gifts = await api<GiftBreakdownResponse>(server, 'GET', `/api/sessions/${id}/gifts`);
    const { page, context } = await open('/history');
    await page.locator('table.broadcasts tbody tr a').first().click();
    await page.locator('.page-title', { hasText: "@luna_live's LIVE" }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/broadcast/${id}`);
    const stat = async (key: string) =>
      parseCount(await page.locator(`[data-history-stat="${key}"]`).textContent());
    expect(await stat('totalCoins')).toBe(recap.session.stats.totalCoins);
    expect(await stat('likes')).toBe(recap.session.stats.likes);
    expect(await stat('peakViewers')).toBe(recap.session.peakViewers);
    expect(recap.previous).not.toBeNull();
    const coinsTile = page.locator('.tile', {
      has: page.locator('[data-history-stat="totalCoins"]'),
    });
    expect(await coinsTile.locator('.change').textContent()).toContain(
      Math.abs(recap.difference!.totalCoins).toLocaleString('en-US'),
    );
    await eventually(async () => expect(await page.locator('.chart canvas').count()).toBe(4));
    expect(await page.locator('table.gifts tbody tr').count()).toBe(gifts.gifts.length);
    const firstGifter = recap.topGifters[0]!;
    expect(await page.locator('#top-gifters-title + * a.nick').first().textContent()).toBe(
      firstGifter.nickname || firstGifter.handle,
    );
    expect(await page.getByText('First-time gifters').first().isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('history-broadcast-light.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();

    const dark = await open(`/history#/broadcast/${id}`, { dark: true });
    await dark.page.locator('.page-title', { hasText: "@luna_live's LIVE" }).waitFor();
    await eventually(async () => expect(await dark.page.locator('.chart canvas').count()).toBe(4));
    expect(await seriousAxeViolations(dark.page)).toEqual([]);
    await dark.page.screenshot({
      path: screenshotPath('history-broadcast-dark.png'),
      fullPage: true,
    });
    await dark.context.close();
  });

  it("opens a viewer's page from a leaderboard, with their totals over everything", async () => {
    const { page, context } = await open('/history');
    const top = page.locator('.board-widget tbody a.nick').first();
    const name = await top.textContent();
    await top.click();
    await page.locator('.page-title', { hasText: name! }).waitFor();
    const userId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    const viewer = await api<ViewerResponse>(server, 'GET', `/api/viewers/${userId}`);
    const stat = async (key: string) =>
      parseCount(await page.locator(`[data-history-stat="${key}"]`).textContent());
    expect(await stat('coins')).toBe(viewer.coins);
    expect(await stat('likes')).toBe(viewer.likes);
    expect(await page.locator('dd').nth(2).textContent()).toBe(String(viewer.sessions));
    expect(await page.locator('main tbody tr').count()).toBe(viewer.recentGifts.length);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('history-viewer-light.png'), fullPage: true });
    // An unknown viewer: said so, with the way back.
    await page.goto(new URL('/history#/viewer/123', server.url).href);
    await page.getByText('This viewer is not in this profile’s history.').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works in the dark and in a narrow window', async () => {
    const dark = await open('/history', { dark: true });
    await dark.page.locator('.chart canvas').first().waitFor();
    expect(await seriousAxeViolations(dark.page)).toEqual([]);
    await dark.page.screenshot({ path: screenshotPath('history-dark.png'), fullPage: true });
    await dark.context.close();

    const narrow = await open('/history', { width: 420, height: 900 });
    await narrow.page.locator('.chart canvas').first().waitFor();
    // Nothing wider than the window: the page does not scroll sideways.
    const overflow = await narrow.page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow as number).toBeLessThanOrEqual(0);
    expect(await seriousAxeViolations(narrow.page)).toEqual([]);
    await narrow.page.screenshot({ path: screenshotPath('history-narrow.png') });
    await narrow.page.locator('table.broadcasts tbody tr a').first().click();
    await narrow.page.locator('.chart canvas').first().waitFor();
    await narrow.page.screenshot({ path: screenshotPath('history-broadcast-narrow.png') });
    expect(errors).toEqual([]);
    await narrow.context.close();
  });
});

describe('History on the dashboard', () => {
  it('shows the week and the month, leads into the History, and offers the recap when a LIVE ends', async () => {
    const { page, context } = await open('/');
    const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const weeks = await summaryOf('week', tz);
    await eventually(async () =>
      expect(parseCount(await page.locator('[data-history-stat="week-coins"]').textContent())).toBe(
        weeks.buckets.at(-1)!.totalCoins,
      ),
    );
    const board = await api<LeaderboardResponse>(
      server,
      'GET',
      `/api/leaderboard?window=week&metric=coins&limit=10&tz=${encodeURIComponent(tz)}`,
    );
    await eventually(async () =>
      expect(await page.locator('#history-panel tbody a.nick').allTextContents()).toEqual(
        board.viewers.map((v) => v.nickname || v.handle),
      ),
    );
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The LIVE ends while the dashboard is open: its recap is offered.
    await page.getByLabel('TikTok streamer').fill('luna_live');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const offer = page.locator('.recap-offer');
    await offer.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await offer.textContent()).toContain("@luna_live's LIVE has ended");
    const sessions = await api<{ sessions: { id: number }[] }>(server, 'GET', '/api/sessions');
    const ended = sessions.sessions[0]!.id;
    const recap = await api<RecapResponse>(server, 'GET', `/api/sessions/${ended}/recap`);
    expect(await offer.textContent()).toContain(
      `${recap.session.stats.totalCoins.toLocaleString('en-US')} coins`,
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator('#history-panel').screenshot({ path: screenshotPath('history-panel.png') });
    await page.getByRole('link', { name: 'See the recap' }).click();
    await page.locator('.page-title', { hasText: "@luna_live's LIVE" }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/history');
    expect(new URL(page.url()).hash).toBe(`#/broadcast/${ended}`);

    // Every leaderboard leads to the viewer's page: the dashboard's top gifters too.
    await page.goto(server.url);
    const gifter = page.locator('#leaderboard-rows a.nick').first();
    await gifter.waitFor();
    await gifter.click();
    await page.locator('[data-history-stat="coins"]').waitFor();
    expect(new URL(page.url()).hash).toMatch(/^#\/viewer\/\d+$/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
