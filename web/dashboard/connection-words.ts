import type { ConnectionView } from '../../src/shared/api-types.js';
import { t, type MessageKey } from '../shared/i18n.js';

/** The connection's state as the badge shows it; `data-state` on the badge carries it. */
export type ConnectionWord = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'ended' | 'error';

const WORDS: Record<ConnectionWord, MessageKey> = {
  idle: 'connection.word.idle',
  connecting: 'connection.word.connecting',
  live: 'connection.word.live',
  reconnecting: 'connection.word.reconnecting',
  ended: 'connection.word.ended',
  error: 'connection.word.error',
};

export interface ConnectionWords {
  state: ConnectionWord;
  /** One word for the badge, in the page's language. */
  word: string;
  /** A sentence for the streamer. */
  detail: string;
  /** The last error, in the server's words, when there is one worth showing. */
  error: string | null;
}

/**
 * The connection in a streamer's words. How the last connection ended comes from the
 * server (`lastEnd`), so every page says it the same way.
 */
export function describeConnection(
  view: ConnectionView,
  previousSource: ConnectionView['source'] = null,
): ConnectionWords {
  const who = view.streamer ? `@${view.streamer}` : t('connection.theStreamer');
  const error = view.error?.message ?? null;
  const words = (state: ConnectionWord, detail: string, shownError: string | null) => ({
    state,
    word: t(WORDS[state]),
    detail,
    error: shownError,
  });
  switch (view.state) {
    case 'connecting':
      return words('connecting', t('connection.detail.connecting', { who }), error);
    case 'connected':
      return words('live', t(countingKey(view.source), { who }), null);
    case 'reconnecting': {
      const detail =
        view.retryInMs !== null && view.retryInMs > 0
          ? t('connection.detail.reconnectingIn', {
              who,
              seconds: Math.ceil(view.retryInMs / 1000),
            })
          : t('connection.detail.reconnectingNow', { who });
      return words('reconnecting', detail, error);
    }
    case 'disconnected': {
      if (error) return words('error', t('connection.detail.error'), error);
      const end = view.lastEnd;
      if (end?.reason === 'ended') {
        return words('ended', t('connection.detail.ended', { who: `@${end.streamer}` }), null);
      }
      if (
        end?.reason === 'disconnected' &&
        previousSource !== null &&
        previousSource !== 'tiktok'
      ) {
        return words(
          'ended',
          t('connection.detail.recordingEnded', { who: `@${end.streamer}` }),
          null,
        );
      }
      return words('idle', t('connection.detail.idle'), null);
    }
  }
}

function countingKey(source: ConnectionView['source']): MessageKey {
  if (source === 'replay') return 'connection.detail.countingReplay';
  if (source === 'demo') return 'connection.detail.countingDemo';
  return 'connection.detail.counting';
}
