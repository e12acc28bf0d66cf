import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import type { GoalView } from '../../src/shared/api-types.js';
import type { RecordingTruth } from '../../src/sources/replay/recording-generator.js';
import { connected, follow, gift, join, like, share, user, viewers } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import {
  eventually,
  launchBrowser,
  newContext,
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

// The dashboard's overlay builder, big numbers and the German dashboard, against a real
// `livetally start` and Debian's Chromium.

let browser: Browser;
let context: BrowserContext;
let server: Livetally;
let alice: RecordingTruth;
let page: Page;
let errors: string[];

const call = <T>(method: string, route: string, body?: unknown) =>
  api<T>(server, method, route, { body });
const urlField = () => page.locator('#overlay-url');

/** A LIVE with numbers of a million and more, then quiet. */
function bigLive(dir: string): void {
  const at = Date.now();
  const fan = { id: '6900000000000000077', handle: 'big.fan', nickname: 'Big Fan' };
  writeRecording(dir, 'bignum.ndjson', [
    connected({
      at,
      streamer: 'bignum',
      streamerId: '7100000000000000777',
      roomId: '7400000000000000777',
    }),
    viewers(1_234_567, at),
    like({ at, user: fan, count: 15, roomTotal: 1_234_567 }),
    gift({
      at,
      user: fan,
      giftId: '7934',
      giftName: 'Universe',
      diamonds: 44_999,
      repeatCount: 100,
      streakable: false,
      repeatEnd: true,
    }),
    follow(user(1), { at }),
    share(user(2), { at }),
    join(fan, at + 6 * 3600_000),
  ]);
}

beforeAll(async () => {
  const replayDir = folder();
  alice = quietRecording(replayDir, 'alice', 901, 60);
  bigLive(replayDir);
  [server, browser] = await Promise.all([
    startLivetally({ dataDir: folder(), replayDir, speed: 20 }),
    launchBrowser(),
  ]);
  context = await newContext(browser);
  page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanUp();
});

async function chooseOverlay(name: 'Counters' | 'Alerts' | 'Goal' | 'Leaderboard'): Promise<void> {
  await page.locator('#builder-kind label', { hasText: name }).click();
}

async function previewFrame(): Promise<Frame> {
  const frame = await (await page.locator('#overlay-preview').elementHandle())!.contentFrame();
  if (!frame) throw new Error('no preview frame');
  return frame;
}

/** The URL the builder shows, once the preview has loaded exactly that (muted) overlay. */
async function previewed(): Promise<{
  url: string;
  frame: Frame;
  size: { width: number; height: number };
}> {
  return eventually(async () => {
    const url = await urlField().inputValue();
    expect(url).not.toBe('');
    const frame = await previewFrame();
    expect(frame.url()).toBe(`${url}&muted=1`);
    expect(await frame.locator('html').getAttribute('data-connected')).toBe('true');
    const hint = (await page.locator('#source-size').textContent()) ?? '';
    const [, width, height] = /(\d+) × (\d+)/.exec(hint) ?? [];
    const size = { width: Number(width), height: Number(height) };
    // The preview lays the overlay out at exactly that size, as OBS will.
    expect(await frame.evaluate('[innerWidth, innerHeight]')).toEqual([size.width, size.height]);
    return { url, frame, size };
  });
}

/** Nothing of the overlay lies outside its browser source. */
async function fitsIn(frame: Frame | Page): Promise<void> {
  const box = (await frame.evaluate(`(() => {
    const main = document.querySelector('main').getBoundingClientRect();
    const root = document.documentElement;
    return { right: main.right, bottom: main.bottom, w: innerWidth, h: innerHeight,
      sw: root.scrollWidth, sh: root.scrollHeight };
  })()`)) as Record<string, number>;
  expect(box.right).toBeLessThanOrEqual(box.w!);
  expect(box.bottom).toBeLessThanOrEqual(box.h!);
  expect(box.sw).toBeLessThanOrEqual(box.w!);
  expect(box.sh).toBeLessThanOrEqual(box.h!);
}

/** The overlay's content as a page shows it (what differs between two loads taken out). */
const CONTENT = `document.querySelector('main').outerHTML`;

describe('the overlay builder', () => {
  it('counter cards keep their width while digits are added (tabular figures, reserved width)', async () => {
    const overlay = await context.newPage();
    errors.push(...watchErrors(overlay));
    await overlay.goto(`${server.url}overlay?stats=likes,totalCoins,followers&size=48`);
    await eventually(async () =>
      expect(await overlay.locator('[data-stat="likes"]').textContent()).toBe('0'),
    );
    await overlay.evaluate(`(() => {
      window.__widths = [];
      for (const node of document.querySelectorAll('[data-stat]')) {
        const card = node.closest('.counter');
        new MutationObserver(() => window.__widths.push({
          stat: node.dataset.stat, text: node.textContent, width: card.getBoundingClientRect().width,
        })).observe(node, { childList: true, characterData: true, subtree: true });
      }
    })()`);
    await call('POST', '/api/connection', { streamer: 'alice' });
    await eventually(
      async () => expect(await readStats(page.locator('#stats-panel'))).toEqual(alice.stats),
      {
        timeout: 30_000,
      },
    );
    await eventually(async () =>
      expect(await readStats(overlay)).toMatchObject({ likes: alice.stats.likes }),
    );
    const widths = (await overlay.evaluate('window.__widths')) as {
      stat: string;
      text: string;
      width: number;
    }[];
    const groups = (text: string) => Math.ceil(text.replace(/\D/g, '').length / 3);
    let changes = 0;
    for (const stat of ['likes', 'totalCoins', 'followers']) {
      const seen = widths.filter((w) => w.stat === stat && w.text !== '–');
      expect(seen.length).toBeGreaterThan(1);
      for (let i = 1; i < seen.length; i++) {
        const [before, after] = [seen[i - 1]!, seen[i]!];
        if (groups(before.text) === groups(after.text)) {
          expect(after.width, `${stat} ${before.text} → ${after.text}`).toBe(before.width);
        } else changes++;
      }
    }
    expect(changes).toBeGreaterThan(0); // the likes went past 999 on the way
    await overlay.close();
  });

  it('clamps an out-of-range size where the streamer sees it, and makes no URL without a counter', async () => {
    const size = page.getByLabel('Text size (px)', { exact: true });
    await size.fill('500');
    await eventually(async () => expect(await urlField().inputValue()).toContain('size=200'));
    expect(await page.locator('#builder-size-note').textContent()).toBe(
      '200 is the largest: 200 is used.',
    );
    await size.press('Tab');
    expect(await size.inputValue()).toBe('200');
    await size.fill('64');
    await eventually(async () => expect(await urlField().inputValue()).toContain('size=64'));
    expect(await page.locator('#builder-size-note').textContent()).toBe('');

    for (const name of ['Likes', 'Coins']) {
      await page.locator('#builder-stats').getByRole('checkbox', { name }).uncheck();
    }
    await eventually(async () => expect(await urlField().inputValue()).toBe(''));
    expect(await page.locator('#builder-stats-problem').textContent()).toBe(
      'Choose at least one counter.',
    );
    expect(await page.locator('#copy-url').getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('#preview-box').isHidden()).toBe(true);
    await page.locator('#builder-stats').getByRole('checkbox', { name: 'Likes' }).check();
    await eventually(async () =>
      expect(await urlField().inputValue()).toBe(
        `${server.url}overlay?stats=likes&theme=dark&size=64&lang=en`,
      ),
    );
  });

  it('opens each overlay from its URL exactly as the preview shows it, nothing cut off', async () => {
    const { goals } = await call<{ goals: GoalView[] }>('GET', '/api/goals');
    if (goals.length === 0) {
      await call('POST', '/api/goals', { metric: 'totalCoins', target: 1000, onReach: 'double' });
    }
    const cases: {
      name: 'Counters' | 'Alerts' | 'Goal' | 'Leaderboard';
      set: () => Promise<void>;
    }[] = [
      {
        // Stacked and large: what the old preview cut off.
        name: 'Counters',
        set: async () => {
          await page.locator('#builder-stats').getByRole('checkbox', { name: 'Viewers' }).check();
          await page.getByLabel('Layout').selectOption('column');
          await page.getByLabel('Text size (px)', { exact: true }).fill('100');
        },
      },
      {
        name: 'Alerts',
        set: async () => {
          await page.getByLabel('Alert text size (px)').fill('40');
          await page.getByLabel('Look').selectOption('transparent');
        },
      },
      {
        name: 'Goal',
        set: async () => {
          await page.getByLabel('Shape').selectOption('strip');
          await page.getByLabel('Look').selectOption('dark');
        },
      },
      {
        name: 'Leaderboard',
        set: async () => {
          await page
            .getByRole('region', { name: 'OBS overlays' })
            .getByLabel('Ranked by')
            .selectOption('likes');
          await page.getByRole('region', { name: 'OBS overlays' }).getByLabel('Rows').fill('7');
          await page
            .getByRole('region', { name: 'OBS overlays' })
            .getByLabel('Short numbers')
            .check();
        },
      },
    ];
    for (const { name, set } of cases) {
      await chooseOverlay(name);
      await set();
      const { url, frame, size } = await previewed();
      expect(new URL(url).pathname).toBe(
        {
          Counters: '/overlay',
          Alerts: '/overlay/alerts',
          Goal: '/overlay/goal',
          Leaderboard: '/overlay/leaderboard',
        }[name],
      );
      const standalone = await context.newPage();
      errors.push(...watchErrors(standalone));
      await standalone.setViewportSize(size);
      await standalone.goto(url);
      await eventually(async () =>
        expect(await standalone.locator('html').getAttribute('data-connected')).toBe('true'),
      );
      if (name === 'Alerts') {
        // An alert on both: the test gift goes to every overlay.
        await page.getByRole('button', { name: 'Test gift' }).click();
        await eventually(async () => expect(await standalone.locator('.alert').count()).toBe(1));
        await eventually(async () => expect(await frame.locator('.alert').count()).toBe(1));
      }
      await eventually(async () => {
        const shown = await standalone.evaluate(CONTENT);
        expect(shown).toBe(await frame.evaluate(CONTENT));
        expect(shown).not.toContain('data-stat="viewers">–');
      });
      await fitsIn(frame);
      await fitsIn(standalone);
      // And the panel shows all of the preview: scaled, not cropped.
      const [frameBox, panelBox] = await Promise.all([
        page.locator('#overlay-preview').boundingBox(),
        page.locator('#preview-box').boundingBox(),
      ]);
      expect(frameBox!.height).toBeLessThanOrEqual(panelBox!.height + 1);
      expect(frameBox!.width).toBeLessThanOrEqual(panelBox!.width + 1);
      await standalone.close();
    }
    expect(errors).toEqual([]);
  });

  it('shows the overlay on a transparent backdrop in dark mode, not in a white box', async () => {
    // Dark as the operating system's choice (theme "System"): the page's colour scheme is
    // then dark, the overlay's light.
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.getByLabel('Theme').inputValue()).toBe('system');
    await eventually(async () =>
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark'),
    );
    // The alerts overlay between two alerts: nothing on it, so all of it must be backdrop.
    await chooseOverlay('Alerts');
    const { frame } = await previewed();
    await eventually(async () => expect(await frame.locator('.alert').count()).toBe(0));
    const shot = await page.locator('#overlay-preview').screenshot();
    const centre = (await page.evaluate(
      `(async () => {
        const img = new Image();
        img.src = 'data:image/png;base64,${shot.toString('base64')}';
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width; canvas.height = img.height;
        const g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        return [...g.getImageData(img.width >> 1, img.height >> 1, 1, 1).data];
      })()`,
    )) as number[];
    // The checkerboard's greys (#6b7280 / #4b5563), not white.
    expect(centre[0]).toBeLessThan(130);
    expect(centre[1]).toBeLessThan(140);
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('big numbers', () => {
  it('1,234,567 fits on a tile at 1280 and 420 px, on one line; overlays can say 1.2M', async () => {
    // A leaderboard overlay open before the LIVE: it must end up with the LIVE's board
    // although the stats stop changing at once (per-viewer totals are saved a moment later).
    const board = await context.newPage();
    await board.goto(`${server.url}overlay/leaderboard?metric=coins&window=session&limit=5`);
    await call('DELETE', '/api/connection');
    await call('POST', '/api/connection', { streamer: 'bignum' });
    await eventually(async () =>
      expect(await readStats(page.locator('#stats-panel'))).toMatchObject({
        viewers: 1_234_567,
        likes: 1_234_567,
        totalCoins: 4_499_900,
      }),
    );
    expect(await page.locator('[data-stat="likes"]').textContent()).toBe('1,234,567');
    const value = board.locator('.board-row .value');
    await eventually(async () => expect(await value.getAttribute('data-value')).toBe('4499900'));
    expect(await board.locator('.board-row').count()).toBe(1);
    await board.close();
    const top = page.locator('#leaderboard-rows tr').first();
    await eventually(async () => expect(await top.textContent()).toContain('4,499,900'));
    expect(await top.textContent()).toContain('Big Fan');
    for (const width of [1280, 420]) {
      await page.setViewportSize({ width, height: 900 });
      const tiles =
        (await page.evaluate(`[...document.querySelectorAll('.tile-value')].map((node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return {
          text: node.textContent,
          fits: node.scrollWidth <= node.clientWidth,
          lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
        };
      })`)) as { text: string; fits: boolean; lines: number }[];
      for (const tile of tiles) {
        expect(tile, `${width} px`).toEqual({ text: tile.text, fits: true, lines: 1 });
      }
      expect(tiles.map((t) => t.text)).toContain('4,499,900');
    }
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: screenshotPath('dashboard-narrow.png'), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 900 });

    const overlay = await context.newPage();
    await overlay.goto(`${server.url}overlay?stats=likes,totalCoins&compact=1`);
    const likes = overlay.locator('.counter[data-counter="likes"]');
    await eventually(async () => expect(await likes.locator('.short').textContent()).toBe('1.2M'));
    expect(await overlay.locator('.counter[data-counter="totalCoins"] .short').textContent()).toBe(
      '4.5M',
    );
    // Tools that read the counters still get every digit.
    expect(await readStats(overlay)).toEqual({ likes: 1_234_567, totalCoins: 4_499_900 });
    await overlay.close();
  });
});

describe('German', () => {
  it('the dashboard speaks German with a German browser, numbers and times the German way, with a switch kept in this browser', async () => {
    const german = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'de-DE',
      reducedMotion: 'reduce',
    });
    const de = await german.newPage();
    errors.push(...watchErrors(de));
    await de.goto(server.url);
    expect(await de.evaluate('navigator.language')).toBe('de-DE');
    expect(await de.locator('html').getAttribute('lang')).toBe('de');
    expect(await de.locator('#stats-title').textContent()).toBe('Aktuelle Statistik');
    expect(await de.getByRole('button', { name: 'Statistik zurücksetzen …' }).count()).toBe(1);
    await eventually(async () =>
      expect(await de.locator('[data-stat="likes"]').textContent()).toBe('1.234.567'),
    );
    expect(await de.locator('#badge').textContent()).toBe('Live');
    expect(await de.locator('#connection-detail').textContent()).toBe(
      'Zähle @bignum (eine Aufnahme wird abgespielt).',
    );
    // Activity times on the 24-hour clock (a test follow puts one in the feed).
    await call('POST', '/api/test-alert', { kind: 'follow' });
    const time = await eventually(async () => {
      const text = await de.locator('#activity-feed time').first().textContent();
      expect(text).toMatch(/^\d\d:\d\d:\d\d$/);
      return text;
    });
    expect(time).not.toMatch(/AM|PM/);
    expect(await de.locator('#overlay-url').inputValue()).toContain('lang=de');
    await de.screenshot({ path: screenshotPath('dashboard-de.png') });

    // An overlay in German, whatever the browser.
    const overlay = await german.newPage();
    await overlay.goto(`${server.url}overlay?stats=totalCoins&lang=de&compact=1`);
    expect(await overlay.locator('.label').textContent()).toBe('Münzen');
    await eventually(async () =>
      expect(await overlay.locator('.short').textContent()).toBe('4,5\u00a0Mio.'),
    );

    // The switch: English, kept for the next visit.
    await de.getByLabel('Sprache').selectOption('en');
    await de.waitForLoadState('load');
    await eventually(async () =>
      expect(await de.locator('#stats-title').textContent()).toBe('Current stats'),
    );
    expect(await de.evaluate("localStorage.getItem('livetally.lang')")).toBe('en');
    await de.reload();
    expect(await de.locator('#stats-title').textContent()).toBe('Current stats');
    await eventually(async () =>
      expect(await de.locator('[data-stat="likes"]').textContent()).toBe('1,234,567'),
    );
    await german.close();
    expect(errors).toEqual([]);
  });
});
