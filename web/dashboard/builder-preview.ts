import { byId, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import type { SourceSize } from './builder-forms.js';

const OBS_CANVAS = { width: 1920, height: 1080 } as const;
/** Typing a size should not reload the preview on every keystroke. */
const RELOAD_DELAY_MS = 300;

/**
 * The overlay as OBS will show it: loaded at the size of its browser source — the size the
 * builder recommends — and scaled down to fit the panel, so nothing is cut off and nothing
 * is laid out differently from OBS. Overlays that take the size of their content (the
 * counters) are first laid out on a full OBS canvas and measured.
 */
export class BuilderPreview {
  private readonly box = byId('preview-box', HTMLElement);
  private readonly frame = byId('overlay-preview', HTMLIFrameElement);
  private readonly sizeHint = byId('source-size', HTMLElement);
  private size: { width: number; height: number } = { ...OBS_CANVAS };
  private timer: number | undefined;
  private measuring: ResizeObserver | undefined;
  private src = '';
  /** What the preview is about to load (a reload waits for the streamer to stop typing). */
  private pending = '';

  constructor() {
    new ResizeObserver(() => this.fit()).observe(this.box);
    this.frame.addEventListener('load', () => this.loaded());
    const backdrop = byId('preview-backdrop', HTMLSelectElement);
    backdrop.addEventListener('change', () => (this.box.dataset['backdrop'] = backdrop.value));
  }

  /** The URL's overlay (muted: the preview never plays sounds), or nothing. */
  show(url: string | null, size: SourceSize): void {
    if (url === null) {
      window.clearTimeout(this.timer);
      this.src = '';
      this.pending = '';
      this.box.hidden = true;
      this.frame.removeAttribute('src');
      setText(this.sizeHint, '');
      return;
    }
    this.box.hidden = false;
    const src = `${url}${url.includes('?') ? '&' : '?'}muted=1`;
    const measured = size === 'content';
    if (!measured) this.resize(size);
    // The same URL again (the goals' numbers moved, say): nothing to reload, no delay.
    if (src === this.pending) return;
    window.clearTimeout(this.timer);
    this.pending = '';
    if (src === this.src) return;
    this.pending = src;
    this.timer = window.setTimeout(() => {
      this.src = src;
      this.pending = '';
      this.box.dataset['measure'] = String(measured);
      if (measured) this.resize(OBS_CANVAS);
      this.frame.src = src;
    }, RELOAD_DELAY_MS);
  }

  private loaded(): void {
    this.measuring?.disconnect();
    this.measuring = undefined;
    if (this.box.dataset['measure'] !== 'true') return;
    const view = this.frame.contentWindow as (Window & typeof globalThis) | null;
    const main = this.frame.contentDocument?.querySelector('main');
    if (!view || !main) return;
    // The overlay's own ResizeObserver: its numbers arrive, and grow, after it loads.
    this.measuring = new view.ResizeObserver(() => {
      const body = view.getComputedStyle(main.ownerDocument.body);
      const pad = parseFloat(body.paddingLeft) + parseFloat(body.paddingRight);
      const padY = parseFloat(body.paddingTop) + parseFloat(body.paddingBottom);
      // A little room to spare: numbers keep growing during a LIVE.
      this.resize({
        width: Math.min(OBS_CANVAS.width, roundUp(main.offsetWidth * 1.15 + pad)),
        height: Math.min(OBS_CANVAS.height, roundUp(main.offsetHeight + padY)),
      });
    });
    this.measuring.observe(main);
  }

  private resize(size: { width: number; height: number }): void {
    this.size = size;
    this.frame.style.setProperty('--frame-width', `${size.width}px`);
    this.frame.style.setProperty('--frame-height', `${size.height}px`);
    this.frame.dataset['width'] = String(size.width);
    this.frame.dataset['height'] = String(size.height);
    setText(this.sizeHint, t('builder.sourceSize', { width: size.width, height: size.height }));
    this.fit();
  }

  /** Scaled to the panel's width, never enlarged. */
  private fit(): void {
    const room = this.box.clientWidth;
    if (room === 0) return;
    const scale = Math.min(1, room / this.size.width);
    this.frame.style.setProperty('--scale', scale.toFixed(4));
    this.box.style.setProperty('--box-height', `${Math.ceil(this.size.height * scale)}px`);
  }
}

function roundUp(pixels: number): number {
  return Math.ceil(pixels / 10) * 10;
}
