import { z } from 'zod';
import { PERIODS } from '../domain/calendar.js';
import type {
  GiftBreakdownResponse,
  RecapResponse,
  SummaryResponse,
  ViewerResponse,
} from '../shared/api-types.js';
import { sessionRecord, viewerTotals } from './schemas.js';

/** Request and response schemas of the history routes (see schemas.ts for the rest). */

const count = z.number().int().min(0);
const dateText = z.string().max(40).describe('a date, YYYY-MM-DD (inclusive)');

export const summaryQuery = z.object({
  period: z.enum(PERIODS).default('day'),
  from: dateText.optional(),
  to: dateText.optional(),
  tz: z
    .string()
    .max(64)
    .optional()
    .describe("IANA time zone of the buckets (default: livetally's machine's zone)"),
});

export const summaryExportQuery = summaryQuery.extend({
  format: z.enum(['csv', 'json']).default('csv'),
});

export const viewersExportQuery = z.object({ format: z.enum(['csv', 'json']).default('csv') });

export const summaryResponse = z
  .object({
    period: z.enum(PERIODS),
    tz: z.string(),
    buckets: z.array(
      z.object({
        start: z.string(),
        sessions: count,
        liveMs: count,
        peakViewers: count,
        likes: count,
        totalCoins: count,
        followers: count,
        shares: count,
        gifts: count,
        gifters: count,
      }),
    ),
  })
  .meta({ id: 'Summary' }) satisfies z.ZodType<SummaryResponse>;

export const viewerParams = z.object({ userId: z.string().min(1).max(128) });

export const viewerResponse = viewerTotals
  .extend({
    sessions: count,
    giftSessions: count,
    imported: z.boolean(),
    recentGifts: z.array(
      z.object({
        sessionId: z.number().int(),
        streamer: z.string(),
        startedAt: z.number(),
        coins: count,
        gifts: count,
      }),
    ),
  })
  .meta({ id: 'Viewer' }) satisfies z.ZodType<ViewerResponse>;

export const recapResponse = z
  .object({
    session: sessionRecord,
    durationMs: count,
    previous: sessionRecord.nullable(),
    difference: z
      .object({
        viewers: z.number(),
        likes: z.number(),
        totalCoins: z.number(),
        followers: z.number(),
        shares: z.number(),
        gifts: z.number(),
        peakViewers: z.number(),
        durationMs: z.number(),
      })
      .nullable(),
    topGifters: z.array(viewerTotals),
    gifters: count,
    newGifters: count,
    firstTimeGifters: z.array(viewerTotals),
    bestMinute: z.object({ start: z.number(), coins: count }).nullable(),
  })
  .meta({ id: 'Recap' }) satisfies z.ZodType<RecapResponse>;

export const giftBreakdownResponse = z
  .object({
    sessionId: z.number().int(),
    gifts: z.array(
      z.object({
        giftId: z.string(),
        giftName: z.string(),
        diamonds: count,
        count,
        coins: count,
      }),
    ),
  })
  .meta({ id: 'GiftBreakdown' }) satisfies z.ZodType<GiftBreakdownResponse>;
