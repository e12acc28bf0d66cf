import type { ConnectionView } from '../../src/shared/api-types.js';

export type ConnectionWord =
  'Not connected' | 'Connecting' | 'Live' | 'Reconnecting' | 'Ended' | 'Error';

export interface ConnectionWords {
  /** One word for the badge: also what `data-state` on the badge carries, lower-cased. */
  word: ConnectionWord;
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
  const who = view.streamer ? `@${view.streamer}` : 'the streamer';
  const error = view.error?.message ?? null;
  switch (view.state) {
    case 'connecting':
      return { word: 'Connecting', detail: `Connecting to ${who}…`, error };
    case 'connected':
      return { word: 'Live', detail: `Counting ${who}${sourceNote(view.source)}.`, error: null };
    case 'reconnecting': {
      const when =
        view.retryInMs !== null && view.retryInMs > 0
          ? `in ${Math.ceil(view.retryInMs / 1000)} s`
          : 'now';
      return {
        word: 'Reconnecting',
        detail: `Lost the connection to ${who}; trying again ${when}. The numbers are kept.`,
        error,
      };
    }
    case 'disconnected': {
      if (error) return { word: 'Error', detail: 'Could not stay connected.', error };
      const end = view.lastEnd;
      if (end?.reason === 'ended') {
        return {
          word: 'Ended',
          detail: `@${end.streamer}'s LIVE has ended. The numbers are saved in this profile.`,
          error: null,
        };
      }
      if (
        end?.reason === 'disconnected' &&
        previousSource !== null &&
        previousSource !== 'tiktok'
      ) {
        return {
          word: 'Ended',
          detail: `The recording of @${end.streamer} has finished. The numbers are saved in this profile.`,
          error: null,
        };
      }
      return {
        word: 'Not connected',
        detail: "Enter a streamer's TikTok handle to start counting.",
        error: null,
      };
    }
  }
}

function sourceNote(source: ConnectionView['source']): string {
  if (source === 'replay') return ' (playing a recording)';
  if (source === 'demo') return ' (the demo recording)';
  return '';
}
