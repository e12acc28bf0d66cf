/**
 * Replay time, with ReplaySource's semantics: the recording's timestamps drive a virtual
 * clock; speed 0 plays as fast as possible, speed s waits so that recording time passes s
 * times as fast as wall time.
 *
 * Every event is counted at its own recording time, never at a time read from the wall
 * clock: whatever the speed and however busy the machine, the time series and a
 * broadcast's length come out the same as a run at full speed (and a replay killed midway
 * and played again matches one clean pass). Only while it waits for the next event does
 * the clock follow scaled wall time (staying before that event), so that combos time out
 * during a long quiet stretch; those are counted at their own deadlines, also the same.
 */
/**
 * A paced replay delivers its events in batches this far apart (never early, at most this
 * late): like TikTok, which sends a busy LIVE's messages in frames, not one by one, and
 * ten wake-ups a second instead of one per event keep a busy replay light.
 */
const MIN_SLEEP_MS = 50;

export class ReplayPacer {
  private virtualNow = 0;
  /** The recording time being waited for, while waiting. */
  private waitingFor: number | undefined;
  private firstAt: number | undefined;
  private wallStart = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly speed: number) {}

  /** The recording's clock, in whole milliseconds. */
  readonly now = (): number => {
    if (this.waitingFor === undefined || this.firstAt === undefined) return this.virtualNow;
    const wall = Math.floor(this.firstAt + (performance.now() - this.wallStart) * this.speed);
    return Math.max(this.virtualNow, Math.min(wall, this.waitingFor - 1));
  };

  /** The recording starts (its first `connected` line): time is measured from here. */
  start(at: number): void {
    if (this.firstAt !== undefined) return;
    this.firstAt = at;
    this.wallStart = performance.now();
  }

  /**
   * Moves the clock to recording time `at`. When that time is not due yet (a paced replay),
   * returns a promise to wait for first; otherwise nothing — a million-event replay at full
   * speed should not pay for a million promises.
   */
  reach(at: number): Promise<void> | undefined {
    if (this.speed > 0 && this.firstAt !== undefined) {
      const due = this.wallStart + (at - this.firstAt) / this.speed;
      const delay = due - performance.now();
      if (delay > 0) {
        // Never early; when the next event is only just ahead, sleep a little longer.
        this.waitingFor = at;
        return this.sleep(Math.max(delay, MIN_SLEEP_MS)).then(() => {
          this.waitingFor = undefined;
          this.advance(at);
        });
      }
    }
    this.advance(at);
    return undefined;
  }

  private advance(at: number): void {
    if (at > this.virtualNow) this.virtualNow = at;
  }

  /** Ends a pending wait at once (the replay was stopped). */
  interrupt(): void {
    this.wake?.();
  }

  private async sleep(delay: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.wake = done;
    });
  }
}
