export interface BackoffOptions {
  /** Pause before the first retry. */
  initialMs: number;
  /** Longest pause the doubling reaches. */
  maxMs: number;
  /** Consecutive failed attempts after which the source gives up. */
  maxRetries: number;
  /** Pause after a rate limit whose answer did not say how long to wait. */
  rateLimitFallbackMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 1000,
  maxMs: 60_000,
  maxRetries: 10,
  rateLimitFallbackMs: 30_000,
};

/**
 * Pause before retry number `attempt` (1-based): doubling from `initialMs` up to `maxMs`.
 * A server's `retryAfter` wins when it is longer — even beyond `maxMs`: retrying earlier
 * would only be refused again and count against the limit.
 */
export function retryDelay(
  options: BackoffOptions,
  attempt: number,
  hint: { rateLimited?: boolean; retryAfterMs?: number } = {},
): number {
  const doubling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  const floor = hint.retryAfterMs ?? (hint.rateLimited ? options.rateLimitFallbackMs : 0);
  return Math.max(doubling, floor);
}
