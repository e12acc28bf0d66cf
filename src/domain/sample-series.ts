import type { StreamStats } from './stats.js';

/** The six counters as they stood at time `t`: the end of a time bucket. */
export interface StatsSample extends StreamStats {
  t: number;
}

/**
 * The time series of one history entry: at most one sample per bucket of `intervalMs`,
 * labelled with the bucket's end and holding the counters as they stood then.
 *
 * The rule that keeps it exact when a broadcast is counted again (a crash and a restart, a
 * re-import, TikTok's re-sends): only a change of a counter touches the series. Duplicates,
 * stale viewer counts and time passing change no counter, so they write nothing. A bucket
 * is written while it is the latest one with a change (its sample so far, at each save) and
 * for the last time when a change falls into a later bucket; after that it is never
 * written again. A change stamped earlier than the latest bucket (a replay whose clock
 * went back) counts towards the latest bucket, whose values it makes true.
 */
export class SampleSeries {
  /** End of the latest bucket with a change (-Infinity: none yet). */
  private latestEnd: number;
  /** The latest bucket changed since its sample was last handed out. */
  private dirty = false;
  private closed: StatsSample[] = [];

  constructor(
    private readonly intervalMs: number,
    /** End of the latest bucket storage holds for this entry, when it is resumed. */
    latestEnd?: number,
  ) {
    this.latestEnd = latestEnd ?? -Infinity;
  }

  /** The end of the bucket at which the next change will close the latest one. */
  get nextCheck(): number {
    return this.dirty ? this.latestEnd : Infinity;
  }

  /** Call before applying a change at `now` (when `now >= nextCheck`), with the counters as they are. */
  closeBefore(now: number, current: StreamStats): void {
    if (!this.dirty || now < this.latestEnd) return;
    this.closed.push({ t: this.latestEnd, ...current });
    this.dirty = false;
  }

  /** A counter changed at `now`. */
  changed(now: number): void {
    if (now >= this.latestEnd) this.latestEnd = now - (now % this.intervalMs) + this.intervalMs;
    this.dirty = true;
  }

  /** Samples to write: closed buckets, then the latest one if it changed since. */
  drain(current: StreamStats): StatsSample[] {
    const out = this.closed;
    this.closed = [];
    if (this.dirty) out.push({ t: this.latestEnd, ...current });
    this.dirty = false;
    return out;
  }
}
