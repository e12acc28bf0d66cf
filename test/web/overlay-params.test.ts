import { describe, expect, it } from 'vitest';
import {
  ALERT_DEFAULTS,
  alertOverlayPath,
  COUNTER_DEFAULTS,
  counterOverlayPath,
  parseAlertOverlay,
  parseCounterOverlay,
} from '../../web/overlay/overlay-params.js';

describe('overlay URLs', () => {
  it('reads the counters, look and size of the example in the issue', () => {
    expect(parseCounterOverlay('?stats=likes,totalCoins&theme=dark&size=48')).toEqual({
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
