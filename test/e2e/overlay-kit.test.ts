import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { goalNext } from '../../src/domain/goals.js';
import type { GoalView, LeaderboardResponse, StatsResponse } from '../../src/shared/api-types.js';
import type { RecordingTruth } from '../../src/sources/replay/recording-generator.js';
import { connected, follow, gift, join } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { composeOnScene, type Placed } from './support/busy-scene.js';
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

// The overlay kit against a real `livetally start` and Debian's Chromium: a goal made on
// the dashboard follows a live replay on its overlay, the leaderboard overlay shows what
// the API says, test alerts reach the overlays and change nothing, sounds play as chosen.
// With LIVETALLY_SCREENSHOTS=1 it also makes the README's pictures of every overlay on a
// busy game scene at OBS size.

let browser: Browser;
let context: BrowserContext;
let server: Livetally;
let dataDir: string;
let alice: RecordingTruth;
let dashboard: Page;
let errors: string[];

/** What the pages tried to play: the context's pages report every <audio>.play(). */
const PLAYS = `(() => {
  window.__played = [];
  HTMLMediaElement.prototype.play = function () {
    window.__played.push({ src: this.src, volume: this.volume });
    return Promise.resolve();
  };
})();`;
type Played = { src: string; volume: number }[];
const played = (page: Page) => page.evaluate('window.__played') as Promise<Played>;

const call = <T>(method: string, route: string, body?: unknown) =>
  api<T>(server, method, route, { body });

async function overlay(route: string, size: { width: number; height: number }): Promise<Page> {
  const page = await context.newPage();
  errors.push(...watchErrors(page));
  await page.setViewportSize(size);
  await page.goto(new URL(route, server.url).toString());
  await eventually(async () =>
    expect(await page.locator('html').getAttribute('data-connected')).toBe('true'),
  );
  return page;
}

/** The profile's file and WAL, to prove a test alert stored nothing. */
function fileBytes(): string {
  const base = path.join(dataDir, 'user_configs', 'default.db');
  return ['', '-wal']
    .map((s) => (fs.existsSync(base + s) ? fs.readFileSync(base + s).toString('base64') : ''))
    .join('|');
}

/** A short LIVE with one big gift and one follow, then quiet: for the alerts picture. */
function giftingLive(dir: string): void {
  const at = Date.now();
  const mila = { id: '6900000000000000001', handle: 'mila.plays', nickname: 'Mila' };
  const jonas = { id: '6900000000000000002', handle: 'jonas_k', nickname: 'Jonas' };
  writeRecording(dir, 'gifter.ndjson', [
    connected({
      at,
      streamer: 'gifter',
      streamerId: '7100000000000000900',
      roomId: '7400000000000000900',
    }),
    gift({
      at: at + 500,
      user: mila,
      giftId: '6369',
      giftName: 'Lion',
      diamonds: 29999,
      streakable: false,
      repeatEnd: true,
    }),
    follow(jonas, { at: at + 800 }),
    join(mila, at + 6 * 3600_000),
  ]);
}

/** Ana leads with 10 coins; a minute later (3 s at speed 20) Ben sends 20 and overtakes. */
function overtakingLive(dir: string): void {
  const at = Date.now();
  const ana = { id: '6900000000000000011', handle: 'ana', nickname: 'Ana' };
  const ben = { id: '6900000000000000012', handle: 'ben', nickname: 'Ben' };
  const coins = (who: typeof ana, diamonds: number, when: number) =>
    gift({
      at: when,
      user: who,
      giftId: '1',
      giftName: 'Gem',
      diamonds,
      streakable: false,
      repeatEnd: true,
    });
  writeRecording(dir, 'race.ndjson', [
    connected({
      at,
      streamer: 'race',
      streamerId: '7100000000000000901',
      roomId: '7400000000000000901',
    }),
    coins(ana, 10, at + 100),
    coins(ben, 5, at + 200),
    coins(ben, 20, at + 60_000),
    join(ana, at + 6 * 3600_000),
  ]);
}

beforeAll(async () => {
  const replayDir = folder();
  dataDir = folder();
  alice = quietRecording(replayDir, 'alice', 801, 90);
  giftingLive(replayDir);
  overtakingLive(replayDir);
  [server, browser] = await Promise.all([
    startLivetally({ dataDir, replayDir, speed: 20 }),
    launchBrowser(),
  ]);
  context = await newContext(browser);
  await context.addInitScript(PLAYS);
  dashboard = await context.newPage();
  errors = watchErrors(dashboard);
  await dashboard.goto(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanUp();
});

describe('goals', () => {
  let goal: GoalView;
  let goalPage: Page;

  it('a goal created on the dashboard shows on its overlay and follows a live replay to the exact current/next of the rule', async () => {
    const form = dashboard.locator('#goal-form');
    await form.getByLabel('Counts').selectOption('likes');
    await form.getByLabel('Target').fill('500');
    await form.getByLabel('When reached').selectOption('add');
    // `add` needs a step: the form says so before the server has to.
    await form.getByRole('button', { name: 'Add goal' }).click();
    expect(await dashboard.locator('#goal-error').textContent()).toContain('needs a step');
    await form.getByLabel('Step').fill('750');
    await form.getByLabel('Label (optional)').fill('Likes for a dance');
    await form.getByRole('button', { name: 'Add goal' }).click();
    const goals = await eventually(async () => {
      const { goals } = await call<{ goals: GoalView[] }>('GET', '/api/goals');
      expect(goals).toHaveLength(1);
      return goals;
    });
    goal = goals[0]!;
    expect(goal).toMatchObject({ metric: 'likes', target: 500, onReach: 'add', step: 750 });
    const item = dashboard.locator(`[data-goal-id="${goal.id}"]`);
    await eventually(async () => expect(await item.textContent()).toContain('Likes for a dance'));

    // Its overlay, as the builder composes it.
    await item.getByRole('button', { name: /Overlay/ }).click();
    const url = await eventually(async () => {
      const value = await dashboard.getByLabel('Goal overlay URL').inputValue();
      expect(value).toContain(`id=${goal.id}`);
      return value;
    });
    goalPage = await overlay(url, { width: 500, height: 100 });
    const numbers = goalPage.locator('#goal-numbers');
    await eventually(async () => expect(await numbers.textContent()).toBe('0 / 500'));
    expect(await goalPage.locator('#goal-label').textContent()).toBe('Likes for a dance');

    // Every value the overlay shows while the LIVE runs is the rule's, and its text says it.
    await goalPage.evaluate(`(() => {
      window.__seen = [];
      const node = document.getElementById('goal-numbers');
      new MutationObserver(() => window.__seen.push({
        current: Number(node.dataset.goalCurrent), next: Number(node.dataset.goalNext),
        text: node.textContent, celebrating: document.getElementById('goal').classList.contains('celebrate'),
      })).observe(node, { attributes: true, characterData: true, childList: true, subtree: true });
    })()`);
    await call('POST', '/api/connection', { streamer: 'alice' });
    const likes = alice.stats.likes;
    const expected = goalNext(goal, likes);
    await eventually(
      async () => {
        expect(await numbers.getAttribute('data-goal-current')).toBe(String(likes));
        expect(await numbers.getAttribute('data-goal-next')).toBe(String(expected));
      },
      { timeout: 30_000 },
    );
    expect(await numbers.textContent()).toBe(
      `${likes.toLocaleString('en-US')} / ${expected.toLocaleString('en-US')}`,
    );
    const seen = (await goalPage.evaluate('window.__seen')) as {
      current: number;
      next: number;
      text: string;
      celebrating: boolean;
    }[];
    expect(seen.length).toBeGreaterThan(1);
    for (const s of seen) {
      expect(s.next).toBe(goalNext(goal, s.current));
      expect(s.text).toBe(
        `${s.current.toLocaleString('en-US')} / ${s.next.toLocaleString('en-US')}`,
      );
    }
    // It reached 500 on the way, and celebrated.
    expect(likes).toBeGreaterThan(500);
    expect(seen.some((s) => s.celebrating)).toBe(true);
    const api = (await call<{ goals: GoalView[] }>('GET', '/api/goals')).goals[0]!;
    expect(api).toMatchObject({ current: likes, next: expected, reached: true });
    // The dashboard's list says the same.
    expect(await item.locator('.goal-item-numbers').getAttribute('data-goal-next')).toBe(
      String(expected),
    );
  });

  it('an edit on the dashboard moves the overlay at once; another profile never shows this goal', async () => {
    const item = dashboard.locator(`[data-goal-id="${goal.id}"]`);
    await item.getByRole('button', { name: /Change/ }).click();
    const form = dashboard.locator('#goal-form');
    await form.getByLabel('When reached').selectOption('double');
    await form.getByRole('button', { name: 'Save changes' }).click();
    const likes = alice.stats.likes;
    const doubled = goalNext({ target: 500, onReach: 'double', step: 750 }, likes);
    const numbers = goalPage.locator('#goal-numbers');
    await eventually(async () =>
      expect(await numbers.getAttribute('data-goal-next')).toBe(String(doubled)),
    );

    await call('POST', '/api/profiles', { name: 'second' });
    await call('POST', '/api/profiles/second/activate');
    await eventually(async () =>
      expect(await goalPage.locator('html').getAttribute('data-state')).toBe('missing'),
    );
    expect(await goalPage.locator('#goal').isHidden()).toBe(true);
    expect(await numbers.getAttribute('data-goal-current')).toBeNull();
    expect(await goalPage.locator('body').innerText()).not.toContain(likes.toLocaleString('en-US'));
    await eventually(async () => expect(await dashboard.locator('#goal-list li').count()).toBe(0));
    await call('POST', '/api/profiles/default/activate');
    await eventually(async () =>
      expect(await goalPage.locator('html').getAttribute('data-state')).toBe('shown'),
    );
  });
});

describe('the leaderboard overlay', () => {
  it('equals /api/leaderboard for its metric, window and limit', async () => {
    // The profile switch above disconnected: the board is the last broadcast's.
    const view = await call<StatsResponse>('GET', '/api/stats');
    expect(view.connection.state).toBe('disconnected');
    expect(view.saved?.stats).toEqual(alice.stats);
    for (const query of [
      'metric=coins&window=session&limit=5',
      'metric=likes&window=session&limit=8',
      // Windows beyond the LIVE: shown exactly as the API answers them.
      'metric=coins&window=week&limit=3',
    ]) {
      const board = await overlay(`/overlay/leaderboard?${query}`, { width: 420, height: 600 });
      const expected = await call<LeaderboardResponse>('GET', `/api/leaderboard?${query}`);
      const metric = new URLSearchParams(query).get('metric') as 'coins' | 'likes';
      expect(expected.viewers.length).toBeGreaterThan(0);
      await eventually(async () => {
        const rows = await board
          .locator('.board-row')
          .evaluateAll((items) =>
            items.map((li) => [
              li.getAttribute('data-user-id'),
              Number(li.querySelector('.value')!.getAttribute('data-value')),
            ]),
          );
        expect(rows).toEqual(expected.viewers.map((v) => [v.userId, v[metric]]));
      });
      const first = expected.viewers[0]!;
      expect(await board.locator('.board-row .name').first().textContent()).toBe(
        first.nickname || `@${first.handle}`,
      );
      await board.close();
    }
  });
});

describe('the leaderboard overlay, when someone overtakes', () => {
  it('slides the rows to their new places and lights up the one who moved up', async () => {
    const moving = await browser.newContext({ reducedMotion: 'no-preference' });
    const board = await moving.newPage();
    errors.push(...watchErrors(board));
    await board.addInitScript(`(() => {
      window.__moves = [];
      const animate = Element.prototype.animate;
      Element.prototype.animate = function (frames, options) {
        window.__moves.push({ user: this.dataset.userId, from: JSON.stringify(frames[0]) });
        return animate.call(this, frames, options);
      };
    })()`);
    await board.setViewportSize({ width: 420, height: 300 });
    await board.goto(`${server.url}overlay/leaderboard?metric=coins&window=session&limit=5`);
    await call('DELETE', '/api/connection').catch(() => undefined);
    await call('POST', '/api/connection', { streamer: 'race' });
    const order = () =>
      board.locator('.board-row').evaluateAll((rows) => rows.map((r) => r.textContent));
    await eventually(async () => expect(await order()).toEqual(['1Ana10', '2Ben5']), {
      timeout: 15_000,
    });
    const ana = await board.locator('.board-row').first().elementHandle();
    await eventually(async () => expect(await order()).toEqual(['1Ben25', '2Ana10']), {
      timeout: 15_000,
    });
    // The same row elements, moved (not replaced), each animated from where it was.
    expect(
      await board
        .locator('.board-row')
        .nth(1)
        .evaluate((row, old) => row === old, ana),
    ).toBe(true);
    const moves = (await board.evaluate('window.__moves')) as { user: string; from: string }[];
    const ben = moves.filter((m) => m.user === '6900000000000000012');
    expect(ben.some((m) => /translateY\(\d/.test(m.from))).toBe(true); // from below, upwards
    expect(
      moves.some((m) => m.user === '6900000000000000011' && /translateY\(-/.test(m.from)),
    ).toBe(true);
    expect(await board.locator('.board-row.overtook').getAttribute('data-user-id')).toBe(
      '6900000000000000012',
    );
    await moving.close();
    await call('DELETE', '/api/connection');
  });
});

describe('test alerts', () => {
  // Before going live: nothing connected, what the profile keeps must stay as it is.
  it('reach the alerts overlay marked as tests, with their sound, and change no number anywhere', async () => {
    const alerts = await overlay(
      '/overlay/alerts?theme=dark&size=32&seconds=2&giftSound=coin&giftVolume=40&followSound=chime&soundMinCoins=50',
      { width: 800, height: 160 },
    );
    const counters = await overlay('/overlay?stats=likes,totalCoins,followers,shares,gifts', {
      width: 1200,
      height: 200,
    });
    const before = {
      stats: await call<StatsResponse>('GET', '/api/stats'),
      sessions: await call<unknown>('GET', '/api/sessions'),
      board: await call<unknown>('GET', '/api/leaderboard?metric=coins&limit=100'),
      goals: await call<unknown>('GET', '/api/goals'),
      bytes: fileBytes(),
    };
    const tiles = await readStats(dashboard.locator('#stats-panel'));
    const shown = await readStats(counters);
    expect(tiles).toEqual(before.stats.stats);

    await dashboard.getByRole('button', { name: 'Test follow' }).click();
    const card = alerts.locator('.alert[data-test="true"]');
    await eventually(async () => expect(await card.getAttribute('data-kind')).toBe('follow'));
    expect(await card.locator('.test-badge').textContent()).toBe('TEST');
    expect(await card.locator('.alert-line').textContent()).toBe('followed!');
    await eventually(async () =>
      expect(await played(alerts)).toEqual([
        { src: expect.stringContaining('/assets/sound-chime.wav'), volume: 0.8 },
      ]),
    );
    // The dashboard's feed shows it went out, marked as a test.
    await eventually(async () =>
      expect(await dashboard.locator('#activity-feed li[data-test="true"]').count()).toBe(1),
    );

    // A gift worth enough for the overlay's sound minimum (the button sends at least that).
    await dashboard.getByRole('button', { name: 'Test gift' }).click();
    await eventually(async () => expect(await card.getAttribute('data-kind')).toBe('gift'), {
      timeout: 8000,
    });
    await eventually(async () => expect((await played(alerts))[1]).toBeDefined());
    const gift = (await played(alerts))[1]!;
    expect(gift.src).toContain('/assets/sound-coin.wav');
    expect(gift.volume).toBeCloseTo(0.4);
    // A share has no sound chosen: shown, silent.
    await dashboard.getByRole('button', { name: 'Test share' }).click();
    await eventually(async () => expect(await card.getAttribute('data-kind')).toBe('share'), {
      timeout: 8000,
    });
    await dashboard.getByRole('button', { name: 'Test goal progress' }).click();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await played(alerts)).toHaveLength(2);

    const after = await call<StatsResponse>('GET', '/api/stats');
    expect({ stats: after.stats, saved: after.saved }).toEqual({
      stats: before.stats.stats,
      saved: before.stats.saved,
    });
    expect(await call('GET', '/api/sessions')).toEqual(before.sessions);
    expect(await call('GET', '/api/leaderboard?metric=coins&limit=100')).toEqual(before.board);
    expect(await call('GET', '/api/goals')).toEqual(before.goals);
    expect(await readStats(dashboard.locator('#stats-panel'))).toEqual(tiles);
    expect(await readStats(counters)).toEqual(shown);
    expect(fileBytes()).toBe(before.bytes);
    await counters.close();
    await alerts.close();
  });

  it('moves a goal overlay for a moment, marked, then back to the real numbers', async () => {
    const { goals } = await call<{ goals: GoalView[] }>('GET', '/api/goals');
    const goal = goals[0]!;
    const page = await overlay(`/overlay/goal?id=${goal.id}&sound=fanfare`, {
      width: 500,
      height: 100,
    });
    const numbers = page.locator('#goal-numbers');
    await eventually(async () =>
      expect(await numbers.getAttribute('data-goal-current')).toBe(String(goal.current)),
    );
    await call('POST', '/api/test-alert', { kind: 'goal' });
    await eventually(async () =>
      expect(await page.locator('#goal').getAttribute('data-test')).toBe('true'),
    );
    expect(await page.locator('#goal-test').isVisible()).toBe(true);
    expect(await numbers.getAttribute('data-goal-current')).toBe(String(goal.next));
    expect(await page.locator('#goal').getAttribute('class')).toContain('celebrate');
    expect((await played(page)).map((p) => p.src)).toEqual([
      expect.stringContaining('/assets/sound-fanfare.wav'),
    ]);
    await eventually(
      async () => expect(await page.locator('#goal').getAttribute('data-test')).toBe('false'),
      { timeout: 10_000 },
    );
    expect(await numbers.getAttribute('data-goal-current')).toBe(String(goal.current));
    expect((await call<{ goals: GoalView[] }>('GET', '/api/goals')).goals[0]).toEqual(goal);
    await page.close();
    expect(errors).toEqual([]);
  });
});

describe('on stream', () => {
  it('every overlay is legible on a busy game scene at OBS size (the README pictures)', async () => {
    await call('POST', '/api/connection', { streamer: 'alice' });
    await eventually(async () =>
      expect((await call<StatsResponse>('GET', '/api/stats')).stats).toEqual(alice.stats),
    );
    const shots = await context.newPage();
    const { goals } = await call<{ goals: GoalView[] }>('GET', '/api/goals');
    const id = goals[0]!.id;
    const shoot = async (
      route: string,
      size: { width: number; height: number },
      at: { left: number; top: number },
      ready: (page: Page) => Promise<unknown> = async () => undefined,
    ): Promise<Placed> => {
      const page = await overlay(route, size);
      await ready(page);
      await page.bringToFront();
      const png = await page.screenshot({ omitBackground: true });
      await page.close();
      return { png, ...at };
    };
    const filled = (page: Page) =>
      eventually(async () =>
        expect(await page.locator('[data-stat]').first().textContent()).not.toBe('–'),
      );
    await composeOnScene(
      shots,
      [
        await shoot(
          '/overlay?stats=likes,totalCoins,followers&theme=dark&size=44',
          { width: 760, height: 110 },
          { left: 40, top: 40 },
          filled,
        ),
        await shoot(
          '/overlay?stats=viewers,gifts&theme=transparent&size=40&layout=column',
          { width: 300, height: 200 },
          { left: 1240, top: 60 },
          filled,
        ),
      ],
      screenshotPath('overlay-counters.png'),
    );
    const shown = (page: Page) =>
      eventually(async () =>
        expect(await page.locator('html').getAttribute('data-state')).toBe('shown'),
      );
    await composeOnScene(
      shots,
      [
        await shoot(
          `/overlay/goal?id=${id}&theme=dark&shape=bar`,
          { width: 500, height: 100 },
          { left: 40, top: 40 },
          shown,
        ),
        await shoot(
          `/overlay/goal?id=${id}&theme=transparent&shape=pill`,
          { width: 400, height: 64 },
          { left: 1480, top: 58 },
          shown,
        ),
        await shoot(
          `/overlay/goal?id=${id}&theme=dark&shape=strip`,
          { width: 1920, height: 80 },
          { left: 0, top: 1000 },
          shown,
        ),
      ],
      screenshotPath('overlay-goal.png'),
    );
    const rows = (page: Page) =>
      eventually(async () => expect(await page.locator('.board-row').count()).toBe(5));
    await composeOnScene(
      shots,
      [
        await shoot(
          '/overlay/leaderboard?metric=coins&window=session&limit=5&theme=dark&size=28',
          { width: 420, height: 340 },
          { left: 1460, top: 40 },
          rows,
        ),
        await shoot(
          '/overlay/leaderboard?metric=likes&window=session&limit=5&theme=transparent&size=24',
          { width: 360, height: 300 },
          { left: 40, top: 600 },
          rows,
        ),
      ],
      screenshotPath('overlay-leaderboard.png'),
    );
    // Alerts of a real (recorded) LIVE: a big gift and a follow, as viewers see them.
    await call('DELETE', '/api/connection');
    const gift = await overlay('/overlay/alerts?kinds=gift&theme=dark&size=34&seconds=30', {
      width: 800,
      height: 150,
    });
    const follow = await overlay(
      '/overlay/alerts?kinds=follow&theme=transparent&size=34&seconds=30',
      { width: 800, height: 150 },
    );
    await call('POST', '/api/connection', { streamer: 'gifter' });
    const placed: Placed[] = [];
    for (const [page, left, top] of [
      [gift, 560, 60],
      [follow, 560, 860],
    ] as const) {
      await eventually(async () => expect(await page.locator('.alert').count()).toBe(1));
      expect(await page.locator('.alert').getAttribute('data-test')).toBeNull();
      await page.bringToFront();
      placed.push({ png: await page.screenshot({ omitBackground: true }), left, top });
      await page.close();
    }
    await composeOnScene(shots, placed, screenshotPath('overlay-alerts.png'));
    await shots.close();
    expect(errors).toEqual([]);
  }, 120_000);
});
