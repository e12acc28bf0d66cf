import type { WriterEvents } from '../storage/progress-writer.js';
import type { Logger } from './logger.js';

/** A failure that goes on is repeated in the log this often, not at every retry. */
const REPEAT_MS = 30_000;

/** How save failures (a full disk, a damaged file) reach the streamer. */
export function writerEvents(logger: Logger, now: () => number = Date.now): WriterEvents {
  let lastMessage = '';
  let lastLogged = 0;
  return {
    onError: (failure) => {
      const at = now();
      if (failure.message === lastMessage && at - lastLogged < REPEAT_MS) return;
      lastMessage = failure.message;
      lastLogged = at;
      logger.error(
        failure.code === 'corrupt_database'
          ? `could not save the stats: ${failure.message}; counting goes on in memory only`
          : `could not save the stats: ${failure.message} — livetally keeps counting and saves as soon as it can`,
      );
    },
    onRecovered: () => {
      lastMessage = '';
      logger.info('saving works again');
    },
  };
}
