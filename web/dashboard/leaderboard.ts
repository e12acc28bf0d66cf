import type { LeaderboardResponse, ViewerTotalsView } from '../../src/shared/api-types.js';
import type { Api } from '../shared/api.js';
import { element } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';

/** While stats keep changing, the board is fetched again at most this often. */
const REFRESH_MS = 2000;
const SIZE = 10;

/**
 * Top gifters of the current broadcast. The realtime channel does not carry the board, so
 * it is fetched when the stats change — at most every two seconds, and not while the page
 * is hidden — and never when nothing happens.
 */
export class Leaderboard {
  private timer: number | undefined;
  private lastFetch = 0;
  private inFlight = false;
  private dirty = false;
  private generation = 0;

  constructor(
    private readonly api: Api,
    private readonly rows: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
  ) {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.dirty) this.refreshSoon();
    });
  }

  /** Something changed: fetch again, soon enough, but not for every push. */
  refreshSoon(): void {
    this.dirty = true;
    if (this.timer !== undefined || this.inFlight || document.visibilityState === 'hidden') return;
    const wait = Math.max(0, this.lastFetch + REFRESH_MS - Date.now());
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      void this.fetch();
    }, wait);
  }

  /** A different profile or a reset: the old board goes at once. */
  clear(): void {
    this.generation++;
    this.show([]);
    this.refreshSoon();
  }

  private async fetch(): Promise<void> {
    this.dirty = false;
    this.inFlight = true;
    this.lastFetch = Date.now();
    const generation = this.generation;
    try {
      const board = await this.api.get<LeaderboardResponse>(
        `/api/leaderboard?metric=coins&limit=${SIZE}`,
      );
      // An answer about the profile before a switch must not come back on screen.
      if (generation === this.generation) this.show(board.viewers.filter((v) => v.coins > 0));
    } catch {
      this.dirty = true; // shown again once livetally answers; the banner says why not now
    } finally {
      this.inFlight = false;
      if (this.dirty) this.refreshSoon();
    }
  }

  private show(viewers: ViewerTotalsView[]): void {
    this.rows.replaceChildren(
      ...viewers.map((viewer, index) => {
        const row = element('tr');
        row.append(element('td', { text: String(index + 1) }));
        const who = element('td', { className: 'who' });
        who.append(element('span', { className: 'nick', text: viewer.nickname || viewer.handle }));
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
