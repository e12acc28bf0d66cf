import type { ActivityView } from '../../src/shared/api-types.js';

// Drawn, not emoji: an emoji needs a colour-emoji font, which many Linux PCs (and OBS on
// them) lack, and a missing glyph shows as an empty box on stream.
const PATHS: Record<ActivityView['kind'], string> = {
  gift: 'M4 11h16v9H4zM3 7h18v4H3zM12 7v13M12 7C10 3 6 4 7.5 6S12 7 12 7zM12 7c2-4 6-3 4.5-1S12 7 12 7z',
  follow: 'M5 8a4 4 0 1 0 8 0a4 4 0 1 0-8 0M2 21c0-4 3-7 7-7s7 3 7 7M19 8v6M16 11h6',
  share: 'M4 14v6h16v-6M12 3v12M7 8l5-5 5 5',
};

const SVG = 'http://www.w3.org/2000/svg';

/** A decorative icon for an activity kind; the text next to it says the same in words. */
export function activityIcon(kind: ActivityView['kind'], className: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', PATHS[kind]);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '2');
  path.setAttribute('stroke-linecap', 'round');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  return svg;
}
