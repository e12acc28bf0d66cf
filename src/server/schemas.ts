import { z } from 'zod';
import { LEADERBOARD_WINDOWS } from '../app/history-service.js';
import { LEADERBOARD_METRICS } from '../domain/history.js';
import type {
  ConnectionView,
  LeaderboardResponse,
  ProfilesResponse,
  StatsResponse,
  StatsValues,
  StorageView,
} from '../shared/api-types.js';

/** Request and response schemas: validation before any handler runs, and /api/openapi.json. */

/** Counters stop at 2^53 − 1 (every layer caps there): a JSON number still exact. */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Times are whole milliseconds since 1970. */
const epochMs = z.number().int();

export const statsValues = z
  .object({
    viewers: count,
    likes: count,
    totalCoins: count,
    followers: count,
    shares: count,
    gifts: count,
  })
  .meta({ id: 'Stats' }) satisfies z.ZodType<StatsValues>;

export const connectionView = z
  .object({
    state: z.enum(['disconnected', 'connecting', 'connected', 'reconnecting']),
    streamer: z.string().nullable(),
    roomId: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    retryInMs: z.number().nullable(),
    source: z.enum(['tiktok', 'replay', 'demo']).nullable(),
    lastEnd: z
      .object({
        reason: z.enum(['ended', 'disconnected', 'stopped', 'failed']),
        streamer: z.string(),
        at: z.number(),
      })
      .nullable(),
  })
  .meta({ id: 'Connection' }) satisfies z.ZodType<ConnectionView>;

export const storageView = z
  .object({
    ok: z.boolean(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    unsavedSince: z.number().int().nullable(),
  })
  .meta({ id: 'Storage' }) satisfies z.ZodType<StorageView>;

export const statsResponse = z
  .object({
    profile: z.string(),
    connection: connectionView,
    stats: statsValues,
    peakViewers: count,
    broadcast: z
      .object({
        sessionId: z.number().int(),
        startedAt: z.number(),
        elapsedMs: z.number().min(0),
        resumed: z.boolean(),
      })
      .nullable(),
    storage: storageView,
    saved: z
      .object({
        streamer: z.string().nullable(),
        roomId: z.string().nullable(),
        updatedAt: z.string().nullable(),
        updatedAtMs: epochMs.nullable(),
        stats: statsValues,
      })
      .nullable(),
  })
  .meta({ id: 'StatsResponse' }) satisfies z.ZodType<StatsResponse>;

export const errorResponse = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: 'Error' });

export const streamerBody = z.object({
  streamer: z.string().min(1).max(65).describe('TikTok handle of the streamer, with or without @'),
});

export const profileNameBody = z.object({
  name: z.string().min(1).max(200).describe('1–64 letters, digits, ".", "_" or "-"'),
});

export const profileParams = z.object({ name: z.string().min(1).max(200) });

export const profilesResponse = z
  .object({
    active: z.string(),
    profiles: z.array(
      z.object({
        name: z.string(),
        active: z.boolean(),
        sizeBytes: count,
        modifiedAt: z.string(),
        modifiedAtMs: epochMs,
      }),
    ),
  })
  .meta({ id: 'Profiles' }) satisfies z.ZodType<ProfilesResponse>;

export const leaderboardQuery = z.object({
  metric: z.enum(LEADERBOARD_METRICS).default('coins'),
  window: z
    .enum(LEADERBOARD_WINDOWS)
    .default('session')
    .describe(
      'session: the current or last broadcast; day/week/month: the calendar period now; all: everything',
    ),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  tz: z.string().max(64).optional().describe('IANA time zone for day/week/month'),
  session: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('with window=session: this broadcast instead of the current one'),
});

export const viewerTotals = z
  .object({
    userId: z.string(),
    handle: z.string(),
    nickname: z.string(),
    coins: count,
    gifts: count,
    likes: count,
    comments: count,
    shares: count,
    follows: count,
    firstSeen: epochMs,
    lastSeen: epochMs,
  })
  .meta({ id: 'ViewerTotals' });

export const leaderboardResponse = z.object({
  sessionId: z.number().int().nullable(),
  metric: z.enum(LEADERBOARD_METRICS),
  window: z.enum(LEADERBOARD_WINDOWS),
  period: z
    .object({ tz: z.string(), from: z.string(), start: z.number(), end: z.number() })
    .nullable(),
  viewers: z.array(viewerTotals),
}) satisfies z.ZodType<LeaderboardResponse>;

export const sessionRecord = z
  .object({
    id: z.number().int(),
    streamer: z.string(),
    streamerId: z.string(),
    roomId: z.string(),
    startedAt: epochMs,
    endedAt: epochMs.nullable(),
    endReason: z
      .string()
      .nullable()
      .describe(
        'interrupted (livetally died), stopped (Ctrl+C/SIGTERM), disconnected, ended (the LIVE ended), reset, imported',
      ),
    stats: statsValues,
    peakViewers: count,
    updatedAt: epochMs,
  })
  .meta({ id: 'Session' });

export const sessionsResponse = z.object({ sessions: z.array(sessionRecord) });

export const sessionParams = z.object({ id: z.coerce.number().int().min(1) });

export const sessionResponse = z.object({
  session: sessionRecord,
  series: z.array(
    z.object({ t: epochMs.describe('end of the 10-second bucket') }).extend(statsValues.shape),
  ),
});

export const exportQuery = z.object({ format: z.enum(['csv', 'json']).default('json') });

export const healthResponse = z.object({ ok: z.literal(true), version: z.string() });
