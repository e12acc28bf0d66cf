import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { exportSession } from '../app/session-export.js';
import type { LiveService } from '../app/live-service.js';
import { registerGoalRoutes } from './routes-goals.js';
import { registerHistoryRoutes, type HistoryRouteOptions } from './routes-history.js';
import { registerProfileLiveRoutes } from './routes-profiles-live.js';
import {
  connectionView,
  errorResponse,
  exportQuery,
  healthResponse,
  profileNameBody,
  profileParams,
  profilesResponse,
  sessionParams,
  sessionResponse,
  sessionsResponse,
  statsResponse,
  statsValues,
  streamerBody,
} from './schemas.js';

const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  413: errorResponse,
  500: errorResponse,
};

/** Every route of the HTTP API (docs/api.md), under /api. */
export function registerRoutes(
  root: FastifyInstance,
  service: LiveService,
  version: string,
  history: HistoryRouteOptions = {},
) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  registerHistoryRoutes(app, service, history);

  app.get(
    '/api/health',
    { schema: { summary: 'Is livetally running?', response: { 200: healthResponse } } },
    async () => ({ ok: true as const, version }),
  );

  app.get(
    '/api/stats',
    {
      schema: {
        summary: 'Current stats, connection and what the profile file holds',
        response: { 200: statsResponse, ...errors },
      },
    },
    async () => ({ ...service.view(), saved: await service.saved() }),
  );

  app.post(
    '/api/stats/reset',
    {
      schema: {
        summary: 'Zero the current stats, in memory and in the file at once',
        response: { 200: statsValues, ...errors },
      },
    },
    async () => service.reset(),
  );

  app.post(
    '/api/connection',
    {
      schema: {
        summary: 'Connect to a streamer (TikTok, or a recording with --replay-dir / --demo)',
        body: streamerBody,
        response: { 200: connectionView, ...errors },
      },
    },
    async (request) => service.connect(request.body.streamer),
  );

  app.delete(
    '/api/connection',
    {
      schema: {
        summary: 'Disconnect (final save)',
        response: { 200: connectionView, ...errors },
      },
    },
    async () => service.disconnect(),
  );

  app.get(
    '/api/profiles',
    { schema: { summary: 'Profiles and the active one', response: { 200: profilesResponse } } },
    async () => service.profiles(),
  );

  app.post(
    '/api/profiles',
    {
      schema: {
        summary: 'Create a profile',
        body: profileNameBody,
        response: { 201: profilesResponse, ...errors },
      },
    },
    async (request, reply) => {
      await service.createProfile(request.body.name);
      return reply.code(201).send(await service.profiles());
    },
  );

  app.post(
    '/api/profiles/:name/activate',
    {
      schema: {
        summary: 'Switch to a profile in place (disconnects first if connected)',
        params: profileParams,
        response: { 200: statsResponse, ...errors },
      },
    },
    async (request) => {
      await service.activateProfile(request.params.name);
      return { ...service.view(), saved: await service.saved() };
    },
  );

  app.delete(
    '/api/profiles/:name',
    {
      schema: {
        summary: 'Delete a profile and its file (not the active one)',
        params: profileParams,
        response: { 204: z.null().describe('deleted'), ...errors },
      },
    },
    async (request, reply) => {
      await service.deleteProfile(request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/sessions',
    { schema: { summary: 'Every broadcast, newest first', response: { 200: sessionsResponse } } },
    async () => ({ sessions: await service.sessions() }),
  );

  app.get(
    '/api/sessions/:id',
    {
      schema: {
        summary: 'One broadcast with its time series',
        params: sessionParams,
        response: { 200: sessionResponse, ...errors },
      },
    },
    async (request) => service.session(request.params.id),
  );

  app.get(
    '/api/sessions/:id/export',
    {
      schema: {
        summary: 'One broadcast as a file: JSON (everything) or CSV (the time series)',
        params: sessionParams,
        querystring: exportQuery,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { format } = request.query;
      const body = exportSession(await service.exportSession(id), format);
      return reply
        .header(
          'content-type',
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        )
        .header('content-disposition', `attachment; filename="livetally-session-${id}.${format}"`)
        .send(body);
    },
  );

  registerGoalRoutes(root, service);
  registerProfileLiveRoutes(root, service, history);
}
