import { pickLang, type Lang } from '../shared/i18n.js';
import { applyLang, browserLanguages } from '../shared/page-language.js';
import type { LiveSocket } from '../shared/realtime.js';
import type { OverlayTheme } from './overlay-params.js';

export interface OverlayLook {
  theme: OverlayTheme;
  /** CSS pixels behind `--size`; absent for overlays that scale with the browser source. */
  size?: number;
  lang: Lang | null;
}

/**
 * What every overlay shares: the look and language from the URL, and `data-connected` on
 * <html> so that whoever looks (a test, a curious streamer in devtools) can tell a live
 * overlay from one waiting for livetally to come back. Nothing visible changes on stream
 * while it waits.
 */
export function setUpOverlayPage(look: OverlayLook, socket: LiveSocket): void {
  const root = document.documentElement;
  applyLang(look.lang ?? pickLang(browserLanguages()));
  root.dataset['theme'] = look.theme;
  if (look.size !== undefined) root.style.setProperty('--size', `${look.size}px`);
  root.dataset['connected'] = 'false';
  socket.on('connect', () => (root.dataset['connected'] = 'true'));
  socket.on('disconnect', () => (root.dataset['connected'] = 'false'));
}

/** Whether the streamer (or the OS) asked for less movement. */
export function reducedMotion(): boolean {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}
