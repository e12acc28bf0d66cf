import { STAT_NAMES, type StatsValues, type StatsView } from '../../src/shared/api-types.js';
import { setText } from '../shared/dom.js';
import { formatCount, formatDuration, isoDuration } from '../shared/format.js';

/** Shown instead of a number while the numbers of a profile just switched to are on the way. */
const PENDING = '–';

/**
 * The six counters, peak viewers and the broadcast's running time. Writes to the page only
 * what changed; the running-time clock ticks only while a broadcast is live.
 */
export class StatTiles {
  private readonly values = new Map<keyof StatsValues, HTMLElement>();
  private clock: number | undefined;

  constructor(
    root: HTMLElement,
    private readonly peak: HTMLElement,
    private readonly running: HTMLTimeElement,
  ) {
    for (const name of STAT_NAMES) {
      const node = root.querySelector<HTMLElement>(`[data-stat="${name}"]`);
      if (!node) throw new Error(`page is missing the ${name} counter`);
      this.values.set(name, node);
    }
  }

  render(view: Pick<StatsView, 'stats' | 'peakViewers' | 'broadcast' | 'connection'>): void {
    this.renderStats(view.stats);
    setText(this.peak, formatCount(view.peakViewers));
    const live = view.broadcast !== null && view.connection.state !== 'disconnected';
    this.setRunningTime(live ? view.broadcast!.elapsedMs : null);
  }

  /** Zeroes at once after a reset, before the server's next push confirms it. */
  renderStats(stats: StatsValues): void {
    for (const [name, node] of this.values) show(node, formatCount(stats[name]));
  }

  /** After a profile switch: the old profile's numbers must not stay on screen. */
  clear(): void {
    for (const node of this.values.values()) show(node, PENDING);
    setText(this.peak, PENDING);
    this.setRunningTime(null);
  }

  /**
   * The running time, as the server measured it (by the source's own clock, so a replay
   * shows its time); between pushes, and in a quiet LIVE with no pushes, it ticks on here.
   */
  private setRunningTime(elapsedMs: number | null): void {
    window.clearInterval(this.clock);
    this.clock = undefined;
    if (elapsedMs === null) {
      setText(this.running, PENDING);
      this.running.removeAttribute('datetime');
      return;
    }
    const receivedAt = Date.now();
    const tick = () => {
      const elapsed = elapsedMs + (Date.now() - receivedAt);
      setText(this.running, formatDuration(elapsed));
      this.running.dateTime = isoDuration(elapsed);
    };
    tick();
    this.clock = window.setInterval(tick, 1000);
  }
}

/**
 * A number on its tile: never broken across lines, and its font shrinks with its length
 * (the CSS divides the tile's width by `--chars`), so that 1,234,567 fits a narrow tile.
 */
function show(node: HTMLElement, text: string): void {
  setText(node, text);
  node.style.setProperty('--chars', String(Math.max(4, text.length)));
}
