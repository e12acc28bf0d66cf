import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { StatsResponse } from '../../src/shared/api-types.js';
import type { RecordingTruth } from '../../src/sources/replay/recording-generator.js';
import {
  eventually,
  launchBrowser,
  newContext,
  pick,
  readStats,
  watchErrors,
} from './support/browser.js';
import {
  api,
  cleanUp,
  folder,
  quietRecording,
  startLivetally,
  type Livetally,
  type StartOptions,
} from './support/livetally.js';

// The OBS overlays against a real `livetally start`, with an access token as when livetally
// is reachable from another PC: they must follow the numbers, survive a restart of
// livetally by themselves, and never show another profile's numbers.

const TOKEN = 'e2e-overlay-token-5f1c';
const SHOWN = ['likes', 'totalCoins', 'followers'] as const;

let browser: Browser;
let context: BrowserContext;
let server: Livetally;
let start: StartOptions;
let alice: RecordingTruth;
let bob: RecordingTruth;
let overlay: Page;
let alerts: Page;
let errors: string[];

const call = <T>(method: string, route: string, body?: unknown) =>
  api<T>(server, method, route, { token: TOKEN, body });
const connected = (page: Page) => page.locator('html').getAttribute('data-connected');

beforeAll(async () => {
  const replayDir = folder();
  alice = quietRecording(replayDir, 'alice', 601, 60);
  bob = quietRecording(replayDir, 'bob', 602, 30);
  start = { dataDir: folder(), replayDir, speed: 30, token: TOKEN };
  [server, browser] = await Promise.all([startLivetally(start), launchBrowser()]);
  context = await newContext(browser);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanUp();
});

describe('the overlays', () => {
  it('show the counters of their URL on a transparent page and follow the numbers', async () => {
    overlay = await context.newPage();
    alerts = await context.newPage();
    errors = [...watchErrors(overlay), ...watchErrors(alerts)];
    await overlay.goto(
      `${server.url}overlay?stats=${SHOWN.join(',')}&theme=dark&size=48&token=${TOKEN}`,
    );
    await alerts.goto(`${server.url}overlay/alerts?theme=dark&size=28&seconds=1&token=${TOKEN}`);
    await eventually(async () => expect(await connected(overlay)).toBe('true'));
    await eventually(async () => expect(await connected(alerts)).toBe('true'));

    const names = await overlay
      .locator('[data-stat]')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-stat')));
    expect(names).toEqual([...SHOWN]);
    // `size=48` reaches the numbers (set through CSSOM, which the page's CSP allows).
    expect(
      await overlay.evaluate("getComputedStyle(document.querySelector('[data-stat]')).fontSize"),
    ).toBe('48px');
    expect(await overlay.evaluate('getComputedStyle(document.body).backgroundColor')).toBe(
      'rgba(0, 0, 0, 0)',
    );
    expect(
      await overlay.evaluate('getComputedStyle(document.documentElement).backgroundColor'),
    ).toBe('rgba(0, 0, 0, 0)');

    await call('POST', '/api/connection', { streamer: 'alice' });
    await eventually(
      async () => expect(await readStats(overlay)).toEqual(pick(alice.stats, SHOWN)),
      {
        timeout: 20_000,
      },
    );
    expect(pick((await call<StatsResponse>('GET', '/api/stats')).stats, SHOWN)).toEqual(
      pick(alice.stats, SHOWN),
    );

    // The alerts overlay announced gifts, follows or shares, one at a time.
    const alert = alerts.locator('.alert');
    await eventually(async () => expect(await alert.count()).toBe(1));
    expect(['gift', 'follow', 'share']).toContain(await alert.getAttribute('data-kind'));
    expect(await alert.locator('.alert-title').textContent()).not.toBe('');
  });

  it('come back by themselves when livetally restarts, and follow it again', async () => {
    const port = server.port;
    expect(await server.stop()).toBe(0);
    await eventually(async () => expect(await connected(overlay)).toBe('false'));
    await eventually(async () => expect(await connected(alerts)).toBe('false'));

    server = await startLivetally({ ...start, port });
    await eventually(async () => expect(await connected(overlay)).toBe('true'), {
      timeout: 15_000,
    });
    await eventually(async () => expect(await connected(alerts)).toBe('true'), { timeout: 15_000 });
    // After the restart the overlay shows what the new process says (the saved numbers) …
    const restarted = await call<StatsResponse>('GET', '/api/stats');
    await eventually(async () =>
      expect(await readStats(overlay)).toEqual(pick(restarted.stats, SHOWN)),
    );
    // … and follows its changes: another streamer starts from zero and counts up. (Stopped
    // mid-broadcast, livetally picked @alice up again by itself: disconnect first.)
    if (restarted.connection.state !== 'disconnected') {
      expect(restarted.connection.streamer).toBe('alice');
      await call('DELETE', '/api/connection');
    }
    await call('POST', '/api/connection', { streamer: 'bob' });
    await eventually(async () => expect(await readStats(overlay)).toEqual(pick(bob.stats, SHOWN)), {
      timeout: 20_000,
    });
    await eventually(async () => expect(await alerts.locator('.alert').count()).toBe(1));
  });

  it("never show the old profile's numbers after a profile switch", async () => {
    // A second overlay whose realtime channel passes through the test, which holds back
    // what follows a `profile` message: in between, the old numbers must already be gone.
    const watched = await context.newPage();
    errors.push(...watchErrors(watched));
    let holding = false;
    const held: (() => void)[] = [];
    let profileSeen: () => void = () => {};
    const profileArrived = new Promise<void>((resolve) => (profileSeen = resolve));
    await watched.routeWebSocket(/\/socket\.io\//, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((message) => upstream.send(message));
      upstream.onMessage((message) => {
        const text = String(message);
        if (holding && text.startsWith('42["stats"')) {
          held.push(() => ws.send(message));
          return;
        }
        ws.send(message);
        if (text.startsWith('42["profile"')) profileSeen();
      });
    });
    await watched.goto(`${server.url}overlay?stats=${SHOWN.join(',')}&token=${TOKEN}`);
    const before = await eventually(async () => {
      const shown = await readStats(watched);
      expect(shown).toEqual(await readStats(overlay));
      expect(shown.likes).toBeGreaterThan(0);
      return shown;
    });

    await call('POST', '/api/profiles', { name: 'other' });
    holding = true;
    await call('POST', '/api/profiles/other/activate');
    await profileArrived;
    await eventually(async () =>
      expect(await watched.locator('#counters').getAttribute('data-profile')).toBe('other'),
    );
    const between = await watched.locator('[data-stat]').allTextContents();
    expect(between).toEqual(['–', '–', '–']);
    expect(between).not.toContain(before.likes!.toLocaleString('en-US'));

    holding = false;
    for (const send of held.splice(0)) send();
    const zero = { likes: 0, totalCoins: 0, followers: 0 };
    await eventually(async () => expect(await readStats(watched)).toEqual(zero));
    await eventually(async () => expect(await readStats(overlay)).toEqual(zero));

    // And back: the overlays show what the default profile's file holds.
    await call('POST', '/api/profiles/default/activate');
    const view = await call<StatsResponse>('GET', '/api/stats');
    expect(view.profile).toBe('default');
    await eventually(async () => expect(await readStats(overlay)).toEqual(pick(view.stats, SHOWN)));
    await eventually(async () => expect(await readStats(watched)).toEqual(pick(view.stats, SHOWN)));
    await watched.close();
    expect(errors).toEqual([]);
  });

  it('the dashboard says when its token is missing, and carries it into the overlay URLs', async () => {
    const page = await context.newPage();
    await page.goto(server.url);
    await eventually(async () =>
      expect(await page.locator('#banner').textContent()).toContain('access token'),
    );
    await page.goto(`${server.url}?token=${TOKEN}`);
    await eventually(async () => expect(await page.locator('#banner').isHidden()).toBe(true));
    const view = await call<StatsResponse>('GET', '/api/stats');
    await eventually(async () =>
      expect(await readStats(page.locator('#stats-panel'))).toEqual(view.stats),
    );
    expect(await page.getByLabel('Counters overlay URL').inputValue()).toContain(`token=${TOKEN}`);
    for (const kind of ['Alerts', 'Leaderboard']) {
      await page.locator('#builder-kind label', { hasText: kind }).click();
      expect(await page.getByLabel(new RegExp(`${kind} overlay URL`)).inputValue()).toContain(
        `token=${TOKEN}`,
      );
    }
    await page.close();
  });
});
