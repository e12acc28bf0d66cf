import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { generateRecording } from '../helpers/recordings.js';
import { mountTinyDisk, skipBecause, type TinyDisk } from '../helpers/tiny-disk.js';
import {
  eventually,
  launchBrowser,
  newContext,
  screenshotPath,
  watchErrors,
} from './support/browser.js';
import { api, cleanUp, folder, startLivetally, type Livetally } from './support/livetally.js';

// A streamer whose disk fills up during a LIVE sees it on the dashboard at once, and sees
// it go when space returns.

let browser: Browser | undefined;
let page: Page;
let errors: string[];
let server: Livetally | undefined;
let disk: TinyDisk | string;

beforeAll(async () => {
  disk = mountTinyDisk(8192);
  if (typeof disk === 'string') return;
  const replayDir = folder();
  generateRecording(
    replayDir,
    { seed: 77, durationSec: 900, streamer: 'dana', startAt: Date.now() },
    'dana.ndjson',
  );
  [server, browser] = await Promise.all([
    startLivetally({ dataDir: disk.dir, replayDir, speed: 3 }),
    launchBrowser(),
  ]);
  const context = await newContext(browser);
  page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanUp();
});

describe('the dashboard when saving fails', () => {
  it('says what is not saved and why, and stops saying it once saving works again', async () => {
    if (typeof disk === 'string' || !server) return skipBecause(String(disk));
    await api(server, 'POST', '/api/connection', { body: { streamer: 'dana' } });
    const warning = page.locator('#storage-error');
    await eventually(async () =>
      expect(await page.locator('[data-stat="likes"]').textContent()).not.toBe('0'),
    );
    expect(await warning.isVisible()).toBe(false);

    disk.fill();
    await eventually(
      async () =>
        expect(await warning.textContent()).toMatch(
          /^Not saved since .*: the disk holding .* is full/,
        ),
      { timeout: 15_000 },
    );
    expect(await warning.getAttribute('role')).toBe('alert');
    await page.screenshot({ path: screenshotPath('dashboard-disk-full.png') });
    await page.setViewportSize({ width: 420, height: 900 });
    await warning.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('dashboard-disk-full-narrow.png') });
    await page.setViewportSize({ width: 1280, height: 900 });

    disk.free();
    await eventually(async () => expect(await warning.isVisible()).toBe(false), {
      timeout: 15_000,
    });
    expect(errors).toEqual([]);
    expect(await server.stop()).toBe(0); // before the disk goes (after each test)
  }, 60_000);
});
