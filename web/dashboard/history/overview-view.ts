import type {
  SessionView,
  SummaryBucketView,
  SummaryResponse,
} from '../../../src/shared/api-types.js';
import type { Api } from '../../shared/api.js';
import { element } from '../../shared/dom.js';
import { formatCount, formatDuration } from '../../shared/format.js';
import { BoardWidget } from './board-widget.js';
import { Chart } from './charts.js';
import { apiQuery, broadcastHref } from './links.js';
import {
  browserZone,
  daysBefore,
  firstOfMonth,
  formatDayShort,
  formatWhenCompact,
  isoDate,
  localMidnight,
  mondayOf,
} from './time-words.js';
import { changeNote, downloadLink, note, section, tiles } from './view-kit.js';
import { WORDS } from './words.js';

const PAGE = 12;

/** The History's front page: this week and month, coins per day, every LIVE, top supporters. */
export async function renderOverview(api: Api, main: HTMLElement): Promise<() => void> {
  const today = new Date();
  const tz = browserZone();
  const summary = (period: string, from: Date) =>
    api.get<SummaryResponse>(
      `/api/summary?${apiQuery({ period, from: isoDate(from), to: isoDate(today), tz })}`,
    );
  const [weeks, months, days, list] = await Promise.all([
    summary('week', mondayOf(today, 1)),
    summary('month', firstOfMonth(today, 1)),
    summary('day', daysBefore(today, 29)),
    api.get<{ sessions: SessionView[] }>('/api/sessions'),
  ]);

  const head = element('div', { className: 'page-head' });
  head.append(element('h1', { className: 'page-title', text: WORDS.overview.title }));
  head.append(element('p', { className: 'lead', text: WORDS.overview.intro }));

  const periods = element('div', { className: 'period-cards' });
  periods.append(
    periodCard(
      'week',
      WORDS.overview.thisWeek,
      bucket(weeks, mondayOf(today)),
      bucket(weeks, mondayOf(today, 1)),
      WORDS.overview.lastWeek,
      `${formatDayShort(mondayOf(today).getTime())} – ${formatDayShort(today.getTime())}`,
    ),
    periodCard(
      'month',
      WORDS.overview.thisMonth,
      bucket(months, firstOfMonth(today)),
      bucket(months, firstOfMonth(today, 1)),
      WORDS.overview.lastMonth,
      `${formatDayShort(firstOfMonth(today).getTime())} – ${formatDayShort(today.getTime())}`,
    ),
  );

  const chartPanel = section(WORDS.overview.coinsPerDay, 'coins-per-day-title');
  const byDay = new Map(days.buckets.map((b) => [b.start, b.totalCoins]));
  const x: number[] = [];
  const y: number[] = [];
  for (let d = 29; d >= 0; d--) {
    const iso = isoDate(daysBefore(today, d));
    x.push(localMidnight(iso));
    y.push(byDay.get(iso) ?? 0);
  }
  let chart: Chart | undefined;
  if (y.some((v) => v > 0)) {
    chart = new Chart({
      title: WORDS.overview.coinsPerDay,
      x,
      y,
      kind: 'bars',
      xIs: 'day',
      color: '--chart-coins',
    });
    chart.figure.querySelector('figcaption')?.classList.add('sr-only');
    chartPanel.append(chart.figure);
  } else {
    chartPanel.append(note(WORDS.overview.coinsPerDayEmpty));
  }

  const broadcasts = section(WORDS.overview.broadcasts, 'broadcasts-title');
  if (list.sessions.length === 0) {
    broadcasts.append(note(WORDS.overview.noBroadcasts));
  } else {
    broadcasts.append(broadcastTable(list.sessions));
  }

  const leaders = section(WORDS.overview.leaders, 'leaders-title');
  const board = new BoardWidget(api, {
    id: 'history-board',
    windows: ['week', 'month', 'all'],
    window: 'all',
    limit: 10,
  });
  leaders.append(board.root);
  await board.refresh();

  const downloads = section(WORDS.overview.exports, 'downloads-title');
  const row = element('div', { className: 'download-row' });
  row.append(
    downloadLink(WORDS.overview.exportViewers, `/api/export/viewers?format=csv`),
    downloadLink(
      WORDS.overview.exportDays,
      `/api/export/summary?${apiQuery({ period: 'day', tz, format: 'csv' })}`,
    ),
    downloadLink(
      WORDS.overview.exportMonths,
      `/api/export/summary?${apiQuery({ period: 'month', tz, format: 'csv' })}`,
    ),
  );
  downloads.append(row);

  const columns = element('div', { className: 'overview-columns' });
  const left = element('div', { className: 'stack' });
  const right = element('div', { className: 'stack' });
  left.append(chartPanel, broadcasts);
  right.append(leaders, downloads);
  columns.append(left, right);
  main.replaceChildren(head, periods, columns);
  return () => chart?.destroy();
}

function bucket(summary: SummaryResponse, start: Date): SummaryBucketView | undefined {
  return summary.buckets.find((b) => b.start === isoDate(start));
}

function periodCard(
  key: string,
  title: string,
  now: SummaryBucketView | undefined,
  before: SummaryBucketView | undefined,
  beforeName: string,
  range: string,
): HTMLElement {
  const card = element('section', {
    className: 'panel period-card',
    attrs: { 'aria-labelledby': `period-${key}-title`, 'data-period': key },
  });
  const head = element('div', { className: 'period-head' });
  head.append(element('h2', { text: title, attrs: { id: `period-${key}-title` } }));
  const lives = now ? WORDS.period.lives(now.sessions) : WORDS.overview.nothingYet;
  head.append(element('span', { className: 'period-range', text: `${range} · ${lives}` }));
  card.append(head);
  const coins = now?.totalCoins ?? 0;
  const big = element('p', { className: 'period-coins' });
  big.append(
    element('span', {
      className: 'period-coins-value',
      text: formatCount(coins),
      attrs: { 'data-history-stat': `${key}-coins` },
    }),
    element('span', {
      className: 'period-coins-label',
      text: ` ${WORDS.metrics.coins.toLowerCase()}`,
    }),
  );
  card.append(big);
  if (before) card.append(changeNote(coins - before.totalCoins, WORDS.period.versus(beforeName)));
  if (!now) return card;
  card.append(
    tiles(
      [
        {
          label: WORDS.period.live,
          value: now.liveMs,
          duration: true,
          key: `${key}-live`,
        },
        { label: WORDS.columns.likes, value: now.likes, key: `${key}-likes` },
        { label: WORDS.columns.followers, value: now.followers, key: `${key}-followers` },
        { label: WORDS.period.gifters, value: now.gifters, key: `${key}-gifters` },
      ],
      'tiles compact',
    ),
  );
  return card;
}

function broadcastTable(sessions: SessionView[]): HTMLElement {
  const wrap = element('div');
  const table = element('table', { className: 'board broadcasts' });
  table.append(element('caption', { className: 'sr-only', text: WORDS.overview.broadcasts }));
  const columns = [
    WORDS.columns.when,
    WORDS.columns.duration,
    WORDS.columns.peak,
    WORDS.columns.viewers,
    WORDS.columns.likes,
    WORDS.columns.coins,
    WORDS.columns.followers,
    WORDS.columns.shares,
    WORDS.columns.gifts,
  ];
  const head = element('tr');
  columns.forEach((c, i) =>
    head.append(element('th', { text: c, className: i > 0 ? 'num' : '', attrs: { scope: 'col' } })),
  );
  table.append(element('thead'));
  table.tHead!.append(head);
  const body = element('tbody');
  table.append(body);
  let shown = 0;
  const more = element('button', { className: 'button', attrs: { type: 'button' } });
  const showMore = () => {
    for (const s of sessions.slice(shown, shown + PAGE)) body.append(broadcastRow(s, columns));
    shown = Math.min(sessions.length, shown + PAGE);
    more.hidden = shown >= sessions.length;
    more.textContent = WORDS.overview.showMore(sessions.length - shown);
  };
  more.addEventListener('click', showMore);
  showMore();
  const scroll = element('div', {
    className: 'table-wrap',
    attrs: { role: 'region', tabindex: '0', 'aria-labelledby': 'broadcasts-title' },
  });
  scroll.append(table);
  wrap.append(scroll, more);
  return wrap;
}

function broadcastRow(s: SessionView, labels: string[]): HTMLTableRowElement {
  const row = element('tr');
  const when = element('td', { className: 'when', attrs: { 'data-label': labels[0]! } });
  when.append(
    element('a', { text: formatWhenCompact(s.startedAt), attrs: { href: broadcastHref(s.id) } }),
  );
  when.append(element('span', { className: 'handle', text: `@${s.streamer}` }));
  row.append(when);
  const end = s.endedAt ?? s.updatedAt;
  const cells = [
    s.endedAt === null ? WORDS.broadcast.endReasons['live']! : formatDuration(end - s.startedAt),
    formatCount(s.peakViewers),
    formatCount(s.stats.viewers),
    formatCount(s.stats.likes),
    formatCount(s.stats.totalCoins),
    formatCount(s.stats.followers),
    formatCount(s.stats.shares),
    formatCount(s.stats.gifts),
  ];
  cells.forEach((text, i) =>
    row.append(element('td', { className: 'num', text, attrs: { 'data-label': labels[i + 1]! } })),
  );
  return row;
}
