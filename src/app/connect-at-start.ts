import type { ConnectionView } from '../shared/api-types.js';
import type { LiveService } from './live-service.js';
import type { Logger } from './logger.js';
import type { StartConnection } from './start-connection.js';

/** A LIVE found over by a resume: the entry it continued is over, as if it had ended. */
const LIVE_OVER = new Set(['user_offline', 'stream_ended']);

/**
 * Connects at start, as `chooseStartConnection` decided, without holding up the start:
 * the outcome is logged (and shown on the dashboard, as any connection's is).
 *
 * A resume that never gets to the broadcast because the streamer called it off
 * (Disconnect, a profile switch) or because the LIVE turned out to be over settles the
 * entry it would have continued, so the next start does not try again.
 */
export async function connectAtStart(
  service: LiveService,
  choice: StartConnection,
  logger: Logger,
): Promise<void> {
  const who = `@${choice.streamer}`;
  if (choice.reason === 'resume') {
    logger.info(
      `resuming ${who}: the last connection ended without a Disconnect (start with --no-resume to stay disconnected)`,
    );
  }
  const stopWatching =
    choice.reason === 'resume' && choice.sessionId !== undefined
      ? watchResume(service, choice.sessionId, logger)
      : () => {};
  try {
    const view = await service.connect(choice.streamer);
    if (view.state === 'disconnected') stopWatching();
    const where = choice.reason === 'demo' ? ', looping the bundled recording' : '';
    logger.info(`${choice.reason}: ${view.state} (${who}${where})`);
  } catch (error) {
    stopWatching();
    const code = (error as { code?: unknown }).code;
    if (code === 'already_connected') {
      // Another process of a hosted service counts it already (or a page connected first).
      logger.info(`${choice.reason}: ${(error as Error).message.split(';')[0]}; nothing to do`);
      return;
    }
    logger.warn(`could not connect to ${who} at start: ${(error as Error).message}`);
  }
}

/**
 * Resolves once the connection made at start is under way (connecting, or further) or has
 * come to an end, after `limitMs` at most: a page opened from then on shows it on its way,
 * not "disconnected" (the source may take a moment to load before it starts connecting).
 */
export function underWay(
  service: LiveService,
  connecting: Promise<void>,
  limitMs = 2000,
): Promise<void> {
  if (service.view().connection.state !== 'disconnected') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      service.off('connection', onView);
      resolve();
    };
    const onView = (view: ConnectionView) => {
      if (view.state !== 'disconnected') done();
    };
    const timer = setTimeout(done, limitMs);
    service.on('connection', onView);
    void connecting.then(done, done);
  });
}

function watchResume(service: LiveService, sessionId: number, logger: Logger): () => void {
  const onConnection = (view: ConnectionView) => {
    if (view.state === 'connected') return stop();
    if (view.state !== 'disconnected' || !view.lastEnd) return;
    stop();
    const { reason } = view.lastEnd;
    const settled =
      reason === 'disconnected'
        ? 'disconnected'
        : reason === 'ended' || (reason === 'failed' && LIVE_OVER.has(view.error?.code ?? ''))
          ? 'ended'
          : undefined;
    if (!settled) return; // a stop or a failure: the next start tries again
    service.settleEnd(sessionId, settled).catch((error: unknown) => {
      logger.warn(`could not note how the resumed connection ended: ${(error as Error).message}`);
    });
  };
  const stop = () => service.off('connection', onConnection);
  service.on('connection', onConnection);
  return stop;
}
