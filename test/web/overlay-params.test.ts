import { describe, expect, it } from 'vitest';
import { alertSound } from '../../web/overlay/alert-sounds.js';
import {
  ALERT_DEFAULTS,
  alertOverlayPath,
  COUNTER_DEFAULTS,
  counterOverlayPath,
  GOAL_DEFAULTS,
  goalOverlayPath,
  LEADERBOARD_DEFAULTS,
  leaderboardOverlayPath,
  parseAlertOverlay,
  parseCounterOverlay,
  parseGoalOverlay,
  parseLeaderboardOverlay,
} from '../../web/overlay/overlay-params.js';
import { counterText } from '../../web/shared/counter-text.js';

describe('overlay URLs', () => {
  it('reads the counters, look and size of the example in the issue', () => {
    expect(parseCounterOverlay('?stats=likes,totalCoins&theme=dark&size=48')).toEqual({
      lang: null,
      compact: false,
      stats: ['likes', 'totalCoins'],
      theme: 'dark',
      size: 48,
      labels: true,
      layout: 'row',
    });
  });

  it('ignores unknown or repeated counters, and shows all six when none is left', () => {
    expect(parseCounterOverlay('?stats=LIKES,bogus,likes,gifts').stats).toEqual(['likes', 'gifts']);
    expect(parseCounterOverlay('?stats=bogus').stats).toEqual(COUNTER_DEFAULTS.stats);
    expect(parseCounterOverlay('').stats).toHaveLength(6);
  });

  it('clamps sizes and falls back on nonsense instead of breaking the overlay', () => {
    expect(parseCounterOverlay('?size=1').size).toBe(12);
    expect(parseCounterOverlay('?size=9999').size).toBe(200);
    expect(parseCounterOverlay('?size=abc').size).toBe(48);
    expect(parseCounterOverlay('?size=').size).toBe(48);
    expect(parseCounterOverlay('?theme=neon').theme).toBe('dark');
    expect(parseCounterOverlay('?labels=0&layout=column')).toMatchObject({
      labels: false,
      layout: 'column',
    });
    expect(parseAlertOverlay('?seconds=0&minCoins=-5')).toMatchObject({ seconds: 1, minCoins: 0 });
  });

  it('composes what it reads back the same (the builder and the overlays agree)', () => {
    const options = {
      stats: ['viewers', 'gifts'] as const,
      theme: 'light' as const,
      lang: null,
      compact: false,
      size: 64,
      labels: false,
      layout: 'column' as const,
    };
    const path = counterOverlayPath({ ...options, stats: [...options.stats] }, 'secret token');
    expect(path).toBe(
      '/overlay?stats=viewers,gifts&theme=light&size=64&labels=0&layout=column&token=secret+token',
    );
    const query = path.slice(path.indexOf('?'));
    expect(parseCounterOverlay(query)).toEqual({ ...options, stats: ['viewers', 'gifts'] });
    expect(new URLSearchParams(query).get('token')).toBe('secret token');

    const alerts = alertOverlayPath({ ...ALERT_DEFAULTS, kinds: ['gift'], minCoins: 100 }, null);
    expect(alerts).toBe('/overlay/alerts?kinds=gift&theme=dark&size=32&minCoins=100');
    expect(parseAlertOverlay(alerts.slice(alerts.indexOf('?')))).toEqual({
      ...ALERT_DEFAULTS,
      kinds: ['gift'],
      minCoins: 100,
    });
  });
});

describe('the overlay kit URLs', () => {
  it('reads and writes the alert sounds, the OBS audio choice and the common look', () => {
    const options = parseAlertOverlay(
      '?theme=transparent&giftSound=coin&giftVolume=40&followSound=nope&shareSound=pop&soundMinCoins=99&obsAudio=1&lang=de&compact=1',
    );
    expect(options).toMatchObject({
      theme: 'transparent',
      lang: 'de',
      compact: true,
      sounds: {
        gift: { sound: 'coin', volume: 40 },
        follow: { sound: null, volume: 80 },
        share: { sound: 'pop', volume: 80 },
      },
      soundMinCoins: 99,
      obsAudio: true,
      muted: false,
    });
    const path = alertOverlayPath(options, null);
    expect(path).toBe(
      '/overlay/alerts?theme=transparent&size=32&giftSound=coin&giftVolume=40&shareSound=pop&soundMinCoins=99&obsAudio=1&compact=1&lang=de',
    );
    expect(parseAlertOverlay(path.slice(path.indexOf('?')))).toEqual(options);
  });

  it('reads and writes the goal and leaderboard overlays, refusing what they cannot show', () => {
    const goal = parseGoalOverlay('?id=a1b2c3d4e5f6&shape=strip&sound=fanfare&volume=150');
    expect(goal).toMatchObject({
      id: 'a1b2c3d4e5f6',
      shape: 'strip',
      sound: 'fanfare',
      volume: 100,
    });
    expect(parseGoalOverlay('?id=../x&shape=round').id).toBeNull();
    expect(parseGoalOverlay('?shape=round').shape).toBe(GOAL_DEFAULTS.shape);
    const goalPath = goalOverlayPath(goal, 't');
    expect(parseGoalOverlay(goalPath.slice(goalPath.indexOf('?')))).toEqual(goal);

    const board = parseLeaderboardOverlay('?metric=likes&window=week&limit=99&size=5&title=0');
    expect(board).toMatchObject({
      metric: 'likes',
      window: 'week',
      limit: 20,
      size: 12,
      title: false,
    });
    expect(parseLeaderboardOverlay('?metric=bogus&window=year')).toMatchObject({
      metric: LEADERBOARD_DEFAULTS.metric,
      window: 'session',
    });
    const boardPath = leaderboardOverlayPath(board, null);
    expect(boardPath).toBe(
      '/overlay/leaderboard?metric=likes&window=week&limit=20&theme=dark&size=12&title=0',
    );
    expect(parseLeaderboardOverlay(boardPath.slice(boardPath.indexOf('?')))).toEqual(board);
  });

  it('plays the sound chosen for the kind, at its volume, or full when OBS sets the level', () => {
    const options = parseAlertOverlay(
      '?giftSound=coin&giftVolume=40&followSound=chime&soundMinCoins=100',
    );
    const user = { id: '1', handle: 'a', nickname: 'A' };
    const gift = (coins: number) =>
      ({
        kind: 'gift',
        at: 0,
        user,
        giftId: '1',
        giftName: 'Rose',
        diamonds: coins,
        count: 1,
        coins,
      }) as const;
    expect(alertSound(gift(100), options)).toEqual({ name: 'coin', volume: 0.4 });
    expect(alertSound(gift(99), options)).toBeNull();
    expect(alertSound({ kind: 'share', at: 0, user }, options)).toBeNull();
    expect(alertSound({ kind: 'follow', at: 0, user }, { ...options, obsAudio: true })).toEqual({
      name: 'chime',
      volume: 1,
    });
    expect(alertSound(gift(500), { ...options, muted: true })).toBeNull();
  });

  it('keeps a counter as wide as whole groups of digits', () => {
    const widths = [1, 9, 99, 999].map((n) => counterText(n, false).reserveCh);
    expect(new Set(widths).size).toBe(1);
    expect(counterText(1000, false).reserveCh).toBeGreaterThan(widths[0]!);
    expect(counterText(999_999, false).reserveCh).toBe(counterText(1000, false).reserveCh);
    expect(counterText(1_234_567, true).text).toBe('1.2M');
  });
});
