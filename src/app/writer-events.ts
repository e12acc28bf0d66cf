import type { WriterEvents } from '../storage/progress-writer.js';
import type { Logger } from './logger.js';

/** How save failures (a full disk, a locked file) reach the streamer. */
export function writerEvents(logger: Logger): WriterEvents {
  return {
    onError: (message) => logger.error(`could not save the stats (will retry): ${message}`),
    onRecovered: () => logger.info('saving works again'),
  };
}
