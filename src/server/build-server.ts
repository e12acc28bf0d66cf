import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { LiveService } from '../app/live-service.js';
import type { Logger } from '../app/logger.js';
import { isLivetallyError } from '../domain/errors.js';
import { clientErrorResponse, errorBody, fromFastifyError, statusFor } from './http-errors.js';
import { describeApi } from './openapi.js';
import { RealtimeHub, type RealtimeOptions } from './realtime.js';
import { missingBodyMessage, registerBodyParsers } from './request-bodies.js';
import { ProfileRealtime } from './realtime-profiles.js';
import { registerRoutes } from './routes.js';
import { AccessPolicy, presentedToken } from './security.js';

export interface ServerOptions {
  host: string;
  port: number;
  /** Required on every API call and socket when set (always set off loopback). */
  token: string | null;
  version: string;
  logger: Logger;
  realtime?: RealtimeOptions;
  /** The clock and default time zone of the history routes (tests fix them). */
  now?: () => number;
  timeZone?: string;
  /**
   * The pages, registered after the API. Their routes are the only ones served without the
   * token: they hold nothing secret, and their scripts need the token to reach the API.
   */
  pages?: (app: FastifyInstance) => void | Promise<void>;
}

const BODY_LIMIT = 16 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The HTTP API and realtime channel, built without listening: tests drive it in-process
 * with `inject`, or over a real port with `listen`.
 */
export async function buildServer(
  service: LiveService,
  options: ServerOptions,
): Promise<{ app: FastifyInstance; realtime: RealtimeHub; policy: AccessPolicy }> {
  const { logger } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    // A request without Host is refused by the Host check below, in the usual error shape.
    http: { requireHostHeader: false },
    // Errors fastify answers before routing (a bad %-escape, a path parameter over 100
    // characters) and requests Node cannot parse get the same error shape as the rest.
    frameworkErrors: (error, _request, reply) => {
      const known = fromFastifyError(error.code, { bodyLimit: BODY_LIMIT });
      void (reply as FastifyReply)
        .code(known?.status ?? 400)
        .send(errorBody(known?.code ?? 'bad_request', known?.message ?? 'invalid request'));
    },
    clientErrorHandler: (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.write(clientErrorResponse(error.code));
      socket.destroy(error);
    },
  });
  /** Method and route pattern of every page route: the only ones open without the token. */
  const publicRoutes = new Set<string>();
  const policy = new AccessPolicy(
    options.host,
    () => listeningPort(app) ?? options.port,
    options.token,
  );
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', async (request, reply) => {
    if (!policy.hostAllowed(request.headers.host)) {
      return reply
        .code(403)
        .send(
          errorBody(
            'forbidden_host',
            request.headers.host === undefined
              ? 'requests must name this livetally in their Host header'
              : `requests must be addressed to this livetally, not "${request.headers.host.slice(0, 80)}"`,
          ),
        );
    }
    if (!SAFE_METHODS.has(request.method) && !policy.originAllowed(request.headers.origin)) {
      return reply
        .code(403)
        .send(
          errorBody('forbidden_origin', "changes are only accepted from livetally's own pages"),
        );
    }
    // Decided on the route the router chose, not on the raw address: `/%61pi/stats`,
    // `http://x/api/stats` and `/api/stats` all reach the same handler, so they need the same
    // token. Anything that is not a page (unknown paths included) needs it.
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    if (
      !publicRoutes.has(route) &&
      !policy.tokenAllowed(presentedToken(request.headers, request.url))
    ) {
      return reply
        .code(401)
        .send(
          errorBody(
            'unauthorized',
            'this livetally needs its access token (see its start-up output)',
          ),
        );
    }
    return undefined;
  });

  app.addHook('onResponse', async (request, reply) => {
    logger.debug(`${request.method} ${request.url.split('?')[0]} → ${reply.statusCode}`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0];
      const where = issue?.instancePath
        ? issue.instancePath.replace(/^\//, '').replace(/\//g, '.')
        : '';
      const part = error.validationContext ?? 'request';
      const detail = issue
        ? `${where ? `${where}: ` : ''}${issue.message ?? 'invalid'}`
        : 'invalid';
      if (part === 'body' && (request.body === undefined || request.body === null)) {
        const message = missingBodyMessage(
          request.method,
          request.routeOptions.url ?? request.url,
          request.routeOptions.schema?.body,
        );
        return reply.code(400).send(errorBody('missing_body', message));
      }
      return reply.code(400).send(errorBody('invalid_request', `invalid ${part}: ${detail}`));
    }
    const known = isLivetallyError(error)
      ? error
      : fromFastifyError(error.code, { bodyLimit: BODY_LIMIT });
    if (known) {
      return reply.code(statusFor(known)).send(errorBody(known.code, known.message));
    }
    if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody('invalid_request', error.message));
    }
    logger.error(`${request.method} ${request.url.split('?')[0]} failed: ${error.message}`);
    return reply
      .code(500)
      .send(errorBody('internal', 'something went wrong inside livetally; see its log'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          'not_found',
          `there is nothing at ${request.method} ${request.url.split('?')[0]}`,
        ),
      ),
  );

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'livetally',
        description: 'Stream statistics for TikTok LIVE: the local HTTP API',
        version: options.version,
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  registerBodyParsers(app);
  registerRoutes(app, service, options.version, { now: options.now, zone: options.timeZone });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => describeApi(app.swagger()));
  const pages = options.pages;
  if (pages) {
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) publicRoutes.add(`${method} ${route.url}`);
      });
      await pages(scope);
    });
  }
  const realtime = new RealtimeHub(app.server, service, policy, logger, options.realtime);
  const followers = new ProfileRealtime(realtime.io, service.fleet, logger, options.realtime);
  app.addHook('preClose', async () => followers.close());
  // Before the HTTP server closes: it waits for every connection, sockets included.
  app.addHook('preClose', async () => realtime.close());
  await app.ready();
  return { app, realtime, policy };
}

function listeningPort(app: FastifyInstance): number | undefined {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : undefined;
}
