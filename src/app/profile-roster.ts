import { parseTimeZone, periodContaining } from '../domain/calendar.js';
import type { RosterEntry, RosterResponse } from '../shared/api-types.js';
import { HistoryService } from './history-service.js';
import type { LiveService } from './live-service.js';
import type { ProfileReads } from './profile-fleet.js';

/** The longest the roster reads files without letting anything else run. */
const YIELD_AFTER_MS = 10;

export interface RosterOptions {
  /** The server's zone, used when the request names none. */
  zone: string;
  tz?: string;
  now: number;
}

/**
 * Every profile at a glance: connection, the six counters as its page shows them, and the
 * coins of today's LIVEs — "today" being the calendar day in `tz` (default: the server's
 * zone), a LIVE belonging to the day it started on, as in `/api/summary?period=day`.
 */
export async function profileRoster(
  service: LiveService,
  options: RosterOptions,
): Promise<RosterResponse> {
  const { fleet } = service;
  const history = (reads: ProfileReads) =>
    new HistoryService({
      read: reads.read,
      currentSessionId: reads.currentSessionId,
      zone: options.zone,
      now: () => options.now,
    });
  // The zone is checked once (400 for a bad one) before any file is opened.
  const tz =
    options.tz === undefined || options.tz === '' ? options.zone : parseTimeZone(options.tz);
  const day = periodContaining(options.now, 'day', tz).label;
  const profiles: RosterEntry[] = [];
  let slice = performance.now();
  for (const profile of (await service.profiles()).profiles) {
    // Hundreds of profiles take a while to read: the LIVEs being counted (and their saves)
    // get their turns in between.
    if (performance.now() - slice > YIELD_AFTER_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    let entry: RosterEntry;
    try {
      const view = await fleet.view(profile.name);
      const todayCoins = await fleet.readingFound(profile.name, async (reads) => {
        const summary = await history(reads).summary({ period: 'day', from: day, to: day, tz });
        return summary.buckets[0]?.totalCoins ?? 0;
      });
      entry = {
        name: profile.name,
        active: profile.active,
        connection: view.connection,
        stats: view.stats,
        todayCoins,
      };
    } catch {
      continue; // deleted while the roster was read, or unreadable: left out
    }
    profiles.push(entry);
  }
  return { tz, day, profiles };
}
