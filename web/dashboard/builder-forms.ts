import { STAT_NAMES, type GoalView } from '../../src/shared/api-types.js';
import { byId, element, setText } from '../shared/dom.js';
import { goalLabel } from '../shared/goal-words.js';
import { t, type Lang, type MessageKey } from '../shared/i18n.js';
import { SOUNDS, type SoundName } from '../shared/sounds.js';
import { statLabel, type StatName } from '../shared/stat-labels.js';
import { playSound } from '../overlay/play-sound.js';
import {
  ALERT_DEFAULTS,
  ALERT_KINDS,
  alertOverlayPath,
  COUNTER_DEFAULTS,
  counterOverlayPath,
  GOAL_DEFAULTS,
  GOAL_SHAPE_SIZES,
  GOAL_SHAPES,
  goalOverlayPath,
  LEADERBOARD_DEFAULTS,
  LEADERBOARD_SIZE_LIMITS,
  LIMIT_LIMITS,
  leaderboardOverlayPath,
  SECONDS_LIMITS,
  SIZE_LIMITS,
  type AlertKind,
  type AlertSound,
  type LeaderboardMetric,
  type LeaderboardWindow,
  type OverlayTheme,
} from '../overlay/overlay-params.js';
import { NumberField } from './builder-fields.js';

export type OverlayKind = 'counters' | 'alerts' | 'goal' | 'leaderboard';

/** What every overlay shares: chosen once for all of them. */
export interface Look {
  theme: OverlayTheme;
  compact: boolean;
  lang: Lang;
}

/** The browser source size to give the overlay in OBS; `content`: measured in the preview. */
export type SourceSize = { width: number; height: number } | 'content';

export interface Composed {
  /** The overlay's path and query, or null when the choices do not make an overlay yet. */
  path: string | null;
  problem: string | null;
  size: SourceSize;
}

export interface OverlayForm {
  readonly kind: OverlayKind;
  readonly urlLabel: MessageKey;
  compose(look: Look, token: string | null): Composed;
}

/** Default sounds the builder offers; an overlay URL without them plays none. */
const BUILDER_SOUNDS: Record<AlertKind, SoundName> = {
  gift: 'coin',
  follow: 'chime',
  share: 'pop',
};
const SOUND_WORDS: Record<SoundName, MessageKey> = {
  chime: 'sound.chime',
  coin: 'sound.coin',
  pop: 'sound.pop',
  bell: 'sound.bell',
  fanfare: 'sound.fanfare',
};
const KIND_WORDS: Record<AlertKind, MessageKey> = {
  gift: 'builder.alerts.gifts',
  follow: 'builder.alerts.follows',
  share: 'builder.alerts.shares',
};

function checkbox(
  value: string,
  text: string,
  checked: boolean,
): [HTMLLabelElement, HTMLInputElement] {
  const input = element('input', { attrs: { type: 'checkbox', value } });
  input.checked = checked;
  const label = element('label', { className: 'check' });
  label.append(input, ' ', element('span', { text }));
  return [label, input];
}

function soundOptions(select: HTMLSelectElement, chosen: SoundName | null): void {
  select.replaceChildren(
    element('option', { text: t('sound.none'), attrs: { value: '' } }),
    ...SOUNDS.map((name) =>
      element('option', { text: t(SOUND_WORDS[name]), attrs: { value: name } }),
    ),
  );
  select.value = chosen ?? '';
}

function chosenSound(select: HTMLSelectElement): SoundName | null {
  return SOUNDS.find((s) => s === select.value) ?? null;
}

export class CounterForm implements OverlayForm {
  readonly kind = 'counters';
  readonly urlLabel = 'builder.url.counters';
  private readonly checks = new Map<StatName, HTMLInputElement>();
  private readonly size = new NumberField(
    byId('builder-size', HTMLInputElement),
    byId('builder-size-note', HTMLElement),
    SIZE_LIMITS.min,
    SIZE_LIMITS.max,
    COUNTER_DEFAULTS.size,
  );
  private readonly layout = byId('builder-layout', HTMLSelectElement);
  private readonly labels = byId('builder-labels', HTMLInputElement);
  private readonly problem = byId('builder-stats-problem', HTMLElement);
  private readonly set = byId('builder-stats-set', HTMLFieldSetElement);

  constructor() {
    const box = byId('builder-stats', HTMLElement);
    for (const name of STAT_NAMES) {
      const [label, input] = checkbox(
        name,
        statLabel(name),
        name === 'likes' || name === 'totalCoins',
      );
      box.append(label);
      this.checks.set(name, input);
    }
  }

  compose(look: Look, token: string | null): Composed {
    const stats = STAT_NAMES.filter((name) => this.checks.get(name)?.checked);
    // No counter at all is no overlay (the overlay itself would show all six).
    const problem = stats.length === 0 ? t('builder.counters.none') : null;
    setText(this.problem, problem ?? '');
    this.set.setAttribute('aria-invalid', String(problem !== null));
    if (problem) return { path: null, problem, size: 'content' };
    const path = counterOverlayPath(
      {
        ...look,
        stats,
        size: this.size.value(),
        labels: this.labels.checked,
        layout: this.layout.value === 'column' ? 'column' : 'row',
      },
      token,
    );
    return { path, problem: null, size: 'content' };
  }
}

export class AlertForm implements OverlayForm {
  readonly kind = 'alerts';
  readonly urlLabel = 'builder.url.alerts';
  private readonly kinds = new Map<AlertKind, HTMLInputElement>();
  private readonly sounds = new Map<
    AlertKind,
    { select: HTMLSelectElement; volume: HTMLInputElement }
  >();
  private readonly size = new NumberField(
    byId('builder-alert-size', HTMLInputElement),
    byId('builder-alert-size-note', HTMLElement),
    SIZE_LIMITS.min,
    SIZE_LIMITS.max,
    ALERT_DEFAULTS.size,
  );
  private readonly seconds = new NumberField(
    byId('builder-seconds', HTMLInputElement),
    byId('builder-seconds-note', HTMLElement),
    SECONDS_LIMITS.min,
    SECONDS_LIMITS.max,
    ALERT_DEFAULTS.seconds,
  );
  private readonly minCoins = new NumberField(
    byId('builder-min-coins', HTMLInputElement),
    null,
    0,
    Number.MAX_SAFE_INTEGER,
    0,
  );
  private readonly soundMinCoins = new NumberField(
    byId('builder-sound-min', HTMLInputElement),
    null,
    0,
    Number.MAX_SAFE_INTEGER,
    0,
  );
  private readonly obsAudio = byId('builder-obs-audio', HTMLInputElement);
  private readonly problem = byId('builder-kinds-problem', HTMLElement);

  constructor() {
    const box = byId('builder-kinds', HTMLElement);
    const rows = byId('builder-sounds', HTMLElement);
    for (const kind of ALERT_KINDS) {
      const [label, input] = checkbox(kind, t(KIND_WORDS[kind]), true);
      box.append(label);
      this.kinds.set(kind, input);

      const row = element('div', { className: 'sound-row' });
      const selectId = `builder-sound-${kind}`;
      const volumeId = `builder-volume-${kind}`;
      const select = element('select', { attrs: { id: selectId } });
      soundOptions(select, BUILDER_SOUNDS[kind]);
      const volume = element('input', {
        attrs: { id: volumeId, type: 'range', min: '0', max: '100', step: '5' },
      });
      volume.value = String(ALERT_DEFAULTS.sounds[kind].volume);
      const play = element('button', {
        className: 'button small',
        attrs: {
          type: 'button',
          'aria-label': t('builder.sound.play', { kind: t(KIND_WORDS[kind]) }),
        },
        text: t('builder.sound.playShort'),
      });
      play.addEventListener('click', () => {
        const sound = chosenSound(select);
        if (sound) playSound(sound, this.obsAudio.checked ? 1 : Number(volume.value) / 100);
      });
      const soundField = element('div', { className: 'field' });
      soundField.append(
        element('label', {
          text: t('builder.sound.for', { kind: t(KIND_WORDS[kind]) }),
          attrs: { for: selectId },
        }),
        select,
      );
      const volumeField = element('div', { className: 'field' });
      volumeField.append(
        element('label', { text: t('builder.sound.volume'), attrs: { for: volumeId } }),
        volume,
      );
      row.append(soundField, volumeField, play);
      rows.append(row);
      this.sounds.set(kind, { select, volume });
    }
    this.obsAudio.addEventListener('change', () => this.showVolumes());
    this.showVolumes();
  }

  /** Worth enough to be shown and heard by this overlay: for the "Test gift" button. */
  testGiftCoins(): number {
    return Math.max(100, this.minCoins.value(), this.soundMinCoins.value());
  }

  compose(look: Look, token: string | null): Composed {
    const kinds = ALERT_KINDS.filter((kind) => this.kinds.get(kind)?.checked);
    const problem = kinds.length === 0 ? t('builder.alerts.none') : null;
    setText(this.problem, problem ?? '');
    const size = this.size.value();
    const box = {
      width: Math.min(1920, Math.max(480, Math.round(size * 22))),
      height: Math.round(size * 4.4),
    };
    if (problem) return { path: null, problem, size: box };
    const sounds = Object.fromEntries(
      ALERT_KINDS.map((kind): [AlertKind, AlertSound] => {
        const { select, volume } = this.sounds.get(kind)!;
        return [kind, { sound: chosenSound(select), volume: Number(volume.value) }];
      }),
    ) as Record<AlertKind, AlertSound>;
    const path = alertOverlayPath(
      {
        ...look,
        kinds,
        size,
        seconds: this.seconds.value(),
        minCoins: this.minCoins.value(),
        sounds,
        soundMinCoins: this.soundMinCoins.value(),
        obsAudio: this.obsAudio.checked,
        muted: false,
      },
      token,
    );
    return { path, problem: null, size: box };
  }

  /** OBS sets the level: the page's own volume sliders would only get in the way. */
  private showVolumes(): void {
    for (const { volume } of this.sounds.values()) volume.disabled = this.obsAudio.checked;
  }
}

export class GoalForm implements OverlayForm {
  readonly kind = 'goal';
  readonly urlLabel = 'builder.url.goal';
  private readonly goal = byId('builder-goal-id', HTMLSelectElement);
  private readonly shape = byId('builder-shape', HTMLSelectElement);
  private readonly sound = byId('builder-goal-sound', HTMLSelectElement);
  private readonly problem = byId('builder-goal-problem', HTMLElement);

  constructor() {
    soundOptions(this.sound, 'fanfare');
    this.setGoals([]);
  }

  /** The goals to choose from; the chosen one stays chosen while it exists. */
  setGoals(goals: readonly GoalView[]): void {
    const chosen = this.goal.value;
    this.goal.replaceChildren(
      ...goals.map((goal) =>
        element('option', { text: goalLabel(goal), attrs: { value: goal.id } }),
      ),
    );
    this.goal.disabled = goals.length === 0;
    if (goals.some((g) => g.id === chosen)) this.goal.value = chosen;
  }

  choose(id: string): void {
    this.goal.value = id;
  }

  compose(look: Look, token: string | null): Composed {
    const shape = GOAL_SHAPES.find((s) => s === this.shape.value) ?? GOAL_DEFAULTS.shape;
    const size = GOAL_SHAPE_SIZES[shape];
    const id = this.goal.value;
    const problem = id ? null : t('builder.goal.none');
    setText(this.problem, problem ?? '');
    if (problem) return { path: null, problem, size };
    const path = goalOverlayPath(
      {
        ...look,
        id,
        shape,
        sound: chosenSound(this.sound),
        volume: GOAL_DEFAULTS.volume,
        muted: false,
      },
      token,
    );
    return { path, problem: null, size };
  }
}

export class LeaderboardForm implements OverlayForm {
  readonly kind = 'leaderboard';
  readonly urlLabel = 'builder.url.leaderboard';
  private readonly metric = byId('builder-metric', HTMLSelectElement);
  private readonly window = byId('builder-window', HTMLSelectElement);
  private readonly limit = new NumberField(
    byId('builder-limit', HTMLInputElement),
    byId('builder-limit-note', HTMLElement),
    LIMIT_LIMITS.min,
    LIMIT_LIMITS.max,
    LEADERBOARD_DEFAULTS.limit,
  );
  private readonly size = new NumberField(
    byId('builder-board-size', HTMLInputElement),
    byId('builder-board-size-note', HTMLElement),
    LEADERBOARD_SIZE_LIMITS.min,
    LEADERBOARD_SIZE_LIMITS.max,
    LEADERBOARD_DEFAULTS.size,
  );
  private readonly title = byId('builder-board-title', HTMLInputElement);

  compose(look: Look, token: string | null): Composed {
    const limit = this.limit.value();
    const size = this.size.value();
    const title = this.title.checked;
    const path = leaderboardOverlayPath(
      {
        ...look,
        metric: this.metric.value as LeaderboardMetric,
        window: this.window.value as LeaderboardWindow,
        limit,
        size,
        title,
      },
      token,
    );
    return { path, problem: null, size: leaderboardSize(size, limit, title) };
  }
}

/**
 * Room for `limit` rows at `size` (see .board in overlay.css): page padding 0.5, card
 * padding 0.9, heading 0.72 × 1.25 + 0.3, rows 1.5 each with 0.18 between, in units of the
 * size.
 */
export function leaderboardSize(
  size: number,
  limit: number,
  title: boolean,
): { width: number; height: number } {
  const units = 0.5 + 0.9 + (title ? 0.72 * 1.25 + 0.3 : 0) + limit * 1.5 + (limit - 1) * 0.18;
  return {
    width: Math.round((size * 15) / 10) * 10,
    height: Math.ceil((size * units + 4) / 10) * 10,
  };
}
