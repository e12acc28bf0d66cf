import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../app/logger.js';
import { errorBody } from './http-errors.js';

/** The pages and where their built HTML is (scripts/build-web.js writes dist/web/). */
const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/overlay': 'overlay.html',
  '/overlay/alerts': 'alerts.html',
  '/overlay/goal': 'goal.html',
  '/overlay/leaderboard': 'leaderboard.html',
  '/history': 'history.html',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export interface PagesOptions {
  /** The built pages: HTML at the top, bundles under assets/. */
  dir: string;
  logger: Logger;
}

/**
 * Serves the dashboard and the overlays from memory: a few small files, read once at start.
 * Every response carries an ETag and `no-cache`, so a browser (or OBS) asks again each
 * time and gets a 304 until livetally is upgraded — no stale script after an update, no
 * cost worth counting on loopback.
 */
export function registerPages(options: PagesOptions): (app: FastifyInstance) => void {
  const assets = loadAssets(options.dir);
  if (assets.size === 0) {
    options.logger.warn(
      `the dashboard is not built (nothing in ${options.dir}); run \`npm run build\``,
    );
  }
  return (app) => {
    for (const [route, file] of Object.entries(PAGES)) {
      app.get(route, { schema: { hide: true } }, async (request, reply) => {
        const page = assets.get(file);
        if (!page) {
          return reply
            .code(503)
            .send(
              errorBody(
                'pages_not_built',
                'the dashboard is not built; run `npm run build` in the livetally folder',
              ),
            );
        }
        pageHeaders(reply, request.headers.host ?? '');
        return send(request, reply, page);
      });
    }
    app.get<{ Params: { file: string } }>(
      '/assets/:file',
      { schema: { hide: true } },
      async (request, reply) => {
        const asset = assets.get(`assets/${request.params.file}`);
        if (!asset) {
          return reply
            .code(404)
            .send(errorBody('not_found', `there is no asset ${request.params.file}`));
        }
        reply.header('x-content-type-options', 'nosniff');
        return send(request, reply, asset);
      },
    );
  };
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  reply.header('cache-control', 'no-cache').header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}

/**
 * The pages only ever talk to the livetally that served them (same host, already checked
 * against DNS rebinding), load nothing from elsewhere, and may be framed only by it (the
 * dashboard previews an overlay). `no-referrer` keeps a `?token=` in the address to itself.
 */
function pageHeaders(reply: FastifyReply, host: string): void {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self'",
    // 'self' covers the socket's ws:// in current browsers; older embedded ones (OBS) need it named.
    `connect-src 'self' ws://${host}`,
    "frame-src 'self'",
    "frame-ancestors 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
  reply
    .header('content-security-policy', csp)
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'SAMEORIGIN');
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (relative: string) => {
    const type = TYPES[path.extname(relative)];
    if (!type) return;
    const body = fs.readFileSync(path.join(dir, relative));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(relative.split(path.sep).join('/'), { body, type, etag });
  };
  for (const name of list(dir)) add(name);
  for (const name of list(path.join(dir, 'assets'))) add(path.join('assets', name));
  return assets;
}

function list(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch {
    return [];
  }
}
