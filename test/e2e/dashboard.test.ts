import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ProfilesResponse, StatsResponse, StatsValues } from '../../src/shared/api-types.js';
import type { RecordingTruth } from '../../src/sources/replay/recording-generator.js';
import { generateRecording } from '../helpers/recordings.js';
import {
  eventually,
  launchBrowser,
  newContext,
  parseCount,
  readStats,
  screenshotPath,
  seriousAxeViolations,
  watchErrors,
} from './support/browser.js';
import {
  api,
  cleanUp,
  folder,
  quietRecording,
  startLivetally,
  topGifter,
  type Livetally,
} from './support/livetally.js';

// The dashboard as a streamer uses it: a real `livetally start --replay-dir` and Debian's
// Chromium. The tests of this file run in order on one page, like one evening's stream.

const ZERO: StatsValues = {
  viewers: 0,
  likes: 0,
  totalCoins: 0,
  followers: 0,
  shares: 0,
  gifts: 0,
};

let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let server: Livetally;
let alice: RecordingTruth;
let bob: RecordingTruth;
let carol: RecordingTruth;

beforeAll(async () => {
  const dataDir = folder();
  const replayDir = folder();
  alice = quietRecording(replayDir, 'alice', 501, 60);
  bob = quietRecording(replayDir, 'bob', 502, 30);
  // carol's LIVE ends by itself, quickly.
  carol = generateRecording(
    replayDir,
    { seed: 503, durationSec: 15, streamer: 'carol', streamerId: '7100000000000000503' },
    'carol.ndjson',
  ).truth;
  [server, browser] = await Promise.all([
    startLivetally({ dataDir, replayDir, speed: 30 }),
    launchBrowser(),
  ]);
  context = await newContext(browser);
  page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(server.url);
  // A mark that a reload would wipe: everything below must happen without one.
  await page.evaluate('window.__sameDocument = true');
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanUp();
});

const tiles = () => readStats(page.locator('#stats-panel'));
const stats = () => api<StatsResponse>(server, 'GET', '/api/stats');
const badge = () => page.locator('#badge');
const dialog = () => page.getByRole('dialog');

async function connect(streamer: string): Promise<void> {
  await page.getByLabel('TikTok streamer').fill(streamer);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

describe('the dashboard', () => {
  it("connects to a streamer through the form and shows the recording's totals", async () => {
    await eventually(async () => expect(await badge().textContent()).toBe('Not connected'));
    await connect('@alice');
    await eventually(async () => expect(await tiles()).toEqual(alice.stats), { timeout: 20_000 });
    const live = await stats();
    expect(live.connection).toMatchObject({ state: 'connected', streamer: 'alice' });
    expect(live.stats).toEqual(alice.stats);
    expect(await badge().textContent()).toBe('Live');
    expect(await page.locator('#connection-detail').textContent()).toContain('@alice');
    expect(parseCount(await page.locator('#peak-viewers').textContent())).toBe(alice.peakViewers);
    expect(await page.locator('#running-time').textContent()).toMatch(/^\d+:\d\d$/);

    // The board: top gifters by coins, as the API and the recording's truth rank them.
    const best = topGifter(alice);
    const board = await api<{ viewers: { userId: string; handle: string; coins: number }[] }>(
      server,
      'GET',
      '/api/leaderboard?metric=coins&limit=10',
    );
    expect(board.viewers[0]!.coins).toBe(best.coins);
    const first = page.locator('#leaderboard-rows tr').first();
    await eventually(async () =>
      expect(parseCount(await first.locator('td').nth(2).textContent())).toBe(best.coins),
    );
    expect(await first.textContent()).toContain(`@${board.viewers[0]!.handle}`);

    // The feed: gifts at their streak's end, follows and shares.
    const kinds = await eventually(async () => {
      const found = await page
        .locator('#activity-feed li')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
      expect(new Set(found).size).toBeGreaterThan(1);
      return found;
    });
    expect(kinds.every((k) => k === 'gift' || k === 'follow' || k === 'share')).toBe(true);
  });

  it('passes an accessibility check in light and dark, and makes the README screenshots', async () => {
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('dashboard-light.png') });

    await page.getByLabel('Theme').selectOption('dark');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('dashboard-dark.png') });

    // "System" follows the operating system's setting.
    await page.getByLabel('Theme').selectOption('system');
    const theme = () => page.locator('html').getAttribute('data-theme');
    await page.emulateMedia({ colorScheme: 'dark' });
    await eventually(async () => expect(await theme()).toBe('dark'));
    await page.emulateMedia({ colorScheme: 'light' });
    await eventually(async () => expect(await theme()).toBe('light'));
  });

  it('creates, switches and deletes profiles through the UI; a switch changes every number at once', async () => {
    const name = page.getByLabel('New profile');
    const check = page.locator('#new-profile-check');
    await name.fill('-gaming');
    expect(await check.textContent()).toContain("Cannot start with '.' or '-'");
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Create' }).click();
    expect((await api<ProfilesResponse>(server, 'GET', '/api/profiles')).profiles).toHaveLength(1);

    await name.fill('gaming stream');
    expect(await check.textContent()).toContain('Not allowed: spaces');
    await name.fill('gaming');
    expect(await check.textContent()).toContain('can be created');
    await name.press('Enter');
    await eventually(async () =>
      expect(await page.locator('#profile-list').textContent()).toContain('gaming'),
    );
    const created = await api<ProfilesResponse>(server, 'GET', '/api/profiles');
    expect(created.profiles.map((p) => p.name).sort()).toEqual(['default', 'gaming']);
    await name.fill('GAMING');
    expect(await check.textContent()).toContain('already exists');
    await name.fill('');

    // Switching while live asks first: it disconnects from the streamer.
    await page.getByLabel('Switch to', { exact: true }).selectOption('gaming');
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await expect(dialog().textContent()).resolves.toContain('disconnects from @alice');
    await dialog().getByRole('button', { name: 'Switch' }).click();
    await eventually(async () => expect(await tiles()).toEqual(ZERO));
    expect(await page.locator('#active-profile').textContent()).toBe('gaming');
    expect((await stats()).profile).toBe('gaming');
    // The switch ended the connection; that is no LIVE that "ended".
    await eventually(async () => expect(await badge().textContent()).toBe('Not connected'));

    await connect('bob');
    await eventually(async () => expect(await tiles()).toEqual(bob.stats), { timeout: 20_000 });

    // Back to "default": its file's numbers (alice's, saved at the switch), none of bob's.
    await page.getByLabel('Switch to', { exact: true }).selectOption('default');
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await dialog().getByRole('button', { name: 'Switch' }).click();
    const back = await eventually(async () => {
      const view = await stats();
      expect(view.profile).toBe('default');
      expect(await tiles()).toEqual(view.stats);
      return view;
    });
    expect(back.saved?.stats).toEqual(alice.stats);
    expect(await page.locator('#active-profile').textContent()).toBe('default');

    // Delete "gaming" (never the active one: it has no delete button).
    const list = page.locator('#profile-list');
    expect(await list.getByRole('button', { name: 'Delete profile default' }).count()).toBe(0);
    await list.getByRole('button', { name: 'Delete profile gaming' }).click();
    await expect(dialog().textContent()).resolves.toContain('cannot be undone');
    await dialog().getByRole('button', { name: 'Delete' }).click();
    await eventually(async () => expect(await list.textContent()).not.toContain('gaming'));
    const left = await api<ProfilesResponse>(server, 'GET', '/api/profiles');
    expect(left.profiles.map((p) => p.name)).toEqual(['default']);

    expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  it('resets through the button after a confirmation step, and the numbers go to zero at once', async () => {
    const before = await tiles();
    expect(before.likes).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Reset stats…' }).click();
    await expect(dialog().textContent()).resolves.toContain('go to zero');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog().isVisible()).toBe(false);
    expect(await tiles()).toEqual(before);
    expect((await stats()).stats).toEqual(before);

    await page.getByRole('button', { name: 'Reset stats…' }).click();
    const clicked = Date.now();
    await dialog().getByRole('button', { name: 'Reset' }).click();
    await eventually(async () => expect(await tiles()).toEqual(ZERO), { timeout: 2000 });
    expect(Date.now() - clicked).toBeLessThan(2000);
    const after = await stats();
    expect(after.stats).toEqual(ZERO);
    expect(after.saved?.stats).toEqual(ZERO);
  });

  it('fits a narrow second-monitor window and works from the keyboard', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBe(0);
    expect(await page.locator('[data-stat="likes"]').isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Tab to the reset button, open the confirmation with Enter, leave it with Escape.
    await page.locator('body').focus();
    await eventually(
      async () => {
        await page.keyboard.press('Tab');
        expect(await page.evaluate('document.activeElement.id')).toBe('reset');
      },
      { interval: 0, timeout: 5000 },
    );
    await page.keyboard.press('Enter');
    expect(await dialog().isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await dialog().isVisible()).toBe(false);
    expect(await page.evaluate('document.activeElement.id')).toBe('reset');

    // And on to the streamer field: type a handle and connect with Enter.
    await eventually(
      async () => {
        await page.keyboard.press('Tab');
        expect(await page.evaluate('document.activeElement.id')).toBe('streamer');
      },
      { interval: 0, timeout: 5000 },
    );
    await page.keyboard.type('nobody_here');
    await page.keyboard.press('Enter');
    await eventually(async () =>
      expect(await page.locator('#connection-error').textContent()).toContain(
        'no recording for @nobody_here',
      ),
    );

    // A broadcast that ends by itself: "Ended", and what the profile keeps of it.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('carol');
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await badge().textContent()).toBe('Ended'), {
      timeout: 15_000,
    });
    expect(await page.locator('#connection-detail').textContent()).toContain(
      'The recording of @carol has finished',
    );
    await eventually(async () =>
      expect(await page.locator('#saved-note').textContent()).toContain(
        `Kept in this profile for @carol: ${carol.stats.likes.toLocaleString('en-US')} likes`,
      ),
    );
    // The badge follows the `connection` event, the tiles the next `stats` push.
    await eventually(async () => expect(await tiles()).toEqual(ZERO));
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(errors).toEqual([]);
  });

  it('composes an overlay URL in the builder and previews it', async () => {
    await page.getByRole('checkbox', { name: 'Viewers' }).check();
    await page.getByLabel('Text size (px)', { exact: true }).fill('64');
    await page.getByLabel('Layout').selectOption('column');
    const expected = `${server.url}overlay?stats=viewers,likes,totalCoins&theme=dark&size=64&layout=column&lang=en`;
    await eventually(async () =>
      expect(await page.getByLabel('Counters overlay URL').inputValue()).toBe(expected),
    );
    const preview = page.frameLocator('#overlay-preview');
    // The preview plays no sound; otherwise it is that very URL.
    await eventually(async () =>
      expect(await page.locator('#overlay-preview').getAttribute('src')).toBe(
        `${expected}&muted=1`,
      ),
    );
    await eventually(async () =>
      expect(
        await preview
          .locator('[data-stat]')
          .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-stat'))),
      ).toEqual(['viewers', 'likes', 'totalCoins']),
    );
    expect(await readStats(preview.locator('body'))).toEqual({
      viewers: 0,
      likes: 0,
      totalCoins: 0,
    });
    await page.locator('#builder-kind label', { hasText: 'Alerts' }).click();
    expect(await page.getByLabel(/Alerts overlay URL/).inputValue()).toBe(
      `${server.url}overlay/alerts?theme=dark&size=32&giftSound=coin&followSound=chime&shareSound=pop&lang=en`,
    );
    expect(errors).toEqual([]);
  });
});
