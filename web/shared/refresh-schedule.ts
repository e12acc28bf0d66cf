/**
 * When to fetch something the realtime channel does not carry (a leaderboard): soon after a
 * change, at most every `gapMs` while changes keep coming, once more `settleMs` after the
 * last one — livetally keeps per-viewer totals in memory until its next save (every
 * second by default), so a fetch right after the last change can miss it — and never while
 * nothing happens.
 */
export class RefreshSchedule {
  private timer: number | undefined;
  private lastRun = 0;
  private lastChange = 0;
  private running = false;
  private dirty = false;

  constructor(
    private readonly run: () => Promise<boolean>,
    private readonly gapMs = 2000,
    private readonly settleMs = 2500,
  ) {}

  /** Something changed. */
  changed(): void {
    this.lastChange = Date.now();
    this.dirty = true;
    this.plan();
  }

  private plan(): void {
    if (this.timer !== undefined || this.running) return;
    const now = Date.now();
    const settleAt = this.lastChange + this.settleMs;
    const at = this.dirty ? this.lastRun + this.gapMs : settleAt;
    if (!this.dirty && this.lastRun >= settleAt) return;
    this.timer = window.setTimeout(
      () => {
        this.timer = undefined;
        void this.fetch();
      },
      Math.max(0, at - now),
    );
  }

  private async fetch(): Promise<void> {
    this.dirty = false;
    this.running = true;
    this.lastRun = Date.now();
    try {
      // false: it did not work (livetally away); try again as if something changed.
      if (!(await this.run())) this.dirty = true;
    } finally {
      this.running = false;
      this.plan();
    }
  }
}
