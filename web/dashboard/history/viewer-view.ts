import type { ViewerResponse } from '../../../src/shared/api-types.js';
import type { Api } from '../../shared/api.js';
import { element } from '../../shared/dom.js';
import { formatCount } from '../../shared/format.js';
import { broadcastHref, historyHref } from './links.js';
import { formatWhen, formatWhenCompact } from './time-words.js';
import { facts, link, note, scrollTable, section, tiles } from './view-kit.js';
import { WORDS } from './words.js';

/** One viewer over everything the profile holds: since when, how often, how much. */
export async function renderViewer(
  api: Api,
  main: HTMLElement,
  userId: string,
): Promise<() => void> {
  const viewer = await api.get<ViewerResponse>(`/api/viewers/${encodeURIComponent(userId)}`);
  const head = element('div', { className: 'page-head' });
  head.append(link(`← ${WORDS.viewer.back}`, historyHref(), 'back'));
  const title = element('h1', { className: 'page-title' });
  title.append(element('span', { text: viewer.nickname || viewer.handle || viewer.userId }));
  if (viewer.handle)
    title.append(element('span', { className: 'title-handle', text: ` @${viewer.handle}` }));
  head.append(title);

  const about = section(WORDS.viewer.broadcasts, 'viewer-about-title', 'wide');
  about.querySelector('h2')!.classList.add('sr-only');
  about.append(
    facts([
      [WORDS.viewer.firstSeen, formatWhen(viewer.firstSeen)],
      [WORDS.viewer.lastSeen, formatWhen(viewer.lastSeen)],
      [WORDS.viewer.broadcasts, formatCount(viewer.sessions)],
      [WORDS.viewer.giftSessions, formatCount(viewer.giftSessions)],
    ]),
  );
  about.append(
    tiles([
      { label: WORDS.metrics.coins, value: viewer.coins, key: 'coins' },
      { label: WORDS.metrics.gifts, value: viewer.gifts, key: 'gifts' },
      { label: WORDS.metrics.likes, value: viewer.likes, key: 'likes' },
      { label: WORDS.metrics.comments, value: viewer.comments, key: 'comments' },
      { label: WORDS.metrics.shares, value: viewer.shares, key: 'shares' },
      { label: WORDS.viewer.follows, value: viewer.follows, key: 'follows' },
    ]),
  );
  if (viewer.imported) about.append(note(WORDS.viewer.imported));

  const gifts = section(WORDS.viewer.recentGifts, 'viewer-gifts-title', 'wide');
  if (viewer.recentGifts.length === 0) {
    gifts.append(note(WORDS.viewer.noGifts));
  } else {
    const table = element('table', { className: 'board' });
    table.append(element('caption', { className: 'sr-only', text: WORDS.viewer.recentGifts }));
    const headRow = element('tr');
    headRow.append(element('th', { text: WORDS.columns.when, attrs: { scope: 'col' } }));
    headRow.append(
      element('th', { className: 'num', text: WORDS.metrics.coins, attrs: { scope: 'col' } }),
    );
    headRow.append(
      element('th', { className: 'num', text: WORDS.metrics.gifts, attrs: { scope: 'col' } }),
    );
    table.append(element('thead'));
    table.tHead!.append(headRow);
    const body = element('tbody');
    for (const g of viewer.recentGifts) {
      const row = element('tr');
      const when = element('td', { className: 'when' });
      when.append(
        element('a', {
          text: formatWhenCompact(g.startedAt),
          attrs: { href: broadcastHref(g.sessionId) },
        }),
      );
      when.append(element('span', { className: 'handle', text: `@${g.streamer}` }));
      row.append(when);
      row.append(element('td', { className: 'num', text: formatCount(g.coins) }));
      row.append(element('td', { className: 'num', text: formatCount(g.gifts) }));
      body.append(row);
    }
    table.append(body);
    gifts.append(scrollTable(table, WORDS.viewer.recentGifts));
  }
  const grid = element('div', { className: 'history-grid' });
  grid.append(about, gifts);
  main.replaceChildren(head, grid);
  return () => undefined;
}
