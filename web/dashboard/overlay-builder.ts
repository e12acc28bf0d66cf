import type { GoalView } from '../../src/shared/api-types.js';
import { byId, setAvailable, isAvailable, setText } from '../shared/dom.js';
import { currentLang, t } from '../shared/i18n.js';
import { THEMES } from '../overlay/overlay-params.js';
import {
  AlertForm,
  CounterForm,
  GoalForm,
  LeaderboardForm,
  type Look,
  type OverlayForm,
  type OverlayKind,
} from './builder-forms.js';
import { BuilderPreview } from './builder-preview.js';

/**
 * Composes the URL of every overlay — counters, alerts, goal, leaderboard — from a few
 * choices, with the page's token and language, and previews exactly that URL at the size
 * its OBS browser source should have.
 */
export class OverlayBuilder {
  private readonly goalForm = new GoalForm();
  private readonly alertForm = new AlertForm();
  private readonly forms: Record<OverlayKind, OverlayForm> = {
    counters: new CounterForm(),
    alerts: this.alertForm,
    goal: this.goalForm,
    leaderboard: new LeaderboardForm(),
  };
  private readonly theme = byId('builder-theme', HTMLSelectElement);
  private readonly compact = byId('builder-compact', HTMLInputElement);
  private readonly url = byId('overlay-url', HTMLInputElement);
  private readonly urlLabel = byId('overlay-url-label', HTMLElement);
  private readonly copyButton = byId('copy-url', HTMLButtonElement);
  private readonly copyStatus = byId('copy-status', HTMLElement);
  private readonly previewNote = byId('preview-note', HTMLElement);
  private readonly preview = new BuilderPreview();
  private kind: OverlayKind = 'counters';

  constructor(private readonly token: string | null) {
    for (const form of document.querySelectorAll<HTMLFormElement>('.builder-form')) {
      form.addEventListener('input', () => this.update());
      form.addEventListener('change', () => this.update());
      form.addEventListener('submit', (event) => event.preventDefault());
    }
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="overlay-kind"]')) {
      radio.addEventListener('change', () => {
        if (radio.checked) this.choose(radio.value as OverlayKind);
      });
    }
    this.copyButton.addEventListener('click', () => {
      if (isAvailable(this.copyButton)) void this.copy();
    });
    this.update();
  }

  /** The goals the goal overlay can show (from the realtime channel). */
  setGoals(goals: readonly GoalView[]): void {
    this.goalForm.setGoals(goals);
    if (this.kind === 'goal') this.update();
  }

  /** "Overlay" on a goal in the Goals panel: its overlay, here. */
  showGoal(id: string): void {
    this.goalForm.choose(id);
    const radio = document.querySelector<HTMLInputElement>(
      'input[name="overlay-kind"][value="goal"]',
    );
    if (radio) radio.checked = true;
    this.choose('goal');
    this.url.scrollIntoView({ block: 'center', behavior: 'smooth' });
    this.url.focus();
  }

  /** A test gift this overlay shows (and plays): at least its minimum coins. */
  testGiftCoins(): number {
    return this.alertForm.testGiftCoins();
  }

  private choose(kind: OverlayKind): void {
    this.kind = kind;
    for (const form of document.querySelectorAll<HTMLFormElement>('.builder-form[data-kind]')) {
      form.hidden = form.dataset['kind'] !== kind;
    }
    this.update();
  }

  private look(): Look {
    return {
      theme: THEMES.find((theme) => theme === this.theme.value) ?? 'dark',
      compact: this.compact.checked,
      lang: currentLang(),
    };
  }

  private update(): void {
    const form = this.forms[this.kind];
    const composed = form.compose(this.look(), this.token);
    setText(this.urlLabel, t(form.urlLabel));
    const url = composed.path === null ? null : window.location.origin + composed.path;
    this.url.value = url ?? '';
    setAvailable(this.copyButton, url !== null);
    setText(this.copyStatus, '');
    setText(
      this.previewNote,
      composed.problem ?? (this.kind === 'alerts' ? t('builder.preview.alerts') : ''),
    );
    this.preview.show(url, composed.size);
  }

  private async copy(): Promise<void> {
    this.url.select();
    try {
      await navigator.clipboard.writeText(this.url.value);
      setText(this.copyStatus, t('builder.copied'));
    } catch {
      setText(this.copyStatus, t('builder.copySelected'));
    }
  }
}
