import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { LiveService } from '../../src/app/live-service.js';
import { silentLogger } from '../../src/app/logger.js';
import type { ProfileSpace } from '../../src/app/profile-space.js';
import { createSourceFactory } from '../../src/app/source-factory.js';
import { Workspace } from '../../src/app/workspace.js';
import { buildServer } from '../../src/server/build-server.js';
import { registerPages } from '../../src/server/pages.js';
import type { RealtimeHub, RealtimeOptions } from '../../src/server/realtime.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/shared/api-types.js';
import { DEMO, ROOT } from './cli.js';
import { tempDir } from './temp-dir.js';

export interface TestServer {
  app: FastifyInstance;
  service: LiveService;
  realtime: RealtimeHub;
  workspace: Workspace;
  dataDir: string;
  /** The Host header this server answers to (inject needs it). */
  host: string;
  /** Set after `listen()`. */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  dataDir?: string;
  replayDir?: string;
  demo?: boolean;
  speed?: number;
  bindHost?: string;
  token?: string | null;
  saveIntervalMs?: number;
  /** Serve the built pages (dist/web/) too, as `livetally start` does. */
  pages?: boolean;
  realtime?: RealtimeOptions;
  /** The history routes' clock and default time zone. */
  now?: () => number;
  timeZone?: string;
  /** Where the profiles are kept, made from the data directory's (default: SQLite files). */
  space?: (workspace: Workspace) => ProfileSpace;
}

const open: TestServer[] = [];

/** The real server, on a temp data directory, built without listening. */
export async function testServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const workspace = new Workspace(dataDir, silentLogger);
  workspace.lockForWriting('test');
  const service = await LiveService.open({
    workspace: options.space?.(workspace) ?? workspace,
    logger: silentLogger,
    saveIntervalMs: options.saveIntervalMs ?? 100,
    sources: createSourceFactory({
      replayDir: options.replayDir,
      demo: options.demo ? { file: DEMO, streamer: 'demo_streamer' } : undefined,
      speed: options.speed ?? 0,
      logger: silentLogger,
    }),
    connectAnswerMs: 5000,
  });
  const bindHost = options.bindHost ?? '127.0.0.1';
  // Injected requests name port 8787; after `listen` the real (random) port counts.
  const built = await buildServer(service, {
    host: bindHost,
    port: 8787,
    token: options.token ?? null,
    version: 'test',
    logger: silentLogger,
    now: options.now,
    timeZone: options.timeZone,
    realtime: options.realtime,
    pages: options.pages
      ? registerPages({ dir: path.join(ROOT, 'dist', 'web'), logger: silentLogger })
      : undefined,
  });
  let closed = false;
  const server: TestServer = {
    ...built,
    service,
    workspace,
    dataDir,
    host: '127.0.0.1:8787',
    url: '',
    async listen() {
      await built.app.listen({ host: '127.0.0.1', port: 0 });
      const address = built.app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.host = `127.0.0.1:${port}`;
      server.url = `http://127.0.0.1:${port}`;
      return server.url;
    },
    async close() {
      if (closed) return;
      closed = true;
      await service.shutdown();
      await built.app.close();
      workspace.release();
    },
  };
  open.push(server);
  return server;
}

export async function closeAllServers(): Promise<void> {
  for (const server of open.splice(0)) await server.close();
}

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function socketTo(
  url: string,
  options: { token?: string; origin?: string } = {},
): TestSocket {
  return connectSocket(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: {},
    query: options.token ? { token: options.token } : {},
    extraHeaders: options.origin ? { origin: options.origin } : {},
  });
}

/** Polls `predicate` (which may answer with a promise) until it gives something truthy. */
export function waitFor<T>(
  predicate: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = async () => {
      const value = await predicate();
      if (value) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(() => void poll().catch(reject), 20);
    };
    poll().catch(reject);
  });
}
