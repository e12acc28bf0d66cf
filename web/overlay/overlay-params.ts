import { STAT_NAMES } from '../../src/shared/api-types.js';
import type { Lang } from '../shared/i18n.js';
import { isSoundName, type SoundName } from '../shared/sounds.js';
import type { StatName } from '../shared/stat-labels.js';

// What an overlay URL may say, read by the overlays and written by the dashboard's builder:
// one module, so that what the builder composes is exactly what the overlays understand.
// Free of DOM types so the unit tests run it in Node.

export type OverlayTheme = 'dark' | 'light' | 'transparent';
export type OverlayLayout = 'row' | 'column';
export type AlertKind = 'gift' | 'follow' | 'share';
export type GoalShape = 'bar' | 'strip' | 'pill';
export type LeaderboardMetric = 'coins' | 'gifts' | 'likes' | 'comments' | 'shares';
export type LeaderboardWindow = 'session' | 'day' | 'week' | 'month' | 'all';

export const THEMES: readonly OverlayTheme[] = ['dark', 'light', 'transparent'];
export const ALERT_KINDS: readonly AlertKind[] = ['gift', 'follow', 'share'];
export const GOAL_SHAPES: readonly GoalShape[] = ['bar', 'strip', 'pill'];
export const LEADERBOARD_METRICS: readonly LeaderboardMetric[] = [
  'coins',
  'gifts',
  'likes',
  'comments',
  'shares',
];
export const LEADERBOARD_WINDOWS: readonly LeaderboardWindow[] = [
  'session',
  'day',
  'week',
  'month',
  'all',
];

/** What every overlay understands. */
interface CommonOptions {
  theme: OverlayTheme;
  /** The overlay's language; null: the browser's (OBS's). */
  lang: Lang | null;
  /** 12.3K, 1.2M instead of every digit. */
  compact: boolean;
}

export interface CounterOverlayOptions extends CommonOptions {
  /** In the order given; unknown names are ignored; none given means all six. */
  stats: StatName[];
  /** Font size of the numbers in CSS pixels. */
  size: number;
  labels: boolean;
  layout: OverlayLayout;
}

export interface AlertSound {
  /** null: silent. */
  sound: SoundName | null;
  /** 0–100. */
  volume: number;
}

export interface AlertOverlayOptions extends CommonOptions {
  kinds: AlertKind[];
  size: number;
  /** How long one alert stays on screen. */
  seconds: number;
  /** Gifts worth fewer coins than this are not announced. */
  minCoins: number;
  sounds: Record<AlertKind, AlertSound>;
  /** Gifts worth fewer coins than this are announced without a sound. */
  soundMinCoins: number;
  /**
   * The streamer leaves the sound to OBS ("Control audio via OBS"): every sound plays at
   * full volume and OBS's mixer sets the level.
   */
  obsAudio: boolean;
  /** No sound at all (the dashboard's preview). */
  muted: boolean;
}

export interface GoalOverlayOptions extends CommonOptions {
  id: string | null;
  shape: GoalShape;
  /** Played when the goal is reached; null: silent. */
  sound: SoundName | null;
  volume: number;
  muted: boolean;
}

export interface LeaderboardOverlayOptions extends CommonOptions {
  metric: LeaderboardMetric;
  window: LeaderboardWindow;
  limit: number;
  size: number;
  /** The heading above the rows. */
  title: boolean;
}

export const SIZE_LIMITS = { min: 12, max: 200 } as const;
export const SECONDS_LIMITS = { min: 1, max: 30 } as const;
export const LIMIT_LIMITS = { min: 1, max: 20 } as const;
export const LEADERBOARD_SIZE_LIMITS = { min: 12, max: 72 } as const;

const COMMON_DEFAULTS: CommonOptions = { theme: 'dark', lang: null, compact: false };

export const COUNTER_DEFAULTS: CounterOverlayOptions = {
  ...COMMON_DEFAULTS,
  stats: [...STAT_NAMES],
  size: 48,
  labels: true,
  layout: 'row',
};

export const ALERT_DEFAULTS: AlertOverlayOptions = {
  ...COMMON_DEFAULTS,
  kinds: [...ALERT_KINDS],
  size: 32,
  seconds: 5,
  minCoins: 0,
  sounds: {
    gift: { sound: null, volume: 80 },
    follow: { sound: null, volume: 80 },
    share: { sound: null, volume: 80 },
  },
  soundMinCoins: 0,
  obsAudio: false,
  muted: false,
};

export const GOAL_DEFAULTS: GoalOverlayOptions = {
  ...COMMON_DEFAULTS,
  id: null,
  shape: 'bar',
  sound: null,
  volume: 80,
  muted: false,
};

export const LEADERBOARD_DEFAULTS: LeaderboardOverlayOptions = {
  ...COMMON_DEFAULTS,
  metric: 'coins',
  window: 'session',
  limit: 5,
  size: 28,
  title: true,
};

/** The size of the OBS browser source each goal shape is drawn for. */
export const GOAL_SHAPE_SIZES: Record<GoalShape, { width: number; height: number }> = {
  bar: { width: 500, height: 100 },
  strip: { width: 1920, height: 80 },
  pill: { width: 400, height: 64 },
};

export function parseCounterOverlay(search: string): CounterOverlayOptions {
  const query = new URLSearchParams(search);
  const stats = pickList(query.get('stats'), STAT_NAMES);
  return {
    ...parseCommon(query),
    stats: stats.length > 0 ? stats : [...COUNTER_DEFAULTS.stats],
    size: clampInt(query.get('size'), SIZE_LIMITS.min, SIZE_LIMITS.max, COUNTER_DEFAULTS.size),
    labels: !isOff(query.get('labels')),
    layout: query.get('layout') === 'column' ? 'column' : 'row',
  };
}

export function parseAlertOverlay(search: string): AlertOverlayOptions {
  const query = new URLSearchParams(search);
  const kinds = pickList(query.get('kinds'), ALERT_KINDS);
  const sound = (kind: AlertKind): AlertSound => {
    const name = query.get(`${kind}Sound`);
    return {
      sound: isSoundName(name) ? name : null,
      volume: clampInt(query.get(`${kind}Volume`), 0, 100, ALERT_DEFAULTS.sounds[kind].volume),
    };
  };
  return {
    ...parseCommon(query),
    kinds: kinds.length > 0 ? kinds : [...ALERT_DEFAULTS.kinds],
    size: clampInt(query.get('size'), SIZE_LIMITS.min, SIZE_LIMITS.max, ALERT_DEFAULTS.size),
    seconds: clampInt(
      query.get('seconds'),
      SECONDS_LIMITS.min,
      SECONDS_LIMITS.max,
      ALERT_DEFAULTS.seconds,
    ),
    minCoins: clampInt(query.get('minCoins'), 0, Number.MAX_SAFE_INTEGER, 0),
    sounds: { gift: sound('gift'), follow: sound('follow'), share: sound('share') },
    soundMinCoins: clampInt(query.get('soundMinCoins'), 0, Number.MAX_SAFE_INTEGER, 0),
    obsAudio: isOn(query.get('obsAudio')),
    muted: isOn(query.get('muted')),
  };
}

export function parseGoalOverlay(search: string): GoalOverlayOptions {
  const query = new URLSearchParams(search);
  const id = query.get('id');
  const shape = query.get('shape');
  const sound = query.get('sound');
  return {
    ...parseCommon(query),
    id: id && /^[\w-]{1,64}$/.test(id) ? id : null,
    shape: GOAL_SHAPES.find((s) => s === shape) ?? GOAL_DEFAULTS.shape,
    sound: isSoundName(sound) ? sound : null,
    volume: clampInt(query.get('volume'), 0, 100, GOAL_DEFAULTS.volume),
    muted: isOn(query.get('muted')),
  };
}

export function parseLeaderboardOverlay(search: string): LeaderboardOverlayOptions {
  const query = new URLSearchParams(search);
  const metric = query.get('metric');
  const window = query.get('window');
  return {
    ...parseCommon(query),
    metric: LEADERBOARD_METRICS.find((m) => m === metric) ?? LEADERBOARD_DEFAULTS.metric,
    window: LEADERBOARD_WINDOWS.find((w) => w === window) ?? LEADERBOARD_DEFAULTS.window,
    limit: clampInt(
      query.get('limit'),
      LIMIT_LIMITS.min,
      LIMIT_LIMITS.max,
      LEADERBOARD_DEFAULTS.limit,
    ),
    size: clampInt(
      query.get('size'),
      LEADERBOARD_SIZE_LIMITS.min,
      LEADERBOARD_SIZE_LIMITS.max,
      LEADERBOARD_DEFAULTS.size,
    ),
    title: !isOff(query.get('title')),
  };
}

/** `/overlay?stats=…`: the look always, the rest only where it differs from the defaults. */
export function counterOverlayPath(options: CounterOverlayOptions, token: string | null): string {
  const query = new URLSearchParams();
  query.set('stats', options.stats.join(','));
  query.set('theme', options.theme);
  query.set('size', String(options.size));
  if (!options.labels) query.set('labels', '0');
  if (options.layout !== 'row') query.set('layout', options.layout);
  return withCommon('/overlay', query, options, token);
}

export function alertOverlayPath(options: AlertOverlayOptions, token: string | null): string {
  const query = new URLSearchParams();
  if (options.kinds.length !== ALERT_KINDS.length) query.set('kinds', options.kinds.join(','));
  query.set('theme', options.theme);
  query.set('size', String(options.size));
  if (options.seconds !== ALERT_DEFAULTS.seconds) query.set('seconds', String(options.seconds));
  if (options.minCoins > 0) query.set('minCoins', String(options.minCoins));
  for (const kind of ALERT_KINDS) {
    const { sound, volume } = options.sounds[kind];
    if (!sound) continue;
    query.set(`${kind}Sound`, sound);
    if (volume !== ALERT_DEFAULTS.sounds[kind].volume) query.set(`${kind}Volume`, String(volume));
  }
  if (options.soundMinCoins > 0) query.set('soundMinCoins', String(options.soundMinCoins));
  if (options.obsAudio) query.set('obsAudio', '1');
  if (options.muted) query.set('muted', '1');
  return withCommon('/overlay/alerts', query, options, token);
}

export function goalOverlayPath(options: GoalOverlayOptions, token: string | null): string {
  const query = new URLSearchParams();
  query.set('id', options.id ?? '');
  query.set('theme', options.theme);
  query.set('shape', options.shape);
  if (options.sound) {
    query.set('sound', options.sound);
    if (options.volume !== GOAL_DEFAULTS.volume) query.set('volume', String(options.volume));
  }
  if (options.muted) query.set('muted', '1');
  return withCommon('/overlay/goal', query, options, token);
}

export function leaderboardOverlayPath(
  options: LeaderboardOverlayOptions,
  token: string | null,
): string {
  const query = new URLSearchParams();
  query.set('metric', options.metric);
  query.set('window', options.window);
  query.set('limit', String(options.limit));
  query.set('theme', options.theme);
  query.set('size', String(options.size));
  if (!options.title) query.set('title', '0');
  return withCommon('/overlay/leaderboard', query, options, token);
}

function parseCommon(query: URLSearchParams): CommonOptions {
  const theme = query.get('theme');
  const lang = query.get('lang');
  return {
    theme: THEMES.find((t) => t === theme) ?? COMMON_DEFAULTS.theme,
    lang: lang === 'en' || lang === 'de' ? lang : null,
    compact: isOn(query.get('compact')),
  };
}

function withCommon(
  path: string,
  query: URLSearchParams,
  options: CommonOptions,
  token: string | null,
): string {
  if (options.compact) query.set('compact', '1');
  if (options.lang) query.set('lang', options.lang);
  if (token) query.set('token', token);
  return `${path}?${decodeCommas(query)}`;
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

function isOff(value: string | null): boolean {
  return ['0', 'false', 'no', 'off'].includes(value ?? '');
}

function isOn(value: string | null): boolean {
  return ['1', 'true', 'yes', 'on'].includes(value ?? '');
}

/** Whole numbers only; out of range is clamped, nonsense falls back to the default. */
export function clampInt(value: string | null, min: number, max: number, fallback: number): number {
  if (value === null || value.trim() === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number)) return fallback;
  return Math.min(max, Math.max(min, Math.round(number)));
}

/** Commas are legal in a query; `stats=likes,totalCoins` reads better than `%2C`. */
function decodeCommas(query: URLSearchParams): string {
  return query.toString().replace(/%2C/gi, ',');
}
