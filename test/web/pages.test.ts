import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/app/logger.js';
import { registerPages } from '../../src/server/pages.js';
import { ROOT } from '../helpers/cli.js';
import { closeAllServers, testServer } from '../helpers/server.js';
import Fastify from 'fastify';

afterEach(closeAllServers);

const BUILT = path.join(ROOT, 'dist', 'web');

describe('the pages, as livetally serves them', () => {
  it('serves the dashboard and overlays with their content types, a strict CSP and no referrer', async () => {
    const server = await testServer({ pages: true });
    for (const url of [
      '/',
      '/overlay?stats=likes',
      '/overlay/alerts',
      '/overlay/goal?id=x',
      '/overlay/leaderboard',
      '/history',
    ]) {
      const page = await server.app.inject({ url, headers: { host: server.host } });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toContain(`connect-src 'self' ws://${server.host}`);
      // Everything it loads comes from livetally itself (links to other pages load nothing).
      for (const [, ref] of page.body.matchAll(/<(?!a\s)[^>]*?(?:src|href)="([^"]+)"/g)) {
        expect(ref, `${url} loads ${ref}`).toMatch(/^\/assets\//);
        const asset = await server.app.inject({ url: ref!, headers: { host: server.host } });
        expect(asset.statusCode, ref).toBe(200);
      }
    }
    const script = await server.app.inject({
      url: '/assets/dashboard.js',
      headers: { host: server.host },
    });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    const style = await server.app.inject({
      url: '/assets/overlay-style.css',
      headers: { host: server.host },
    });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers 304 to a browser that has the file, and 404 in the API shape for what is not there', async () => {
    const server = await testServer({ pages: true });
    const first = await server.app.inject({
      url: '/assets/overlay.js',
      headers: { host: server.host },
    });
    const etag = String(first.headers['etag']);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await server.app.inject({
      url: '/assets/overlay.js',
      headers: { host: server.host, 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const missing = await server.app.inject({
      url: '/assets/nothing.js',
      headers: { host: server.host },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
    const traversal = await server.app.inject({
      url: '/assets/..%2Findex.html',
      headers: { host: server.host },
    });
    expect(traversal.statusCode).toBe(404);
  });

  it('keeps the DNS-rebinding check in front of the pages', async () => {
    const server = await testServer({ pages: true });
    const page = await server.app.inject({ url: '/', headers: { host: 'evil.example:8787' } });
    expect(page.statusCode).toBe(403);
  });

  it('says how to build the pages when they are missing, instead of failing to start', async () => {
    const app = Fastify();
    registerPages({ dir: path.join(ROOT, 'no-such-dir'), logger: silentLogger })(app);
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.json()).toMatchObject({ error: { code: 'pages_not_built' } });
    await app.close();
  });

  it('keeps the bundles small: no framework, only what the pages use', () => {
    // socket.io-client is ~40 KiB of each; the words of both languages ~25 KiB.
    const budget: Record<string, number> = {
      'dashboard.js': 128 * 1024,
      'overlay.js': 80 * 1024,
      'alerts.js': 80 * 1024,
      'goal.js': 80 * 1024,
      'leaderboard.js': 80 * 1024,
      'dashboard-style.css': 20 * 1024,
      'overlay-style.css': 12 * 1024,
    };
    for (const [file, limit] of Object.entries(budget)) {
      const size = fs.statSync(path.join(BUILT, 'assets', file)).size;
      expect(size, file).toBeLessThan(limit);
    }
  });
});
