import type { OverlayTheme } from './overlay-params.js';
import type { LiveSocket } from '../shared/realtime.js';

/**
 * What both overlays share: the look from the URL, and `data-connected` on <html> so that
 * whoever looks (a test, a curious streamer in devtools) can tell a live overlay from one
 * waiting for livetally to come back. Nothing visible changes on stream while it waits.
 */
export function setUpOverlayPage(theme: OverlayTheme, size: number, socket: LiveSocket): void {
  const root = document.documentElement;
  root.dataset['theme'] = theme;
  root.style.setProperty('--size', `${size}px`);
  root.dataset['connected'] = 'false';
  socket.on('connect', () => (root.dataset['connected'] = 'true'));
  socket.on('disconnect', () => (root.dataset['connected'] = 'false'));
}
