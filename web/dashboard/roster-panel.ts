import { STAT_NAMES, type RosterEntry, type RosterResponse } from '../../src/shared/api-types.js';

import type { Api } from '../shared/api.js';
import { element, setText } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { statLabel } from '../shared/stat-labels.js';
import { describeConnection } from './connection-words.js';
import { dashboardHref } from './profile-view.js';

/** Often enough to follow several LIVEs at a glance; each look reads every idle profile. */
const REFRESH_MS = 5000;

/**
 * Every profile at a glance (GET /api/profiles/roster): whether it counts a LIVE, its six
 * numbers, the coins of today, and a link that opens its own dashboard.
 */
export class RosterPanel {
  private timer: number | undefined;

  constructor(
    private readonly api: Api,
    private readonly token: string | null,
    private readonly rows: HTMLTableSectionElement,
    private readonly note: HTMLElement,
    /** Shown once there is more than one profile: with one, the stats above say it all. */
    private readonly panel: HTMLElement,
    /** The profile this page shows (null: the active one), marked in the list. */
    private readonly shown: string | null,
  ) {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.refresh();
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    window.clearTimeout(this.timer);
    this.timer = undefined;
    if (document.visibilityState === 'hidden') return;
    const asked = performance.now();
    try {
      const roster = await this.api.get<RosterResponse>('/api/profiles/roster');
      this.render(roster);
    } catch {
      // The banner says why livetally does not answer; the list stays as it was.
    }
    // Hundreds of profiles take a while to read: never more than a fifth of livetally's time.
    const took = performance.now() - asked;
    this.timer = window.setTimeout(() => void this.refresh(), Math.max(REFRESH_MS, 5 * took));
  }

  private render(roster: RosterResponse): void {
    this.panel.hidden = roster.profiles.length < 2;
    const live = roster.profiles.filter((p) => p.connection.state !== 'disconnected').length;
    setText(this.note, t('roster.note', { live: String(live), day: roster.day, tz: roster.tz }));
    this.rows.replaceChildren(...roster.profiles.map((entry) => this.row(entry)));
  }

  private row(entry: RosterEntry): HTMLTableRowElement {
    const words = describeConnection(entry.connection);
    const row = element('tr');
    row.dataset['profile'] = entry.name;
    const here = this.shown ? entry.name.toLowerCase() === this.shown.toLowerCase() : entry.active;
    if (here) row.setAttribute('aria-current', 'true');
    const link = element('a', {
      text: entry.name,
      attrs: { href: dashboardHref(entry.active ? null : entry.name, this.token) },
    });
    const name = element('th', { attrs: { scope: 'row' } });
    name.append(link);
    if (entry.active)
      name.append(' ', element('span', { className: 'tag', text: t('roster.active') }));
    const state = element('td');
    const badge = element('span', { className: 'roster-state', text: words.word });
    badge.dataset['state'] = words.state;
    state.append(badge);
    if (entry.connection.streamer && entry.connection.state !== 'disconnected') {
      state.append(
        ' ',
        element('span', { className: 'muted', text: `@${entry.connection.streamer}` }),
      );
    }
    row.append(name, state);
    for (const stat of STAT_NAMES) {
      const cell = element('td', { className: 'num', text: formatCount(entry.stats[stat]) });
      cell.dataset['rosterStat'] = stat;
      cell.dataset['label'] = statLabel(stat); // the heading, where a narrow window stacks rows
      row.append(cell);
    }
    const today = element('td', { className: 'num today', text: formatCount(entry.todayCoins) });
    today.dataset['rosterStat'] = 'todayCoins';
    today.dataset['label'] = t('roster.today');
    row.append(today);
    return row;
  }
}
