import { STAT_NAMES } from '../../src/shared/api-types.js';
import { byId, element, setText } from '../shared/dom.js';
import { STAT_LABELS, type StatName } from '../shared/stat-labels.js';
import {
  ALERT_DEFAULTS,
  alertOverlayPath,
  COUNTER_DEFAULTS,
  counterOverlayPath,
  parseCounterOverlay,
  type CounterOverlayOptions,
} from '../overlay/overlay-params.js';

const PREVIEW_DELAY_MS = 300;

/**
 * Composes the overlay URLs for OBS from a few choices, with the page's token when there is
 * one, and previews the counters overlay as OBS would show it.
 */
export class OverlayBuilder {
  private readonly form = byId('builder-form', HTMLFormElement);
  private readonly theme = byId('builder-theme', HTMLSelectElement);
  private readonly size = byId('builder-size', HTMLInputElement);
  private readonly layout = byId('builder-layout', HTMLSelectElement);
  private readonly labels = byId('builder-labels', HTMLInputElement);
  private readonly counterUrl = byId('overlay-url', HTMLInputElement);
  private readonly alertsUrl = byId('alerts-url', HTMLInputElement);
  private readonly preview = byId('overlay-preview', HTMLIFrameElement);
  private readonly copyStatus = byId('copy-status', HTMLElement);
  private readonly checks = new Map<StatName, HTMLInputElement>();
  private previewTimer: number | undefined;

  constructor(private readonly token: string | null) {
    const box = byId('builder-stats', HTMLElement);
    for (const name of STAT_NAMES) {
      const input = element('input', { attrs: { type: 'checkbox', value: name } });
      input.checked = name === 'likes' || name === 'totalCoins';
      const label = element('label', { className: 'check' });
      label.append(input, ` ${STAT_LABELS[name]}`);
      box.append(label);
      this.checks.set(name, input);
    }
    this.theme.value = COUNTER_DEFAULTS.theme;
    this.size.value = String(COUNTER_DEFAULTS.size);
    this.form.addEventListener('input', () => this.update());
    this.form.addEventListener('change', () => this.update());
    this.form.addEventListener('submit', (event) => event.preventDefault());
    for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
      button.addEventListener('click', () => void this.copy(button.dataset['copy'] ?? ''));
    }
    this.update();
  }

  private options(): CounterOverlayOptions {
    const stats = STAT_NAMES.filter((name) => this.checks.get(name)?.checked);
    // Read back through the overlay's own parser: the preview shows what OBS will show.
    const draft = counterOverlayPath(
      {
        stats,
        theme: this.theme.value === 'light' ? 'light' : 'dark',
        size: Number(this.size.value) || COUNTER_DEFAULTS.size,
        labels: this.labels.checked,
        layout: this.layout.value === 'column' ? 'column' : 'row',
      },
      null,
    );
    return parseCounterOverlay(draft.slice(draft.indexOf('?')));
  }

  private update(): void {
    const options = this.options();
    const origin = window.location.origin;
    this.counterUrl.value = origin + counterOverlayPath(options, this.token);
    this.alertsUrl.value =
      origin + alertOverlayPath({ ...ALERT_DEFAULTS, theme: options.theme }, this.token);
    window.clearTimeout(this.previewTimer);
    // Typing a size should not reload the preview on every keystroke.
    this.previewTimer = window.setTimeout(() => {
      if (this.preview.src !== this.counterUrl.value) this.preview.src = this.counterUrl.value;
    }, PREVIEW_DELAY_MS);
  }

  private async copy(id: string): Promise<void> {
    const input = byId(id, HTMLInputElement);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      setText(this.copyStatus, 'Copied. Paste it into an OBS Browser source.');
    } catch {
      setText(this.copyStatus, 'Selected: press Ctrl+C (or Cmd+C) to copy.');
    }
  }
}
