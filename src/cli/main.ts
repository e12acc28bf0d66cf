import { createRequire } from 'node:module';
import { processOutput, toleratePipeClosing } from './output.js';
import { runCli } from './program.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

toleratePipeClosing();
const code = await runCli(process.argv.slice(2), {
  output: processOutput,
  env: process.env,
  interactive: process.stderr.isTTY === true,
  version,
});
process.exitCode = code;
