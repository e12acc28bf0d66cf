import { createRequire } from 'node:module';
import { processOutput } from './output.js';
import { runCli } from './program.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

const code = await runCli(process.argv.slice(2), {
  output: processOutput,
  env: process.env,
  interactive: process.stderr.isTTY === true,
  version,
});
process.exitCode = code;
