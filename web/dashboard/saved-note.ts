import type { SavedView, StatsResponse } from '../../src/shared/api-types.js';
import type { Api } from '../shared/api.js';
import { setText } from '../shared/dom.js';
import { formatCount, formatDateTime } from '../shared/format.js';
import { t } from '../shared/i18n.js';

/**
 * While nothing is connected the live numbers are zero; this says what the profile's file
 * still keeps, so that a streamer does not take the zeros for lost stats.
 */
export class SavedNote {
  private generation = 0;

  constructor(
    private readonly api: Api,
    private readonly note: HTMLElement,
  ) {}

  /** Connected: the tiles are the truth, nothing to add. */
  hide(): void {
    this.generation++;
    setText(this.note, '');
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    try {
      const view = await this.api.get<StatsResponse>('/api/stats');
      if (generation !== this.generation) return;
      this.show(view.connection.state === 'disconnected' ? view.saved : null);
    } catch {
      // The banner explains an unreachable livetally; the note just stays as it was.
    }
  }

  private show(saved: SavedView | null): void {
    const s = saved?.stats;
    if (!saved || !s || Object.values(s).every((v) => v === 0)) {
      setText(this.note, '');
      return;
    }
    const when = saved.updatedAt
      ? t('saved.when', { time: formatDateTime(new Date(saved.updatedAt)) })
      : '';
    setText(
      this.note,
      t(saved.streamer ? 'saved.keptFor' : 'saved.kept', {
        who: `@${saved.streamer ?? ''}`,
        likes: formatCount(s.likes),
        coins: formatCount(s.totalCoins),
        gifts: formatCount(s.gifts),
        followers: formatCount(s.followers),
        shares: formatCount(s.shares),
        when,
      }),
    );
  }
}
