import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HistoryService } from '../app/history-service.js';
import type { LiveService } from '../app/live-service.js';
import { profileRoster } from '../app/profile-roster.js';
import { resolveTimeZone } from '../app/time-zone.js';
import type { HistoryRouteOptions } from './routes-history.js';
import {
  connectionView,
  errorResponse,
  leaderboardQuery,
  leaderboardResponse,
  profileParams,
  statsResponse,
  statsValues,
  streamerBody,
} from './schemas.js';
import { rosterQuery, rosterResponse } from './schemas-profiles-live.js';

const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  413: errorResponse,
  500: errorResponse,
};

/**
 * DESIGN's "Several LIVEs at once": the routes of `/api/stats` and `/api/connection` for any
 * profile by name, and the roster of every profile. For the active profile they answer
 * exactly what the unnamed routes answer.
 */
export function registerProfileLiveRoutes(
  root: FastifyInstance,
  service: LiveService,
  options: HistoryRouteOptions = {},
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { fleet } = service;
  const zone = options.zone ?? resolveTimeZone(undefined, process.env);
  const now = options.now ?? Date.now;

  app.get(
    '/api/profiles/roster',
    {
      schema: {
        summary: 'Every profile: connection state, the six counters, coins of today',
        querystring: rosterQuery,
        response: { 200: rosterResponse, ...errors },
      },
    },
    async (request) => profileRoster(service, { zone, tz: request.query.tz, now: now() }),
  );

  app.get(
    '/api/profiles/:name/stats',
    {
      schema: {
        summary: "A profile's current stats, connection and saved stats (as /api/stats)",
        params: profileParams,
        response: { 200: statsResponse, ...errors },
      },
    },
    async (request) => fleet.stats(request.params.name),
  );

  app.post(
    '/api/profiles/:name/stats/reset',
    {
      schema: {
        summary: "Zero a profile's current stats, in memory and in its file at once",
        params: profileParams,
        response: { 200: statsValues, ...errors },
      },
    },
    async (request) => fleet.reset(request.params.name),
  );

  app.post(
    '/api/profiles/:name/connection',
    {
      schema: {
        summary: 'Connect a profile to a streamer; other profiles keep counting',
        params: profileParams,
        body: streamerBody,
        response: { 200: connectionView, ...errors },
      },
    },
    async (request) => fleet.connect(request.params.name, request.body.streamer),
  );

  app.delete(
    '/api/profiles/:name/connection',
    {
      schema: {
        summary: 'Disconnect a profile (final save)',
        params: profileParams,
        response: { 200: connectionView, ...errors },
      },
    },
    async (request) => fleet.disconnect(request.params.name),
  );

  app.get(
    '/api/profiles/:name/leaderboard',
    {
      schema: {
        summary: "Top viewers of a profile (as /api/leaderboard), for the overlays' ?profile=",
        params: profileParams,
        querystring: leaderboardQuery,
        response: { 200: leaderboardResponse, ...errors },
      },
    },
    async (request) =>
      fleet.reading(request.params.name, (reads) =>
        new HistoryService({
          read: reads.read,
          currentSessionId: reads.currentSessionId,
          zone,
          now,
        }).leaderboard(request.query),
      ),
  );
}
