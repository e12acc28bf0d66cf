import type { SavedView, StatsResponse } from '../../src/shared/api-types.js';
import type { Api } from '../shared/api.js';
import { setText } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';

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
    const who = saved.streamer ? ` for @${saved.streamer}` : '';
    const when = saved.updatedAt ? `, saved ${new Date(saved.updatedAt).toLocaleString()}` : '';
    setText(
      this.note,
      `Kept in this profile${who}: ${formatCount(s.likes)} likes, ${formatCount(s.totalCoins)} coins, ` +
        `${formatCount(s.gifts)} gifts, ${formatCount(s.followers)} new followers, ` +
        `${formatCount(s.shares)} shares${when}. Connecting to the same LIVE again continues from there.`,
    );
  }
}
