import type { ActivityView } from '../../src/shared/api-types.js';
import { element } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';
import { t, tn } from '../shared/i18n.js';
import { activityIcon } from '../shared/icons.js';
import { alertSound, type PlaySound } from './alert-sounds.js';
import { playSound } from './play-sound.js';
import type { AlertOverlayOptions } from './overlay-params.js';

/** More waiting than this and the oldest are skipped: a burst cannot be shown in full anyway. */
const MAX_WAITING = 30;
/** With a long queue each alert gets less time, down to this. */
const MIN_SHOW_MS = 1500;
/** Must match the fade in overlay.css. */
const FADE_MS = 300;

export interface AlertText {
  title: string;
  line: string;
}

export function alertText(activity: ActivityView): AlertText {
  const who = activity.user.nickname || `@${activity.user.handle}`;
  switch (activity.kind) {
    case 'gift':
      return {
        title: who,
        line: t('alert.gift', {
          gift: activity.giftName,
          count: formatCount(activity.count),
          coins: tn('unit.coins', activity.coins, { n: formatCount(activity.coins) }),
        }),
      };
    case 'follow':
      return { title: who, line: t('alert.follow') };
    case 'share':
      return { title: who, line: t('alert.share') };
  }
}

/**
 * Shows one alert at a time, each for the chosen time (shorter while many wait), with its
 * sound. Idle — no timers, no frames — while nothing happens.
 */
export class AlertQueue {
  private waiting: ActivityView[] = [];
  private current: HTMLElement | null = null;
  private timer: number | undefined;

  constructor(
    private readonly stage: HTMLElement,
    private readonly options: AlertOverlayOptions,
    private readonly play: PlaySound = playSound,
  ) {}

  push(activity: ActivityView): void {
    if (!this.options.kinds.includes(activity.kind)) return;
    if (activity.kind === 'gift' && activity.coins < this.options.minCoins) return;
    this.waiting.push(activity);
    if (this.waiting.length > MAX_WAITING) this.waiting.shift();
    if (!this.current) this.next();
  }

  /** A profile switch: alerts about the old profile's stream are dropped. */
  clear(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = [];
    this.current?.remove();
    this.current = null;
  }

  private next(): void {
    const activity = this.waiting.shift();
    if (!activity) {
      this.current = null;
      return;
    }
    const card = this.render(activity);
    this.stage.append(card);
    this.current = card;
    const sound = alertSound(activity, this.options);
    if (sound) this.play(sound.name, sound.volume);
    const full = this.options.seconds * 1000;
    const show = this.waiting.length > 3 ? Math.max(MIN_SHOW_MS, full / 2) : full;
    this.timer = window.setTimeout(() => {
      card.classList.add('leaving');
      this.timer = window.setTimeout(() => {
        card.remove();
        this.next();
      }, FADE_MS);
    }, show);
  }

  private render(activity: ActivityView): HTMLElement {
    const { title, line } = alertText(activity);
    const card = element('div', { className: `alert ${activity.kind}` });
    card.dataset['kind'] = activity.kind;
    const text = element('span', { className: 'alert-text' });
    text.append(
      element('strong', { className: 'alert-title', text: title }),
      element('span', { className: 'alert-line', text: line }),
    );
    card.append(activityIcon(activity.kind, 'alert-icon'), text);
    if (activity.test) {
      // A test from the dashboard: said on the card, so nobody takes it for a real gift.
      card.dataset['test'] = 'true';
      card.append(element('span', { className: 'test-badge', text: t('overlay.test') }));
    }
    return card;
  }
}
