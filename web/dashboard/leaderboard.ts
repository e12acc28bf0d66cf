import type { LeaderboardResponse, ViewerTotalsView } from '../../src/shared/api-types.js';
import type { Api } from '../shared/api.js';
import { element } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';
import { RefreshSchedule } from '../shared/refresh-schedule.js';
import { viewerHref } from './history/links.js';

const SIZE = 10;

/**
 * Top gifters of the current broadcast. The realtime channel does not carry the board, so
 * it is fetched when the stats change — at most every two seconds, once more when they
 * have settled, not while the page is hidden — and never when nothing happens.
 */
export class Leaderboard {
  private generation = 0;
  private missed = false;
  private readonly schedule = new RefreshSchedule(() => this.fetch());

  constructor(
    private readonly api: Api,
    private readonly rows: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
  ) {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.missed) this.refreshSoon();
    });
  }

  /** Something changed: fetch again, soon enough, but not for every push. */
  refreshSoon(): void {
    this.schedule.changed();
  }

  /** A different profile or a reset: the old board goes at once. */
  clear(): void {
    this.generation++;
    this.show([]);
    this.refreshSoon();
  }

  private async fetch(): Promise<boolean> {
    if (document.visibilityState === 'hidden') {
      this.missed = true;
      return true;
    }
    this.missed = false;
    const generation = this.generation;
    try {
      const board = await this.api.get<LeaderboardResponse>(
        `/api/leaderboard?metric=coins&limit=${SIZE}`,
      );
      // An answer about the profile before a switch must not come back on screen.
      if (generation === this.generation) this.show(board.viewers.filter((v) => v.coins > 0));
      return true;
    } catch {
      return false; // shown again once livetally answers; the banner says why not now
    }
  }

  private show(viewers: ViewerTotalsView[]): void {
    this.rows.replaceChildren(
      ...viewers.map((viewer, index) => {
        const row = element('tr');
        row.append(element('td', { text: String(index + 1) }));
        const who = element('td', { className: 'who' });
        who.append(
          element('a', {
            className: 'nick',
            text: viewer.nickname || viewer.handle,
            attrs: { href: viewerHref(viewer.userId) },
          }),
        );
        if (viewer.handle)
          who.append(element('span', { className: 'handle', text: `@${viewer.handle}` }));
        row.append(who);
        for (const value of [viewer.coins, viewer.likes, viewer.comments]) {
          row.append(element('td', { className: 'num', text: formatCount(value) }));
        }
        return row;
      }),
    );
    this.empty.hidden = viewers.length > 0;
  }
}
