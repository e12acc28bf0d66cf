import { element } from '../../shared/dom.js';
import { formatCount, formatDuration } from '../../shared/format.js';

/** Small building blocks the History views share. */

export function section(title: string, id: string, className = ''): HTMLElement {
  const node = element('section', {
    className: `panel ${className}`.trim(),
    attrs: { 'aria-labelledby': id },
  });
  node.append(element('h2', { text: title, attrs: { id } }));
  return node;
}

export interface TileSpec {
  label: string;
  value: number;
  /** Shown as time (h:mm:ss) instead of a count. */
  duration?: boolean;
  /** Change against a comparison; shown as ▲/▼ with words for screen readers. */
  change?: number | null;
  versus?: string;
  /** `data-history-stat` value, for tests and tools. */
  key: string;
}

export function tiles(specs: TileSpec[], className = 'tiles'): HTMLUListElement {
  const list = element('ul', { className });
  for (const spec of specs) {
    const tile = element('li', { className: 'tile' });
    tile.append(element('span', { className: 'tile-label', text: spec.label }));
    tile.append(
      element('span', {
        className: 'tile-value',
        text: spec.duration ? formatDuration(spec.value) : formatCount(spec.value),
        attrs: { 'data-history-stat': spec.key },
      }),
    );
    if (spec.change !== undefined && spec.change !== null) {
      tile.append(changeNote(spec.change, spec.versus ?? '', spec.duration ?? false));
    }
    list.append(tile);
  }
  return list;
}

/** "▲ 1,234 vs last week": the arrow is decoration, the words say it too. */
export function changeNote(change: number, versus: string, duration = false): HTMLElement {
  const direction = change > 0 ? 'up' : change < 0 ? 'down' : 'same';
  const amount = duration ? formatDuration(Math.abs(change)) : formatCount(Math.abs(change));
  const note = element('span', { className: `change ${direction}` });
  const arrow = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '＝';
  note.append(element('span', { text: arrow, attrs: { 'aria-hidden': 'true' } }));
  const words = direction === 'same' ? `same ${versus}` : `${amount} ${versus}`;
  note.append(element('span', { className: 'sr-only', text: `${direction} ` }));
  note.append(document.createTextNode(` ${words}`));
  return note;
}

/** A percentage change, "+12 %", or null when there is nothing to compare with. */
export function percentChange(now: number, before: number): string | null {
  if (before <= 0) return null;
  const exact = ((now - before) / before) * 100;
  // "-100 %" would say nothing was left; a tenth of a percent says what was.
  const pct =
    Math.abs(exact) > 99 && Math.abs(exact) < 100 ? exact.toFixed(1) : String(Math.round(exact));
  return `${exact > 0 ? '+' : ''}${pct} %`;
}

export function facts(items: [string, string | HTMLElement][]): HTMLDListElement {
  const list = element('dl', { className: 'facts' });
  for (const [label, value] of items) {
    const row = element('div');
    row.append(element('dt', { text: label }));
    const dd = element('dd');
    if (typeof value === 'string') dd.textContent = value;
    else dd.append(value);
    row.append(dd);
    list.append(row);
  }
  return list;
}

export function note(text: string): HTMLParagraphElement {
  return element('p', { className: 'note', text });
}

export function link(text: string, href: string, className = ''): HTMLAnchorElement {
  return element('a', { text, className, attrs: { href } });
}

export function downloadLink(text: string, href: string): HTMLAnchorElement {
  return element('a', { text, className: 'button small', attrs: { href, download: '' } });
}

/** A table in a scrolling wrapper that keyboard users can reach. */
export function scrollTable(table: HTMLTableElement, label: string): HTMLDivElement {
  const wrap = element('div', {
    className: 'table-wrap',
    attrs: { role: 'region', tabindex: '0', 'aria-label': label },
  });
  wrap.append(table);
  return wrap;
}
