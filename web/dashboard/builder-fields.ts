import { setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { clampInt } from '../overlay/overlay-params.js';

/**
 * A whole-number field with limits that says what it does with a value out of range: while
 * typing, a note ("200 is the largest: 200 is used"); once the field is left, it shows the
 * value used. What the URL says and what the field shows never differ for long.
 */
export class NumberField {
  constructor(
    private readonly input: HTMLInputElement,
    private readonly note: HTMLElement | null,
    private readonly min: number,
    private readonly max: number,
    private readonly fallback: number,
  ) {
    input.min = String(min);
    if (Number.isFinite(max)) input.max = String(max);
    input.addEventListener('input', () => this.explain());
    input.addEventListener('change', () => {
      const used = this.value();
      if (input.value !== String(used)) input.value = String(used);
      this.explain();
    });
  }

  /** The value the overlay gets. */
  value(): number {
    return clampInt(this.input.value, this.min, this.max, this.fallback);
  }

  set(value: number): void {
    this.input.value = String(value);
    this.explain();
  }

  private explain(): void {
    const used = this.value();
    const typed = this.input.value.trim();
    const differs = typed !== '' && Number(typed) !== used;
    this.input.setAttribute('aria-invalid', String(differs));
    if (!this.note) return;
    let message = '';
    if (differs) {
      const n = Number(typed);
      message = !Number.isFinite(n)
        ? t('builder.number.nonsense', { used })
        : n > this.max
          ? t('builder.number.tooBig', { max: this.max, used })
          : n < this.min
            ? t('builder.number.tooSmall', { min: this.min, used })
            : t('builder.number.whole', { used });
    }
    setText(this.note, message);
  }
}
