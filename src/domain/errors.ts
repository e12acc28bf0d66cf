/**
 * An error a streamer can act on: a stable machine-readable `code` and a one-line message.
 * Every layer throws these for expected failures; anything else is a bug.
 */
export class LivetallyError extends Error {
  override readonly name = 'LivetallyError';

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isLivetallyError(value: unknown): value is LivetallyError {
  return value instanceof LivetallyError;
}
