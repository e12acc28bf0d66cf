#!/usr/bin/env node
// The built command line (npm install / npm ci run the build through `prepare`).
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write(
      'livetally: not built yet — run `npm install` (or `npm run build`) first\n',
    );
  } else {
    process.stderr.write(`livetally: ${error && error.message ? error.message : error}\n`);
  }
  process.exitCode = 1;
});
