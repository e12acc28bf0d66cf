import type { Command } from 'commander';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TokenFile } from '../app/access-token.js';
import { connectAtStart, underWay } from '../app/connect-at-start.js';
import { openHostedRuntime, type OpenHostedRuntime } from '../app/hosted/hosted-runtime.js';
import { PgProfileSpace } from '../app/hosted/pg-profile-space.js';
import { LiveService } from '../app/live-service.js';
import { publishServer, type TokenSource } from '../app/server-info.js';
import { createSourceFactory } from '../app/source-factory.js';
import { chooseStartConnection } from '../app/start-connection.js';
import { describeConfig, resolveStartConfig, type StartFlags } from '../app/start-config.js';
import { assertNoOtherClaim } from '../storage/pg/pg-claims.js';
import { buildServer } from '../server/build-server.js';
import { registerPages } from '../server/pages.js';
import { generateToken, isLoopback } from '../server/security.js';
import { commandSetup, stopControl, type CliContext } from './context.js';
import { checkCanListen, listenError } from './listen-check.js';
import { checkProfileExists, checkReplayDir } from './preflight.js';

export const DEMO_RECORDING = fileURLToPath(
  new URL('../../recordings/demo.ndjson', import.meta.url),
);
export const DEMO_STREAMER = 'demo_streamer';
/** The built dashboard and overlays (dist/web/, next to dist/cli/). */
const PAGES_DIR = fileURLToPath(new URL('../web', import.meta.url));
/** A stop that takes longer than this ends the process (exit 1) whatever it waits for. */
const SHUTDOWN_LIMIT_MS = 10_000;
/** While saving fails, a stop keeps trying this long before it gives up. */
const SAVE_ON_STOP_MS = 5_000;

/** `livetally start`: the composition root of the server. */
export async function runStart(ctx: CliContext, cmd: Command, opts: StartFlags): Promise<void> {
  const { logger, workspace, dataDirFlag } = commandSetup(ctx, cmd);
  const config = resolveStartConfig({ ...opts, dataDir: dataDirFlag }, ctx.env);
  const host = config.host.value;
  const databaseUrl = config.database.value;
  // Every mistake is refused before anything is locked or created.
  if (databaseUrl === undefined) checkProfileExists(workspace, config.profile.value);
  checkReplayDir(config.replayDir.value);
  // Off loopback a token is required: the one given, else the one kept in the data dir.
  const tokens = new TokenFile(workspace.dataDir, generateToken);
  const useKeptToken = !isLoopback(host) && !config.token.value;
  if (useKeptToken) tokens.read(); // a damaged token file is refused here
  await checkCanListen(host, config.port.value);
  logger.info(`config: ${describeConfig(config)}`);

  // Hosted mode: the profiles are in the database, shared by every process of the service;
  // the data dir keeps only the access token, so several processes may share it (no lock).
  let hosted: OpenHostedRuntime | undefined;
  if (databaseUrl !== undefined) {
    hosted = await openHostedRuntime(databaseUrl, logger);
    fs.mkdirSync(workspace.dataDir, { recursive: true, mode: 0o700 });
  } else {
    workspace.lockForWriting('livetally start');
  }
  const stop = stopControl(SAVE_ON_STOP_MS);
  let service: LiveService | undefined;
  let published: { remove(): void } | undefined;
  try {
    let token = config.token.value ?? null;
    let tokenSource: TokenSource = token ? (config.token.from === 'env' ? 'env' : 'flag') : null;
    let keptToken: { file: string; created: boolean } | undefined;
    if (useKeptToken) {
      const kept = tokens.readOrCreate();
      token = kept.token;
      tokenSource = 'file';
      keptToken = { file: tokens.file, created: kept.created };
    }
    const speed = config.speed.value;
    const current = () => service;
    service = await LiveService.open({
      workspace: hosted
        ? new PgProfileSpace(hosted.pool, hosted.profiles, hosted.state, (client, profileId) =>
            // Fencing: no write once another process holds the profile's claim.
            assertNoOtherClaim(client, profileId, current()?.fleet.hosted?.loop.backendPid),
          )
        : workspace,
      hosted,
      logger,
      saveIntervalMs: config.saveIntervalMs.value,
      profile: config.profile.value,
      sources: createSourceFactory({
        replayDir: config.replayDir.value,
        demo: config.demo.value ? { file: DEMO_RECORDING, streamer: DEMO_STREAMER } : undefined,
        speed: speed ?? 1,
        logger,
        // tiktok-live-connector is large: it loads on the first connection to TikTok.
        tiktok: async (streamer) => {
          const tiktok = await import('../sources/tiktok/index.js');
          return tiktok.createTikTokSource({
            streamer,
            signApiKey: config.signApiKey.value,
            session: tiktok.tiktokSessionFromEnv(ctx.env),
            logger,
          });
        },
      }),
    });
    const { app } = await buildServer(service, {
      host,
      port: config.port.value,
      token,
      version: ctx.version,
      logger,
      pages: registerPages({ dir: PAGES_DIR, logger }),
    });
    try {
      await app.listen({ host, port: config.port.value });
    } catch (error) {
      throw listenError(error, host, config.port.value);
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port.value;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
    published = publishServer(workspace.dataDir, {
      pid: process.pid,
      url,
      host,
      port,
      profile: service.profileName,
      version: ctx.version,
      startedAt: Date.now(),
      tokenSource,
    });
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    ctx.output.out(`livetally is running — dashboard: ${url}${query}`);
    if (token && keptToken) {
      ctx.output.out(
        `access token (required off loopback): ${token} — ${keptToken.created ? 'new, ' : ''}kept in ${keptToken.file} for the next start`,
      );
    }
    const atStart = chooseStartConnection({
      streamer: config.streamer.value,
      // Hosted: what each profile watches is kept in the database; nothing to resume.
      resume: config.resume.value && !hosted,
      demo: config.demo.value ? DEMO_STREAMER : undefined,
      // The bundled demo only plays with --demo: without it, the name would go to TikTok.
      notResumable: [DEMO_STREAMER],
      sessions: await service.sessions(),
    });
    // The last line of the banner once a connection made at start is on its way.
    if (atStart) await underWay(service, connectAtStart(service, atStart, logger));
    ctx.output.out(`profile "${service.profileName}" · press Ctrl+C to stop (everything is saved)`);
    await untilAborted(stop.stopping);
    logger.info('stopping: saving everything …');
    const running = service;
    // Nothing may keep the process from ending: past the limit it exits, and the lock goes
    // with the process.
    const limit = setTimeout(() => {
      const { storage } = running.view();
      ctx.output.err(
        `livetally: could not stop within ${SHUTDOWN_LIMIT_MS / 1000} s` +
          (storage.error ? `; not saved: ${storage.error.message}` : ''),
      );
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    limit.unref();
    try {
      await running.shutdown(stop.giveUp);
    } finally {
      await app.close();
    }
    logger.info('stopped; all stats saved');
  } catch (error) {
    // The lock is released below only once the profile's file is let go.
    await service?.shutdown(AbortSignal.timeout(SAVE_ON_STOP_MS)).catch(() => undefined);
    throw error;
  } finally {
    stop.dispose();
    published?.remove();
    if (hosted) await hosted.close();
    else workspace.release();
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
