import { z } from 'zod';
import type { RosterResponse } from '../shared/api-types.js';
import { connectionView, statsValues } from './schemas.js';

/** Schemas of the routes for several LIVEs at once (routes-profiles-live.ts). */

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const rosterQuery = z.object({
  tz: z
    .string()
    .max(64)
    .optional()
    .describe("IANA time zone of today's coins; default the server's zone"),
});

export const rosterResponse = z
  .object({
    tz: z.string(),
    day: z.string().describe('Today in `tz` (YYYY-MM-DD)'),
    profiles: z.array(
      z.object({
        name: z.string(),
        active: z.boolean(),
        connection: connectionView,
        stats: statsValues,
        todayCoins: count.describe(
          'Coins of the LIVEs that started today in `tz` (as /api/summary?period=day)',
        ),
      }),
    ),
  })
  .meta({ id: 'Roster' }) satisfies z.ZodType<RosterResponse>;
