import type { ActivityView } from '../../src/shared/api-types.js';
import { element } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';
import { activityIcon } from '../shared/icons.js';
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
        line: `sent ${activity.giftName} ×${formatCount(activity.count)} · ${formatCount(activity.coins)} ${activity.coins === 1 ? 'coin' : 'coins'}`,
      };
    case 'follow':
      return { title: who, line: 'followed!' };
    case 'share':
      return { title: who, line: 'shared the LIVE' };
  }
}

/**
 * Shows one alert at a time, each for the chosen time (shorter while many wait). Idle — no
 * timers, no frames — while nothing happens.
 */
export class AlertQueue {
  private waiting: ActivityView[] = [];
  private current: HTMLElement | null = null;
  private timer: number | undefined;

  constructor(
    private readonly stage: HTMLElement,
    private readonly options: AlertOverlayOptions,
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
    return card;
  }
}
