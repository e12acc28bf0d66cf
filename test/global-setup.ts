import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startPgCluster } from './helpers/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's throw-away PostgreSQL cluster (see freshDatabase). */
    pgUrl: string;
  }
}

/**
 * Tests that start the real command line, or the save worker thread, run the compiled
 * JavaScript in dist/, and the browser tests load the pages built into dist/web/. Build
 * both once before any test so they always match the sources.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(
    process.execPath,
    [
      fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)),
      '-p',
      'tsconfig.build.json',
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../scripts/build-web.js', import.meta.url)), '--quiet'],
    { cwd: root, stdio: 'inherit' },
  );
  // One throw-away PostgreSQL cluster for the whole run; each test file makes its own
  // database in it. Stopped (and its folder removed) when the run ends.
  const cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
