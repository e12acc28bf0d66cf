import type {
  LeaderboardMetricName,
  LeaderboardResponse,
  LeaderboardWindow,
} from '../../../src/shared/api-types.js';
import type { Api } from '../../shared/api.js';
import { element, setText } from '../../shared/dom.js';
import { boardTable } from './board-table.js';
import { apiQuery } from './links.js';
import { browserZone } from './time-words.js';
import { WORDS } from './words.js';

const METRICS: LeaderboardMetricName[] = ['coins', 'gifts', 'likes', 'comments', 'shares'];

export interface BoardWidgetOptions {
  /** Makes ids unique when the widget appears twice on a page. */
  id: string;
  windows: LeaderboardWindow[];
  window: LeaderboardWindow;
  limit: number;
}

/**
 * Top supporters over a period the streamer picks (this week, this month, all time …),
 * ranked by the number they pick; each name opens the viewer's page.
 */
export class BoardWidget {
  readonly root: HTMLElement;
  private window: LeaderboardWindow;
  private metric: LeaderboardMetricName = 'coins';
  private readonly holder = element('div', { className: 'table-wrap' });
  private readonly empty = element('p', { className: 'note', text: WORDS.board.empty });
  private generation = 0;

  constructor(
    private readonly api: Api,
    private readonly options: BoardWidgetOptions,
  ) {
    this.window = options.window;
    this.root = element('div', { className: 'board-widget' });
    const controls = element('div', { className: 'board-controls' });
    const windows = element('fieldset', { className: 'segmented' });
    windows.append(element('legend', { className: 'sr-only', text: WORDS.board.window }));
    for (const w of options.windows) {
      const id = `${options.id}-window-${w}`;
      const input = element('input', {
        attrs: { type: 'radio', name: `${options.id}-window`, id, value: w },
      });
      input.checked = w === this.window;
      input.addEventListener('change', () => {
        this.window = w;
        void this.refresh();
      });
      windows.append(input, element('label', { text: WORDS.windows[w], attrs: { for: id } }));
    }
    const metricField = element('div', { className: 'field inline' });
    const selectId = `${options.id}-metric`;
    const select = element('select', { attrs: { id: selectId } });
    for (const m of METRICS) {
      select.append(element('option', { text: WORDS.metrics[m], attrs: { value: m } }));
    }
    select.addEventListener('change', () => {
      this.metric = select.value as LeaderboardMetricName;
      void this.refresh();
    });
    metricField.append(
      element('label', { text: WORDS.board.metric, attrs: { for: selectId } }),
      select,
    );
    controls.append(windows, metricField);
    this.holder.setAttribute('role', 'region');
    this.holder.setAttribute('tabindex', '0');
    this.holder.setAttribute('aria-live', 'polite');
    this.root.append(controls, this.holder, this.empty);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const query = apiQuery({
      metric: this.metric,
      window: this.window,
      limit: this.options.limit,
      tz: browserZone(),
    });
    const board = await this.api.get<LeaderboardResponse>(`/api/leaderboard?${query}`);
    if (generation !== this.generation) return; // a newer choice is on its way
    const caption = WORDS.board.caption(WORDS.windows[this.window], WORDS.metrics[this.metric]);
    this.holder.setAttribute('aria-label', caption);
    const others = METRICS.filter((m) => m !== this.metric && m !== 'gifts');
    this.holder.replaceChildren(
      boardTable(board.viewers, [this.metric, ...others.slice(0, 2)], caption),
    );
    this.holder.hidden = board.viewers.length === 0;
    this.empty.hidden = board.viewers.length > 0;
    setText(this.empty, WORDS.board.empty);
  }
}
