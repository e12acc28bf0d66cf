import type { ConnectionView, StatsView } from '../shared/api-types.js';
import type { StreamTracker } from './stream-tracker.js';

/** What `/api/stats` and the `stats` push say about one profile: its tracker, its connection. */
export function statsView(
  profile: string,
  connection: ConnectionView,
  tracker: StreamTracker,
): StatsView {
  const broadcast = tracker.broadcast;
  return {
    profile,
    connection,
    stats: tracker.stats,
    peakViewers: tracker.peakViewers,
    broadcast: broadcast
      ? {
          sessionId: broadcast.sessionId,
          startedAt: broadcast.startedAt,
          elapsedMs: tracker.elapsedMs(),
          resumed: broadcast.resumed,
        }
      : null,
    storage: tracker.storage,
  };
}
