import { STAT_NAMES } from '../../src/shared/api-types.js';
import type { StatName } from '../shared/stat-labels.js';

// What an overlay URL may say, read by the overlays and written by the dashboard's builder:
// one module, so that what the builder composes is exactly what the overlays understand.
// Free of DOM types so the unit tests run it in Node.

export type OverlayTheme = 'dark' | 'light';
export type OverlayLayout = 'row' | 'column';
export type AlertKind = 'gift' | 'follow' | 'share';

export const ALERT_KINDS: readonly AlertKind[] = ['gift', 'follow', 'share'];

export interface CounterOverlayOptions {
  /** In the order given; unknown names are ignored; none given means all six. */
  stats: StatName[];
  theme: OverlayTheme;
  /** Font size of the numbers in CSS pixels. */
  size: number;
  labels: boolean;
  layout: OverlayLayout;
}

export interface AlertOverlayOptions {
  kinds: AlertKind[];
  theme: OverlayTheme;
  size: number;
  /** How long one alert stays on screen. */
  seconds: number;
  /** Gifts worth fewer coins than this are not announced. */
  minCoins: number;
}

export const SIZE_LIMITS = { min: 12, max: 200 } as const;
export const SECONDS_LIMITS = { min: 1, max: 30 } as const;

export const COUNTER_DEFAULTS: CounterOverlayOptions = {
  stats: [...STAT_NAMES],
  theme: 'dark',
  size: 48,
  labels: true,
  layout: 'row',
};

export const ALERT_DEFAULTS: AlertOverlayOptions = {
  kinds: [...ALERT_KINDS],
  theme: 'dark',
  size: 32,
  seconds: 5,
  minCoins: 0,
};

export function parseCounterOverlay(search: string): CounterOverlayOptions {
  const query = new URLSearchParams(search);
  const stats = pickList(query.get('stats'), STAT_NAMES);
  return {
    stats: stats.length > 0 ? stats : [...COUNTER_DEFAULTS.stats],
    theme: parseTheme(query.get('theme'), COUNTER_DEFAULTS.theme),
    size: clampInt(query.get('size'), SIZE_LIMITS.min, SIZE_LIMITS.max, COUNTER_DEFAULTS.size),
    labels: !['0', 'false', 'no', 'off'].includes(query.get('labels') ?? ''),
    layout: query.get('layout') === 'column' ? 'column' : 'row',
  };
}

export function parseAlertOverlay(search: string): AlertOverlayOptions {
  const query = new URLSearchParams(search);
  const kinds = pickList(query.get('kinds'), ALERT_KINDS);
  return {
    kinds: kinds.length > 0 ? kinds : [...ALERT_DEFAULTS.kinds],
    theme: parseTheme(query.get('theme'), ALERT_DEFAULTS.theme),
    size: clampInt(query.get('size'), SIZE_LIMITS.min, SIZE_LIMITS.max, ALERT_DEFAULTS.size),
    seconds: clampInt(
      query.get('seconds'),
      SECONDS_LIMITS.min,
      SECONDS_LIMITS.max,
      ALERT_DEFAULTS.seconds,
    ),
    minCoins: clampInt(query.get('minCoins'), 0, Number.MAX_SAFE_INTEGER, 0),
  };
}

/** `/overlay?stats=…`: only what differs from the defaults, and the token if there is one. */
export function counterOverlayPath(options: CounterOverlayOptions, token: string | null): string {
  const query = new URLSearchParams();
  query.set('stats', options.stats.join(','));
  query.set('theme', options.theme);
  query.set('size', String(options.size));
  if (!options.labels) query.set('labels', '0');
  if (options.layout !== 'row') query.set('layout', options.layout);
  if (token) query.set('token', token);
  return `/overlay?${decodeCommas(query)}`;
}

export function alertOverlayPath(options: AlertOverlayOptions, token: string | null): string {
  const query = new URLSearchParams();
  if (options.kinds.length !== ALERT_KINDS.length) query.set('kinds', options.kinds.join(','));
  query.set('theme', options.theme);
  query.set('size', String(options.size));
  if (options.seconds !== ALERT_DEFAULTS.seconds) query.set('seconds', String(options.seconds));
  if (options.minCoins > 0) query.set('minCoins', String(options.minCoins));
  if (token) query.set('token', token);
  return `/overlay/alerts?${decodeCommas(query)}`;
}

function pickList<T extends string>(value: string | null, allowed: readonly T[]): T[] {
  if (!value) return [];
  const picked: T[] = [];
  for (const part of value.split(',')) {
    const name = allowed.find((a) => a.toLowerCase() === part.trim().toLowerCase());
    if (name && !picked.includes(name)) picked.push(name);
  }
  return picked;
}

function parseTheme(value: string | null, fallback: OverlayTheme): OverlayTheme {
  return value === 'dark' || value === 'light' ? value : fallback;
}

function clampInt(value: string | null, min: number, max: number, fallback: number): number {
  if (value === null || value.trim() === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number)) return fallback;
  return Math.min(max, Math.max(min, Math.round(number)));
}

/** Commas are legal in a query; `stats=likes,totalCoins` reads better than `%2C`. */
function decodeCommas(query: URLSearchParams): string {
  return query.toString().replace(/%2C/gi, ',');
}
