import type { Command } from 'commander';
import type { StartFlags } from '../app/start-config.js';
import type { CliContext } from './context.js';

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run the server: dashboard, overlays, HTTP API and realtime events')
    .option('--profile <name>', 'profile to open (default: the active profile)')
    .option('--host <host>', 'address to listen on (env LIVETALLY_HOST)', undefined)
    .option('--port <port>', 'port to listen on (env LIVETALLY_PORT, default 8787)')
    .option('--save-interval <duration>', 'save at most this often (default 1s)')
    .option('--demo', 'play the bundled demo recording, in a loop, from the start')
    .option('--replay-dir <dir>', 'connecting to streamer X plays DIR/X.ndjson')
    .option('--speed <x>', 'replay speed: 0 = as fast as possible, 1 = real time')
    .option('--token <token>', 'access token required off loopback (env LIVETALLY_TOKEN)')
    .option('--sign-api-key <key>', 'Euler Stream sign-server key (env LIVETALLY_SIGN_API_KEY)')
    .option(
      '--streamer <name>',
      'connect to this TikTok streamer at start (env LIVETALLY_STREAMER)',
    )
    .option('--no-resume', 'stay disconnected at start, even after a stop or a crash')
    .option(
      '--database <url>',
      'keep every profile in this PostgreSQL database; several processes on one database are one service (env LIVETALLY_DATABASE_URL)',
    )
    .action(async (opts: StartFlags, cmd: Command) => {
      // The server's modules load only when it starts, so other commands start fast.
      const { runStart } = await import('./start-server.js');
      await runStart(ctx, cmd, opts);
    });
}
