import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { exportSummary, exportViewers } from '../app/history-export.js';
import { HistoryService } from '../app/history-service.js';
import type { LiveService } from '../app/live-service.js';
import { resolveTimeZone } from '../app/time-zone.js';
import { errorResponse, leaderboardQuery, leaderboardResponse, sessionParams } from './schemas.js';
import {
  giftBreakdownResponse,
  recapResponse,
  summaryExportQuery,
  summaryQuery,
  summaryResponse,
  viewerParams,
  viewerResponse,
  viewersExportQuery,
} from './schemas-history.js';

export interface HistoryRouteOptions {
  now?: () => number;
  /** Zone of summaries and day/week/month windows when a request names none. */
  zone?: string;
}

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };

/**
 * These answers are built from typed rows that already match their schema (the schemas are
 * checked against the API types at compile time) and can hold hundreds of buckets or
 * viewers: validating them again with zod on every answer took longer than the question
 * itself (a year of days: ~12 ms of 25). The schemas still describe them in OpenAPI.
 */
const PLAIN_JSON = { serializerCompiler: () => (data: unknown) => JSON.stringify(data) };

/** DESIGN.md's "History and aggregates" routes, plus the leaderboard with its windows. */
export function registerHistoryRoutes(
  app: FastifyInstance,
  service: LiveService,
  options: HistoryRouteOptions = {},
): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const history = new HistoryService({
    read: (query) => service.readHistory(query),
    currentSessionId: () => service.currentSessionId(),
    zone: options.zone ?? resolveTimeZone(undefined, process.env),
    now: options.now,
  });

  routes.get(
    '/api/leaderboard',
    {
      schema: {
        summary: 'Top viewers: of a broadcast, of today / this week / this month, or of all time',
        querystring: leaderboardQuery,
        response: { 200: leaderboardResponse, ...errors },
      },
      ...PLAIN_JSON,
    },
    async (request) => history.leaderboard(request.query),
  );

  routes.get(
    '/api/summary',
    {
      schema: {
        summary: 'Totals per day, week (from Monday) or month, in a time zone',
        querystring: summaryQuery,
        response: { 200: summaryResponse, ...errors },
      },
      ...PLAIN_JSON,
    },
    async (request) => history.summary(request.query),
  );

  routes.get(
    '/api/viewers/:userId',
    {
      schema: {
        summary: 'One viewer over everything the profile holds (imports included)',
        params: viewerParams,
        response: { 200: viewerResponse, ...errors },
      },
      ...PLAIN_JSON,
    },
    async (request) => history.viewer(request.params.userId),
  );

  routes.get(
    '/api/sessions/:id/recap',
    {
      schema: {
        summary: 'A broadcast against the previous one of the same streamer, with its gifters',
        params: sessionParams,
        response: { 200: recapResponse, ...errors },
      },
      ...PLAIN_JSON,
    },
    async (request) => history.recap(request.params.id),
  );

  routes.get(
    '/api/sessions/:id/gifts',
    {
      schema: {
        summary: 'Items and coins per gift type in a broadcast',
        params: sessionParams,
        response: { 200: giftBreakdownResponse, ...errors },
      },
      ...PLAIN_JSON,
    },
    async (request) => history.gifts(request.params.id),
  );

  routes.get(
    '/api/export/viewers',
    {
      schema: {
        summary: "Every viewer's all-time totals as a file (CSV for spreadsheets, or JSON)",
        querystring: viewersExportQuery,
      },
    },
    async (request, reply) => {
      const { format } = request.query;
      const body = exportViewers(await service.readHistory((h) => h.allViewers()), format);
      return sendFile(reply, `livetally-viewers.${format}`, format, body);
    },
  );

  routes.get(
    '/api/export/summary',
    {
      schema: {
        summary: 'Totals per day, week or month as a file (CSV for spreadsheets, or JSON)',
        querystring: summaryExportQuery,
      },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      const summary = await history.summary(query);
      return sendFile(
        reply,
        `livetally-${summary.period}s.${format}`,
        format,
        exportSummary(summary, format),
      );
    },
  );
}

function sendFile(reply: FastifyReply, name: string, format: 'csv' | 'json', body: string) {
  return reply
    .header(
      'content-type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    )
    .header('content-disposition', `attachment; filename="${name}"`)
    .send(body);
}
