import type {
  GiftBreakdownResponse,
  LeaderboardResponse,
  RecapResponse,
  StatsValues,
} from '../../../src/shared/api-types.js';
import type { Api } from '../../shared/api.js';
import { element } from '../../shared/dom.js';
import { formatCount, formatDuration } from '../../shared/format.js';
import { boardTable, viewerCell } from './board-table.js';
import { Chart } from './charts.js';
import { apiQuery, historyHref } from './links.js';
import { perMinute } from './per-minute.js';
import { formatClock, formatWhen } from './time-words.js';
import { downloadLink, facts, link, note, scrollTable, section, tiles } from './view-kit.js';
import { WORDS } from './words.js';

interface SeriesPoint extends StatsValues {
  t: number;
}

/** One LIVE: its numbers against the one before, charts over time, who gave what. */
export async function renderBroadcast(
  api: Api,
  main: HTMLElement,
  id: number,
): Promise<() => void> {
  const board = (metric: string) =>
    api.get<LeaderboardResponse>(
      `/api/leaderboard?${apiQuery({ metric, window: 'session', session: id, limit: 10 })}`,
    );
  const [recap, detail, gifts, gifters, likers] = await Promise.all([
    api.get<RecapResponse>(`/api/sessions/${id}/recap`),
    api.get<{ series: SeriesPoint[] }>(`/api/sessions/${id}`),
    api.get<GiftBreakdownResponse>(`/api/sessions/${id}/gifts`),
    board('coins'),
    board('likes'),
  ]);
  const { session, difference } = recap;

  const head = element('div', { className: 'page-head' });
  head.append(link(`← ${WORDS.broadcast.back}`, historyHref(), 'back'));
  head.append(
    element('h1', { className: 'page-title', text: WORDS.broadcast.title(session.streamer) }),
  );
  const end = session.endedAt;
  const reason =
    end === null
      ? WORDS.broadcast.endReasons['live']!
      : (WORDS.broadcast.endReasons[session.endReason ?? ''] ?? session.endReason ?? '');
  const meta = [
    formatWhen(session.startedAt) +
      (end !== null && end > session.startedAt ? ` – ${formatClock(end)}` : ''),
    formatDuration(recap.durationMs),
    reason,
  ].filter(Boolean);
  head.append(element('p', { className: 'lead', text: meta.join(' · ') }));

  const versus = WORDS.broadcast.versusPrevious;
  const change = (key: keyof StatsValues) => (difference ? difference[key] : null);
  const numbers = section(WORDS.broadcast.title(session.streamer), 'numbers-title', 'wide');
  numbers.querySelector('h2')!.classList.add('sr-only');
  numbers.append(
    tiles([
      {
        label: WORDS.columns.peak,
        value: session.peakViewers,
        change: difference?.peakViewers ?? null,
        versus,
        key: 'peakViewers',
      },
      {
        label: WORDS.columns.likes,
        value: session.stats.likes,
        change: change('likes'),
        versus,
        key: 'likes',
      },
      {
        label: WORDS.columns.coins,
        value: session.stats.totalCoins,
        change: change('totalCoins'),
        versus,
        key: 'totalCoins',
      },
      {
        label: WORDS.columns.followers,
        value: session.stats.followers,
        change: change('followers'),
        versus,
        key: 'followers',
      },
      {
        label: WORDS.columns.shares,
        value: session.stats.shares,
        change: change('shares'),
        versus,
        key: 'shares',
      },
      {
        label: WORDS.columns.gifts,
        value: session.stats.gifts,
        change: change('gifts'),
        versus,
        key: 'gifts',
      },
      {
        label: WORDS.columns.viewers,
        value: session.stats.viewers,
        change: change('viewers'),
        versus,
        key: 'viewers',
      },
      {
        label: WORDS.columns.duration,
        value: recap.durationMs,
        duration: true,
        change: difference?.durationMs ?? null,
        versus,
        key: 'duration',
      },
    ]),
  );
  if (!recap.previous) numbers.append(note(WORDS.broadcast.firstOne));

  const highlights = section(WORDS.broadcast.highlights, 'highlights-title', 'wide');
  const top = recap.topGifters[0];
  const topValue = element('span', { className: 'top-gifter' });
  if (top) {
    topValue.append(...viewerCell(top).childNodes);
    topValue.append(
      element('span', { className: 'fact-sub', text: WORDS.broadcast.topGifterText(top.coins) }),
    );
  } else topValue.textContent = '–';
  const highlightFacts = facts([
    [
      WORDS.broadcast.bestMinute,
      recap.bestMinute
        ? WORDS.broadcast.bestMinuteText(
            formatClock(recap.bestMinute.start),
            recap.bestMinute.coins,
          )
        : WORDS.broadcast.noBestMinute,
    ],
    [WORDS.broadcast.newGifters, WORDS.broadcast.newGiftersText(recap.newGifters, recap.gifters)],
    [WORDS.broadcast.topGifter, topValue],
  ]);
  highlightFacts.classList.add('highlights');
  highlights.append(highlightFacts);
  const downloads = element('div', { className: 'download-row' });
  downloads.append(
    downloadLink(WORDS.broadcast.exportSeries, `/api/sessions/${id}/export?format=csv`),
    downloadLink(WORDS.broadcast.exportAll, `/api/sessions/${id}/export?format=json`),
  );
  highlights.append(downloads);

  const charts: Chart[] = [];
  const over = section(WORDS.broadcast.charts, 'charts-title', 'wide');
  const series = detail.series;
  if (series.length < 2) {
    over.append(note(WORDS.broadcast.noSamples));
  } else {
    const grid = element('div', { className: 'chart-grid' });
    const minutes = (key: keyof StatsValues) => {
      const per = perMinute(series.map((p) => ({ t: p.t, value: p[key] })));
      return { x: per.map((m) => m.start), y: per.map((m) => m.value) };
    };
    const specs = [
      {
        title: WORDS.broadcast.viewersChart,
        x: series.map((p) => p.t),
        y: series.map((p) => p.viewers),
        kind: 'line' as const,
        color: '--chart-viewers',
      },
      {
        title: WORDS.broadcast.coinsChart,
        ...minutes('totalCoins'),
        kind: 'bars' as const,
        color: '--chart-coins',
      },
      {
        title: WORDS.broadcast.likesChart,
        ...minutes('likes'),
        kind: 'bars' as const,
        color: '--chart-likes',
      },
      {
        title: WORDS.broadcast.followsChart,
        ...minutes('followers'),
        kind: 'bars' as const,
        color: '--chart-follows',
      },
    ];
    for (const spec of specs) {
      const chart = new Chart({ ...spec, xIs: 'time' });
      charts.push(chart);
      grid.append(chart.figure);
    }
    over.append(grid);
  }

  const gifterPanel = section(WORDS.broadcast.topGifters, 'top-gifters-title');
  gifterPanel.append(
    gifters.viewers.length > 0
      ? scrollTable(
          boardTable(gifters.viewers, ['coins', 'gifts'], WORDS.broadcast.topGifters),
          WORDS.broadcast.topGifters,
        )
      : note(WORDS.broadcast.noGifts),
  );
  const likerPanel = section(WORDS.broadcast.topLikers, 'top-likers-title');
  likerPanel.append(
    likers.viewers.length > 0
      ? scrollTable(
          boardTable(likers.viewers, ['likes', 'comments'], WORDS.broadcast.topLikers),
          WORDS.broadcast.topLikers,
        )
      : note(WORDS.board.empty),
  );

  const giftPanel = section(WORDS.broadcast.giftBreakdown, 'gift-breakdown-title');
  giftPanel.append(
    gifts.gifts.length > 0
      ? giftTable(gifts, session.stats.totalCoins)
      : note(WORDS.broadcast.noGifts),
  );

  const freshPanel = section(WORDS.broadcast.newGifterList, 'new-gifters-title');
  const fresh = recap.firstTimeGifters.slice(0, 10);
  freshPanel.append(
    fresh.length > 0
      ? scrollTable(
          boardTable(fresh, ['coins', 'gifts'], WORDS.broadcast.newGifterList),
          WORDS.broadcast.newGifterList,
        )
      : note(WORDS.broadcast.noNewGifters),
  );
  if (recap.newGifters > fresh.length && fresh.length > 0) {
    freshPanel.append(note(WORDS.broadcast.moreNewGifters(recap.newGifters - fresh.length)));
  }

  const grid = element('div', { className: 'history-grid' });
  grid.append(numbers, highlights, over, gifterPanel, likerPanel, giftPanel, freshPanel);
  main.replaceChildren(head, grid);
  return () => charts.forEach((c) => c.destroy());
}

function giftTable(breakdown: GiftBreakdownResponse, totalCoins: number): HTMLElement {
  const table = element('table', { className: 'board gifts' });
  table.append(element('caption', { className: 'sr-only', text: WORDS.broadcast.giftBreakdown }));
  const head = element('tr');
  head.append(element('th', { text: WORDS.columns.gift, attrs: { scope: 'col' } }));
  head.append(
    element('th', { className: 'num', text: WORDS.columns.items, attrs: { scope: 'col' } }),
  );
  head.append(
    element('th', { className: 'num', text: WORDS.columns.coins, attrs: { scope: 'col' } }),
  );
  head.append(element('th', { text: WORDS.columns.share, attrs: { scope: 'col' } }));
  table.append(element('thead'));
  table.tHead!.append(head);
  const body = element('tbody');
  for (const gift of breakdown.gifts) {
    const row = element('tr');
    const name = element('td');
    name.append(element('span', { className: 'nick', text: gift.giftName || `#${gift.giftId}` }));
    name.append(
      element('span', { className: 'handle', text: WORDS.broadcast.coinsEach(gift.diamonds) }),
    );
    row.append(name);
    row.append(element('td', { className: 'num', text: formatCount(gift.count) }));
    row.append(element('td', { className: 'num', text: formatCount(gift.coins) }));
    const pct = totalCoins > 0 ? Math.round((gift.coins / totalCoins) * 100) : 0;
    const share = element('td', { className: 'share' });
    const bar = element('span', { className: 'share-bar', attrs: { 'aria-hidden': 'true' } });
    bar.style.setProperty('--share', `${pct}%`);
    share.append(bar, element('span', { className: 'share-text', text: `${pct} %` }));
    row.append(share);
    body.append(row);
  }
  table.append(body);
  return scrollTable(table, WORDS.broadcast.giftBreakdown);
}
