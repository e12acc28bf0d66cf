import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RosterResponse, StatsResponse } from '../../src/shared/api-types.js';
import type { RecordingTruth } from '../../src/sources/replay/recording-generator.js';
import {
  eventually,
  launchBrowser,
  newContext,
  pick,
  readStats,
  screenshotPath,
  watchErrors,
} from './support/browser.js';
import {
  api,
  cleanUp,
  folder,
  quietRecording,
  startLivetally,
  type Livetally,
} from './support/livetally.js';

// Several LIVEs counted by one real `livetally start`: an overlay with ?profile= follows its
// profile and no other, and the dashboard's roster lists every profile with its numbers.

const SHOWN = ['likes', 'totalCoins', 'gifts'] as const;

let browser: Browser;
let context: BrowserContext;
let server: Livetally;
const truth: Record<string, RecordingTruth> = {};

const call = <T>(method: string, route: string, body?: unknown) =>
  api<T>(server, method, route, { body });

beforeAll(async () => {
  const replayDir = folder();
  truth['alice'] = quietRecording(replayDir, 'alice', 801, 40);
  truth['bob'] = quietRecording(replayDir, 'bob', 802, 30);
  truth['carol'] = quietRecording(replayDir, 'carol', 803, 20);
  [server, browser] = await Promise.all([
    startLivetally({ dataDir: folder(), replayDir, speed: 20 }),
    launchBrowser(),
  ]);
  context = await newContext(browser);
  for (const name of ['bob_account', 'carol_cohost', 'spare']) {
    await call('POST', '/api/profiles', { name });
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanUp();
});

/** The profile's numbers once its recording's busy part is played (it then stays connected). */
async function settled(profile: string, streamer: string): Promise<StatsResponse> {
  return eventually(
    async () => {
      const view = await call<StatsResponse>('GET', `/api/profiles/${profile}/stats`);
      expect(view.connection.state).toBe('connected');
      expect(view.stats).toEqual(truth[streamer]!.stats);
      return view;
    },
    { timeout: 30_000 },
  );
}

describe('several LIVEs at once', () => {
  it("shows an overlay's ?profile= numbers, not the active profile's", async () => {
    const overlay: Page = await context.newPage();
    const errors = watchErrors(overlay);
    await overlay.goto(`${server.url}overlay?stats=${SHOWN.join(',')}&profile=bob_account`);
    await call('POST', '/api/connection', { streamer: 'alice' });
    await call('POST', '/api/profiles/bob_account/connection', { streamer: 'bob' });
    await settled('default', 'alice');
    await settled('bob_account', 'bob');
    await eventually(
      async () => expect(await readStats(overlay)).toEqual(pick(truth['bob']!.stats, SHOWN)),
      { timeout: 15_000 },
    );
    expect(await overlay.locator('#counters').getAttribute('data-profile')).toBe('bob_account');
    expect(pick(truth['bob']!.stats, SHOWN)).not.toEqual(pick(truth['alice']!.stats, SHOWN));
    expect(errors).toEqual([]);
    await overlay.close();
  }, 60_000);

  it('lists every profile on the dashboard and opens any of them', async () => {
    await call('POST', '/api/profiles/carol_cohost/connection', { streamer: 'carol' });
    await settled('carol_cohost', 'carol');
    const roster = await call<RosterResponse>('GET', '/api/profiles/roster');
    expect(roster.profiles.map((p) => [p.name, p.connection.state])).toEqual([
      ['bob_account', 'connected'],
      ['carol_cohost', 'connected'],
      ['default', 'connected'],
      ['spare', 'disconnected'],
    ]);

    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(server.url);
    const row = (name: string) => page.locator(`#roster-rows tr[data-profile="${name}"]`);
    await eventually(async () => {
      const cells = await row('carol_cohost').locator('[data-roster-stat]').allTextContents();
      const coins = truth['carol']!.stats.totalCoins.toLocaleString('en-US');
      expect(cells[2]).toBe(coins);
      expect(cells[6]).toBe(coins); // all of it today
    });
    await eventually(async () =>
      expect(await row('default').getAttribute('aria-current')).toBe('true'),
    );
    await page.screenshot({ path: screenshotPath('roster.png') });

    // Opening a profile shows its own numbers, live.
    await row('bob_account').locator('a').click();
    await page.waitForURL(/profile=bob_account/);
    await eventually(async () =>
      expect(await readStats(page.locator('#stats-panel'))).toEqual(truth['bob']!.stats),
    );
    expect(await page.locator('#viewing').isVisible()).toBe(true);
    expect(await page.locator('#active-profile').textContent()).toBe('bob_account');
    expect(await page.locator('#goals-panel').isVisible()).toBe(false);
    expect(await row('bob_account').getAttribute('aria-current')).toBe('true');
    await page.screenshot({ path: screenshotPath('dashboard-profile.png') });

    await page.setViewportSize({ width: 420, height: 900 });
    await page.goto(server.url);
    await eventually(async () => expect(await row('spare').isVisible()).toBe(true));
    await page.locator('#roster-panel').screenshot({ path: screenshotPath('roster-narrow.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
