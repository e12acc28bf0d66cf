import {
  dateSpan,
  parseDate,
  parseTimeZone,
  periodContaining,
  type CalendarDate,
  type Period,
} from '../domain/calendar.js';
import { LivetallyError } from '../domain/errors.js';
import type { LeaderboardMetric } from '../domain/history.js';
import type {
  GiftBreakdownResponse,
  LeaderboardResponse,
  LeaderboardWindow,
  RecapResponse,
  SummaryResponse,
  ViewerResponse,
} from '../shared/api-types.js';
import type { HistoryRepository, LeaderboardScope } from '../storage/history-repository.js';
import type { Awaitable } from '../storage/profile-storage.js';

export const LEADERBOARD_WINDOWS = ['session', 'day', 'week', 'month', 'all'] as const;

export interface SummaryRequest {
  period?: Period;
  from?: string;
  to?: string;
  tz?: string;
}

export interface LeaderboardRequest {
  metric: LeaderboardMetric;
  window: LeaderboardWindow;
  limit: number;
  tz?: string;
  /** A past broadcast instead of the current one (window `session` only). */
  session?: number;
}

export interface HistoryServiceOptions {
  /** Runs a query on the open profile's history (it changes with a profile switch). */
  read: <T>(query: (history: HistoryRepository) => Promise<T>) => Promise<T>;
  /** The broadcast a `session` leaderboard is about: the live one, else the last one saved. */
  currentSessionId: () => Awaitable<number | null>;
  /** The zone used when a request names none. */
  zone: string;
  now?: () => number;
}

/**
 * The history answers of the API and the command line, in their public shapes: turns
 * dates, zones and windows into instants, checks them, and asks the repository.
 */
export class HistoryService {
  private readonly now: () => number;

  constructor(private readonly options: HistoryServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  async summary(request: SummaryRequest): Promise<SummaryResponse> {
    const period = request.period ?? 'day';
    const tz = this.zone(request.tz);
    const from = date(request.from, 'from');
    const to = date(request.to, 'to');
    if (from && to && compare(from, to) > 0) {
      throw new LivetallyError(
        'invalid_date',
        `"from" (${request.from}) is after "to" (${request.to}); give the earlier date first`,
      );
    }
    const { start, end } = dateSpan(from, to, tz);
    const buckets = await this.options.read((history) =>
      history.summary({ period, zone: tz, start, end }),
    );
    return { period, tz, buckets };
  }

  async leaderboard(request: LeaderboardRequest): Promise<LeaderboardResponse> {
    const { metric, window, limit } = request;
    const tz = this.zone(request.tz);
    let scope: LeaderboardScope;
    let sessionId: number | null = null;
    let period: LeaderboardResponse['period'] = null;
    if (window === 'session') {
      sessionId = request.session ?? (await this.options.currentSessionId());
      if (sessionId === null) return { sessionId, metric, window, period, viewers: [] };
      scope = { kind: 'session', sessionId };
    } else if (window === 'all') {
      scope = { kind: 'all' };
    } else {
      const range = periodContaining(this.now(), window, tz);
      period = { tz, from: range.label, start: range.start, end: range.end };
      scope = { kind: 'range', start: range.start, end: range.end };
    }
    const viewers = await this.options.read((history) =>
      history.leaderboard({ metric, scope, limit }),
    );
    return { sessionId, metric, window, period, viewers };
  }

  async viewer(userId: string): Promise<ViewerResponse> {
    const found = await this.options.read((history) => history.viewer(userId));
    if (!found) {
      throw new LivetallyError(
        'viewer_not_found',
        `no viewer with id ${userId.slice(0, 40)} in this profile's history`,
      );
    }
    return found;
  }

  async recap(sessionId: number): Promise<RecapResponse> {
    const recap = await this.options.read((history) => history.recap(sessionId));
    if (!recap) throw notFound(sessionId);
    return recap;
  }

  async gifts(sessionId: number): Promise<GiftBreakdownResponse> {
    const gifts = await this.options.read((history) => history.giftBreakdown(sessionId));
    if (!gifts) throw notFound(sessionId);
    return { sessionId, gifts };
  }

  private zone(tz: string | undefined): string {
    return tz === undefined || tz === '' ? this.options.zone : parseTimeZone(tz);
  }
}

function date(text: string | undefined, name: string): CalendarDate | undefined {
  if (text === undefined || text === '') return undefined;
  const parsed = parseDate(text);
  if (!parsed) {
    throw new LivetallyError(
      'invalid_date',
      `"${name}" must be a date written YYYY-MM-DD, such as 2026-03-29 (got "${text.slice(0, 40)}")`,
    );
  }
  return parsed;
}

function compare(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

function notFound(id: number): LivetallyError {
  return new LivetallyError('session_not_found', `there is no session ${id}`);
}
