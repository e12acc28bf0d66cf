import {
  REALTIME,
  type RecapResponse,
  type StatsView,
  type SummaryBucketView,
  type SummaryResponse,
} from '../../../src/shared/api-types.js';
import type { Api } from '../../shared/api.js';
import { element } from '../../shared/dom.js';
import { formatCount, formatDuration } from '../../shared/format.js';
import type { LiveSocket } from '../../shared/realtime.js';
import { BoardWidget } from './board-widget.js';
import { broadcastHref, historyHref } from './links.js';
import { browserZone, firstOfMonth, isoDate, mondayOf } from './time-words.js';
import { percentChange } from './view-kit.js';
import { WORDS } from './words.js';

/** While a LIVE is counted, the week's and month's totals are fetched again this often. */
const LIVE_REFRESH_MS = 60_000;
const RECAP_RETRY_MS = 250;
const FIRST_SAVE_MS = 3000;
const RECAP_ATTEMPTS = 40;

/**
 * The dashboard's "Over time" panel: this week's and this month's totals, top supporters
 * of the week, the month or all time (each name opens the viewer's page), a way into the
 * History — and, when a LIVE ends, its recap.
 */
export class HistoryPanel {
  private readonly periods = element('div', { className: 'period-mini' });
  private readonly recap = element('div', { className: 'recap-offer', attrs: { role: 'status' } });
  private readonly board: BoardWidget;
  private lastView: StatsView | null = null;
  private timer: number | undefined;

  constructor(
    private readonly api: Api,
    socket: LiveSocket,
    root: HTMLElement,
  ) {
    const head = element('div', { className: 'panel-head' });
    head.append(
      element('h2', { text: WORDS.panel.title, attrs: { id: 'history-panel-title' } }),
      element('a', {
        className: 'panel-link',
        text: `${WORDS.panel.open} →`,
        attrs: { href: historyHref(), id: 'open-history' },
      }),
    );
    this.recap.hidden = true;
    this.board = new BoardWidget(api, {
      id: 'panel-board',
      windows: ['week', 'month', 'all'],
      window: 'week',
      limit: 10,
    });
    root.append(head, this.recap, this.periods, this.board.root);

    socket.on(REALTIME.stats, (view) => this.onStats(view));
    socket.on(REALTIME.profile, () => {
      this.recap.hidden = true;
      this.lastView = null;
      void this.refresh();
    });
    socket.on('connect', () => void this.refresh());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    const today = new Date();
    const tz = browserZone();
    const ask = (period: string, from: Date) =>
      this.api.get<SummaryResponse>(
        `/api/summary?period=${period}&from=${isoDate(from)}&to=${isoDate(today)}&tz=${encodeURIComponent(tz)}`,
      );
    try {
      const [weeks, months] = await Promise.all([
        ask('week', mondayOf(today)),
        ask('month', firstOfMonth(today)),
        this.board.refresh(),
      ]);
      this.periods.replaceChildren(
        mini('week', WORDS.overview.thisWeek, weeks.buckets[0]),
        mini('month', WORDS.overview.thisMonth, months.buckets[0]),
      );
    } catch {
      // The dashboard's banner says when livetally cannot be reached; shown again later.
    }
  }

  private onStats(view: StatsView): void {
    const before = this.lastView;
    this.lastView = view;
    const live = view.broadcast !== null && view.connection.state !== 'disconnected';
    if (live && this.timer === undefined) {
      this.timer = window.setInterval(() => void this.refresh(), LIVE_REFRESH_MS);
    } else if (!live && this.timer !== undefined) {
      window.clearInterval(this.timer);
      this.timer = undefined;
    }
    // A LIVE that starts now is in this week's totals from its first save on.
    if (view.broadcast && view.broadcast.sessionId !== before?.broadcast?.sessionId) {
      window.setTimeout(() => void this.refresh(), FIRST_SAVE_MS);
    }
    if (before?.broadcast && !view.broadcast && before.profile === view.profile) {
      // Its numbers join the week's and month's once its last save is in.
      void this.offerRecap(before.broadcast.sessionId).then(() => this.refresh());
    }
  }

  /** The LIVE that just ended, in a sentence, with the way to its full recap. */
  private async offerRecap(sessionId: number): Promise<void> {
    const recap = await this.endedRecap(sessionId);
    if (!recap || this.lastView?.broadcast) return;
    const coins = recap.session.stats.totalCoins;
    const change = recap.previous ? percentChange(coins, recap.previous.stats.totalCoins) : null;
    const dismiss = element('button', {
      className: 'button small',
      text: WORDS.panel.dismiss,
      attrs: { type: 'button' },
    });
    dismiss.addEventListener('click', () => (this.recap.hidden = true));
    const actions = element('div', { className: 'recap-actions' });
    actions.append(
      element('a', {
        className: 'button small primary',
        text: WORDS.panel.recapLink,
        attrs: { href: broadcastHref(sessionId), id: 'recap-link' },
      }),
      dismiss,
    );
    this.recap.replaceChildren(
      element('h3', { text: WORDS.panel.recapTitle(recap.session.streamer) }),
      element('p', { text: WORDS.panel.recapText(coins, change, recap.newGifters) }),
      actions,
    );
    this.recap.hidden = false;
  }

  /**
   * The numbers are shown as zero the moment a LIVE ends; its last save lands a moment
   * later, and only then is the entry closed. Until it is, the recap would be short.
   */
  private async endedRecap(sessionId: number): Promise<RecapResponse | null> {
    for (let attempt = 0; attempt < RECAP_ATTEMPTS; attempt++) {
      try {
        const recap = await this.api.get<RecapResponse>(`/api/sessions/${sessionId}/recap`);
        if (recap.session.endedAt !== null) return recap;
      } catch {
        // livetally may be stopping; try again
      }
      await new Promise((resolve) => window.setTimeout(resolve, RECAP_RETRY_MS));
    }
    return null;
  }
}

function mini(key: string, title: string, bucket: SummaryBucketView | undefined): HTMLElement {
  const tile = element('div', { className: 'tile', attrs: { 'data-period': key } });
  tile.append(element('span', { className: 'tile-label', text: title }));
  tile.append(
    element('span', {
      className: 'tile-value',
      text: `${formatCount(bucket?.totalCoins ?? 0)} ${WORDS.metrics.coins.toLowerCase()}`,
      attrs: { 'data-history-stat': `${key}-coins` },
    }),
  );
  const lives = bucket ? WORDS.period.lives(bucket.sessions) : WORDS.overview.nothingYet;
  const detail = bucket
    ? `${lives} · ${formatDuration(bucket.liveMs)} · ${formatCount(bucket.likes)} ${WORDS.metrics.likes.toLowerCase()}`
    : lives;
  tile.append(element('span', { className: 'tile-sub', text: detail }));
  return tile;
}
