import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

/**
 * How request bodies are read. Stream decks and automation tools send
 * `Content-Type: application/json` (or anything else) with an empty body on requests that
 * need none; that is accepted as "no body" (DESIGN, Unattended operation). A body that is
 * there must be JSON; routes that need one say which (see `missingBodyMessage`).
 */
export function registerBodyParsers(app: FastifyInstance): void {
  // A request that says it has no body has nothing to parse, whatever type it names (even
  // one that is not a valid media type).
  app.addHook('onRequest', async (request) => {
    const headers = request.headers;
    const length = headers['content-length'];
    if (
      headers['content-type'] !== undefined &&
      headers['transfer-encoding'] === undefined &&
      (length === undefined || length === '0')
    ) {
      delete headers['content-type'];
    }
  });
  // Fastify's own JSON parser keeps its protection against `__proto__` / `constructor` keys.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    json(request, text, done);
  });
  // A chunked body that turns out empty, under any other type.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if ((body as Buffer).length === 0) {
      done(null, undefined);
      return;
    }
    done(
      new HttpError(415, 'unsupported_media_type', 'send JSON (Content-Type: application/json)'),
      undefined,
    );
  });
}

interface DescribedShape {
  shape: Record<string, { description?: string }>;
}

function hasShape(schema: unknown): schema is DescribedShape {
  return (
    typeof schema === 'object' &&
    schema !== null &&
    'shape' in schema &&
    typeof schema.shape === 'object' &&
    schema.shape !== null
  );
}

/**
 * "needs a JSON body with "streamer" (TikTok handle …)", from the route's body schema: what
 * a request without a body (or with `null`) is told instead of "invalid JSON".
 */
export function missingBodyMessage(method: string, url: string, bodySchema: unknown): string {
  const fields = hasShape(bodySchema)
    ? Object.entries(bodySchema.shape).map(([key, field]) =>
        field.description ? `"${key}" (${field.description})` : `"${key}"`,
      )
    : [];
  const what = fields.length > 0 ? `a JSON body with ${fields.join(' and ')}` : 'a JSON body';
  return `${method} ${url} needs ${what}`;
}
