import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LiveService } from '../app/live-service.js';
import { buildTestAlert } from '../app/test-alerts.js';
import { errorResponse } from './schemas.js';
import {
  goalChangeBody,
  goalParams,
  goalsResponse,
  goalView,
  newGoalBody,
  testAlertBody,
  testAlertResponse,
} from './schemas-goals.js';

const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
};

/** Goals of the active profile (DESIGN.md "Goals") and the dashboard's test alerts. */
export function registerGoalRoutes(root: FastifyInstance, service: LiveService): void {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/goals',
    {
      schema: {
        summary: "The active profile's goals and where they stand",
        response: { 200: goalsResponse, ...errors },
      },
    },
    async () => ({ goals: (await service.goals()).goals }),
  );

  app.post(
    '/api/goals',
    {
      schema: {
        summary: 'Create a goal',
        body: newGoalBody,
        response: { 201: goalView, ...errors },
      },
    },
    async (request, reply) => {
      const goal = await service.changeGoals((goals) => goals.create(request.body));
      return reply.code(201).send(goal);
    },
  );

  app.patch(
    '/api/goals/:id',
    {
      schema: {
        summary: 'Edit a goal (only the fields given change)',
        params: goalParams,
        body: goalChangeBody,
        response: { 200: goalView, ...errors },
      },
    },
    async (request) =>
      service.changeGoals((goals) => goals.update(request.params.id, request.body)),
  );

  app.delete(
    '/api/goals/:id',
    {
      schema: {
        summary: 'Remove a goal',
        params: goalParams,
        response: { 204: z.null().describe('removed'), ...errors },
      },
    },
    async (request, reply) => {
      await service.changeGoals((goals) => goals.remove(request.params.id));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/test-alert',
    {
      schema: {
        summary: 'Send a test follow, share, gift or goal progress to the overlays (never counted)',
        body: testAlertBody,
        response: { 200: testAlertResponse, ...errors },
      },
    },
    async (request) => {
      const goals = await service.goals();
      service.sendTestAlert(buildTestAlert(request.body, goals, Date.now()));
      return { kind: request.body.kind, test: true as const };
    },
  );
}
