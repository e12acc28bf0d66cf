import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Tests that start the real command line, or the save worker thread, run the compiled
 * JavaScript in dist/, and the browser tests load the pages built into dist/web/. Build
 * both once before any test so they always match the sources.
 */
export default function setup(): void {
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
}
