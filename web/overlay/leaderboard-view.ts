import type { ViewerTotalsView } from '../../src/shared/api-types.js';
import { byId, element, setText } from '../shared/dom.js';
import { formatCompact, formatCount } from '../shared/format.js';
import { t, type MessageKey } from '../shared/i18n.js';
import { reducedMotion } from './overlay-page.js';
import type { LeaderboardMetric, LeaderboardOverlayOptions } from './overlay-params.js';

const MOVE_MS = 700;
const HIGHLIGHT_MS = 1600;

const TITLES: Record<LeaderboardMetric, MessageKey> = {
  coins: 'board.title.coins',
  gifts: 'board.title.gifts',
  likes: 'board.title.likes',
  comments: 'board.title.comments',
  shares: 'board.title.shares',
};
const WINDOWS: Record<LeaderboardOverlayOptions['window'], MessageKey> = {
  session: 'board.window.session',
  day: 'board.window.day',
  week: 'board.window.week',
  month: 'board.window.month',
  all: 'board.window.all',
};

/** The number a row shows: the viewer's total of the board's metric. */
export function metricValue(viewer: ViewerTotalsView, metric: LeaderboardMetric): number {
  return viewer[metric];
}

/**
 * The top viewers, one row each, keyed by viewer: when someone overtakes, the rows slide to
 * their new places (FLIP: measure, reorder, animate from the old place) and the one who
 * moved up lights up for a moment. Without motion (prefers-reduced-motion) rows just swap.
 */
export class LeaderboardDisplay {
  private readonly rows = byId('board-rows', HTMLOListElement);
  private readonly empty = byId('board-empty', HTMLElement);
  private readonly byUser = new Map<string, HTMLLIElement>();

  constructor(private readonly options: LeaderboardOverlayOptions) {
    const title = byId('board-title', HTMLElement);
    title.hidden = !options.title;
    setText(title, `${t(TITLES[options.metric])} · ${t(WINDOWS[options.window])}`);
    setText(this.empty, t('board.empty'));
  }

  show(viewers: readonly ViewerTotalsView[]): void {
    const before = new Map<string, number>();
    for (const [id, row] of this.byUser) before.set(id, row.getBoundingClientRect().top);
    const format = this.options.compact ? formatCompact : formatCount;
    const shown = viewers.slice(0, this.options.limit);
    const ordered = shown.map((viewer, index) => {
      let row = this.byUser.get(viewer.userId);
      if (!row) {
        row = this.newRow(viewer.userId);
        this.byUser.set(viewer.userId, row);
      }
      const value = metricValue(viewer, this.options.metric);
      row.dataset['rank'] = String(index + 1);
      setText(row.querySelector('.rank')!, String(index + 1));
      setText(row.querySelector('.name')!, viewer.nickname || `@${viewer.handle}`);
      const cell = row.querySelector<HTMLElement>('.value')!;
      setText(cell, format(value));
      cell.dataset['value'] = String(value);
      return row;
    });
    const keep = new Set(shown.map((v) => v.userId));
    for (const [id, row] of this.byUser) {
      if (keep.has(id)) continue;
      row.remove();
      this.byUser.delete(id);
    }
    this.rows.replaceChildren(...ordered);
    this.empty.hidden = ordered.length > 0;
    document.documentElement.dataset['state'] = 'shown';
    if (reducedMotion()) return;
    for (const row of ordered) {
      const id = row.dataset['userId']!;
      const old = before.get(id);
      if (old === undefined) {
        row.animate(
          [
            { opacity: 0, transform: 'translateX(-8%)' },
            { opacity: 1, transform: 'none' },
          ],
          {
            duration: MOVE_MS,
            easing: 'ease-out',
          },
        );
        continue;
      }
      const dy = old - row.getBoundingClientRect().top;
      if (Math.abs(dy) < 1) continue;
      row.animate([{ transform: `translateY(${dy}px)` }, { transform: 'none' }], {
        duration: MOVE_MS,
        easing: 'cubic-bezier(0.2, 0.8, 0.2, 1)',
      });
      if (dy > 0) this.highlight(row);
    }
  }

  /** A profile switch: the old profile's viewers go at once. */
  clear(): void {
    this.byUser.clear();
    this.rows.replaceChildren();
    this.empty.hidden = true;
    document.documentElement.dataset['state'] = 'waiting';
  }

  private newRow(userId: string): HTMLLIElement {
    const row = element('li', { className: 'board-row' });
    row.dataset['userId'] = userId;
    row.append(
      element('span', { className: 'rank' }),
      element('span', { className: 'name' }),
      element('span', { className: 'value' }),
    );
    return row;
  }

  private highlight(row: HTMLElement): void {
    row.classList.remove('overtook');
    void row.offsetWidth; // restart the animation when it overtakes again
    row.classList.add('overtook');
    window.setTimeout(() => row.classList.remove('overtook'), HIGHLIGHT_MS);
  }
}
