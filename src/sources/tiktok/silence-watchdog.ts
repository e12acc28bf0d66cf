import type { SourceTimers } from './timers.js';

/** How long a connection may stay silent before it counts as dropped. */
export const DEFAULT_SILENCE_LIMIT_MS = 60_000;

/**
 * Notices a connection that has gone quiet. A socket whose other end is gone (a NAT
 * timeout, a sleeping router, a TikTok edge that stopped pushing) often stays "open" for
 * hours without an error; nothing at all arriving for `limitMs` is the sign.
 *
 * Activity is read, not pushed: `lastHeard()` is the time of the latest frame, so a busy
 * connection costs one clock read per frame and one timer per `limitMs`, not a timer reset
 * per frame.
 */
export class SilenceWatchdog {
  /** Resolves once nothing was heard for `limitMs`; never rejects. */
  readonly silent: Promise<void>;
  private fire!: () => void;
  private handle: unknown;
  private disposed = false;

  constructor(
    private readonly timers: SourceTimers,
    private readonly limitMs: number,
    private readonly lastHeard: () => number,
  ) {
    this.silent = new Promise((resolve) => (this.fire = resolve));
    this.arm(limitMs);
  }

  dispose(): void {
    this.disposed = true;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private arm(ms: number): void {
    this.handle = this.timers.setTimeout(() => this.check(), ms);
  }

  private check(): void {
    this.handle = undefined;
    if (this.disposed) return;
    const quiet = this.timers.now() - this.lastHeard();
    if (quiet >= this.limitMs) this.fire();
    else this.arm(this.limitMs - quiet);
  }
}
