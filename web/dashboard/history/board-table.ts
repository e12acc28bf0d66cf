import type { LeaderboardMetricName, ViewerTotalsView } from '../../../src/shared/api-types.js';
import { element } from '../../shared/dom.js';
import { formatCount } from '../../shared/format.js';
import { viewerHref } from './links.js';
import { WORDS } from './words.js';

/**
 * A ranking of viewers as a table: rank, the viewer (a link to their page), and the numbers
 * asked for, the one it is ranked by first. Used wherever the History shows a leaderboard.
 */
export function boardTable(
  viewers: readonly ViewerTotalsView[],
  metrics: readonly LeaderboardMetricName[],
  caption: string,
): HTMLTableElement {
  const table = element('table', { className: 'board' });
  table.append(element('caption', { className: 'sr-only', text: caption }));
  const head = element('tr');
  head.append(element('th', { text: WORDS.columns.rank, attrs: { scope: 'col' } }));
  head.append(element('th', { text: WORDS.columns.viewer, attrs: { scope: 'col' } }));
  for (const metric of metrics) {
    head.append(
      element('th', { className: 'num', text: WORDS.metrics[metric], attrs: { scope: 'col' } }),
    );
  }
  table.append(element('thead'));
  table.tHead!.append(head);
  const body = element('tbody');
  viewers.forEach((viewer, i) => {
    const row = element('tr');
    row.append(element('td', { text: String(i + 1) }));
    row.append(viewerCell(viewer));
    for (const metric of metrics) {
      row.append(element('td', { className: 'num', text: formatCount(viewer[metric]) }));
    }
    body.append(row);
  });
  table.append(body);
  return table;
}

/** The viewer's name, linked to their page, with the @handle below it. */
export function viewerCell(viewer: Pick<ViewerTotalsView, 'userId' | 'handle' | 'nickname'>) {
  const cell = element('td', { className: 'who' });
  const link = element('a', {
    className: 'nick',
    text: viewer.nickname || viewer.handle || viewer.userId,
    attrs: { href: viewerHref(viewer.userId) },
  });
  cell.append(link);
  if (viewer.handle)
    cell.append(element('span', { className: 'handle', text: `@${viewer.handle}` }));
  return cell;
}
