import type { GoalView } from '../../src/shared/api-types.js';
import { byId, element, setText } from '../shared/dom.js';
import { formatCompact, formatCount } from '../shared/format.js';
import { goalLabel } from '../shared/goal-words.js';
import { t } from '../shared/i18n.js';
import type { PlaySound } from './alert-sounds.js';
import { reducedMotion } from './overlay-page.js';
import type { GoalOverlayOptions } from './overlay-params.js';

/** How long a reached goal celebrates. */
const CELEBRATE_MS = 3500;
/** How long a test from the dashboard stays before the real numbers come back. */
const TEST_MS = 6000;
const CONFETTI = 36;
const COLOURS = ['#ff3d7f', '#ffb547', '#3de0ff', '#7dff8a', '#ffffff', '#b98cff'];

/**
 * One goal on stream: label, bar, "current / next". It celebrates when the goal is reached
 * (and when an `add`/`double` goal moves on to its next target) — never on the first look
 * at a goal, so a reload of the overlay does not celebrate again.
 */
export class GoalDisplay {
  private readonly root = byId('goal', HTMLElement);
  private readonly fill = byId('goal-fill', HTMLElement);
  private readonly label = byId('goal-label', HTMLElement);
  private readonly numbers = byId('goal-numbers', HTMLElement);
  private readonly testBadge = byId('goal-test', HTMLElement);
  private readonly confetti = byId('goal-confetti', HTMLElement);
  /** The last real state shown (tests do not count). */
  private real: GoalView | null = null;
  private testTimer: number | undefined;
  private celebrateTimer: number | undefined;

  constructor(
    private readonly options: GoalOverlayOptions,
    private readonly play: PlaySound,
  ) {
    this.root.dataset['shape'] = options.shape;
    setText(this.testBadge, t('overlay.test'));
    this.setState(options.id ? 'waiting' : 'missing');
  }

  /** The goal as it really stands; null: this profile has no such goal. */
  show(goal: GoalView | null): void {
    const before = this.real;
    this.real = goal;
    if (this.testTimer !== undefined) return; // shown when the test is over
    if (!goal) {
      this.hide('missing');
      return;
    }
    this.render(goal, false);
    if (before && before.id === goal.id && movedOn(before, goal)) this.celebrate();
  }

  /** Made-up progress from the dashboard's test button, marked as a test. */
  showTest(goal: GoalView): void {
    window.clearTimeout(this.testTimer);
    this.render(goal, true);
    if (goal.reached) this.celebrate();
    this.testTimer = window.setTimeout(() => {
      this.testTimer = undefined;
      this.stopCelebrating();
      if (this.real) this.render(this.real, false);
      else this.hide('missing');
    }, TEST_MS);
  }

  /** A profile switch: nothing of the old profile's goal stays on screen. */
  forget(): void {
    window.clearTimeout(this.testTimer);
    this.testTimer = undefined;
    this.real = null;
    this.hide('waiting');
  }

  private render(goal: GoalView, test: boolean): void {
    this.setState('shown');
    this.root.hidden = false;
    this.root.dataset['test'] = String(test);
    this.root.dataset['reached'] = String(goal.reached);
    this.testBadge.hidden = !test;
    const format = this.options.compact ? formatCompact : formatCount;
    setText(this.label, goalLabel(goal));
    setText(this.numbers, `${format(goal.current)} / ${format(goal.next)}`);
    this.numbers.dataset['goalCurrent'] = String(goal.current);
    this.numbers.dataset['goalNext'] = String(goal.next);
    const progress = goal.next > 0 ? Math.min(1, goal.current / goal.next) : 0;
    this.fill.style.setProperty('--progress', progress.toFixed(4));
  }

  private hide(state: 'missing' | 'waiting'): void {
    this.stopCelebrating();
    this.root.hidden = true;
    setText(this.label, '');
    setText(this.numbers, '');
    delete this.numbers.dataset['goalCurrent'];
    delete this.numbers.dataset['goalNext'];
    this.setState(state);
  }

  private setState(state: 'waiting' | 'missing' | 'shown'): void {
    document.documentElement.dataset['state'] = state;
  }

  private celebrate(): void {
    this.stopCelebrating();
    this.root.classList.add('celebrate');
    setText(this.label, t('goal.reached'));
    if (this.options.sound && !this.options.muted) {
      this.play(this.options.sound, this.options.volume / 100);
    }
    if (!reducedMotion()) this.burst();
    this.celebrateTimer = window.setTimeout(() => {
      this.stopCelebrating();
      const goal = this.testTimer !== undefined ? null : this.real;
      if (goal) setText(this.label, goalLabel(goal));
    }, CELEBRATE_MS);
  }

  private stopCelebrating(): void {
    window.clearTimeout(this.celebrateTimer);
    this.celebrateTimer = undefined;
    this.root.classList.remove('celebrate');
    this.confetti.replaceChildren();
  }

  /** Confetti from the end of the bar: a few dozen squares, gone after the celebration. */
  private burst(): void {
    const pieces: HTMLElement[] = [];
    for (let i = 0; i < CONFETTI; i++) {
      const piece = element('span', { className: 'piece' });
      const angle = (i / CONFETTI) * Math.PI * 2 + Math.random() * 0.4;
      const reach = 40 + Math.random() * 60;
      piece.style.setProperty('--dx', `${(Math.cos(angle) * reach).toFixed(1)}vmin`);
      piece.style.setProperty('--dy', `${(Math.sin(angle) * reach * 0.6).toFixed(1)}vmin`);
      piece.style.setProperty('--spin', `${Math.round(Math.random() * 720 - 360)}deg`);
      piece.style.setProperty('--colour', COLOURS[i % COLOURS.length]!);
      piece.style.setProperty('--delay', `${Math.round(Math.random() * 200)}ms`);
      pieces.push(piece);
    }
    this.confetti.replaceChildren(...pieces);
  }
}

/** The goal was reached, or moved on to its next target, since `before`. */
function movedOn(before: GoalView, after: GoalView): boolean {
  return (!before.reached && after.reached) || (after.reached && after.next > before.next);
}
