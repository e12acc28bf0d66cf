import type { Command } from 'commander';
import { TokenFile } from '../app/access-token.js';
import { dataDirState, type ServerInfo } from '../app/server-info.js';
import { generateToken } from '../server/security.js';
import type { CliContext, CommandSetup } from './context.js';

interface TokenFlags {
  rotate?: boolean;
  json?: boolean;
}

/**
 * `livetally token [--rotate] [--json]`: the access token kept in the data directory,
 * which `livetally start` requires when it listens beyond this computer (`--host`).
 * A rotated token takes effect when the server next starts: a running server keeps the
 * token it started with, so OBS sources keep working until the streamer restarts it.
 */
export function registerTokenCommand(
  program: Command,
  ctx: CliContext,
  setup: (cmd: Command) => CommandSetup,
): void {
  program
    .command('token')
    .description(
      'show the access token kept for starts off loopback (made on first use); --rotate makes a new one',
    )
    .option('--rotate', 'replace it with a new one (a running server uses it after a restart)')
    .option('--json', 'print as JSON')
    .action((opts: TokenFlags, cmd: Command) => {
      const { workspace } = setup(cmd);
      const tokens = new TokenFile(workspace.dataDir, generateToken);
      let token: string;
      let created = false;
      if (opts.rotate) {
        token = tokens.rotate();
      } else {
        ({ token, created } = tokens.readOrCreate());
      }
      const state = dataDirState(workspace.dataDir);
      const server = state.kind === 'server' ? state.info : null;
      const restartNeeded = Boolean(opts.rotate) && server?.tokenSource === 'file';
      if (opts.json) {
        ctx.output.out(
          JSON.stringify({
            token,
            file: tokens.file,
            created,
            rotated: Boolean(opts.rotate),
            server: server
              ? { pid: server.pid, url: server.url, tokenSource: server.tokenSource }
              : null,
            restartNeeded,
          }),
        );
        return;
      }
      const fresh = opts.rotate ? 'new ' : created ? 'new ' : '';
      ctx.output.out(`${fresh}access token: ${token}`);
      ctx.output.out(
        `  kept in ${tokens.file}; livetally start asks for it when it listens beyond this computer (--host), e.g. in OBS URLs as ?token=…`,
      );
      if (server) ctx.output.out(`  ${serverNote(server, Boolean(opts.rotate))}`);
    });
}

function serverNote(server: ServerInfo, rotated: boolean): string {
  const who = `the running livetally (pid ${server.pid})`;
  if (server.tokenSource === 'flag' || server.tokenSource === 'env') {
    return `${who} uses the token given with ${server.tokenSource === 'flag' ? '--token' : 'LIVETALLY_TOKEN'}, not this one`;
  }
  if (server.tokenSource === null)
    return `${who} listens on this computer only and asks for no token`;
  return rotated
    ? `${who} keeps the old token until it restarts: restart it, then put the new token in your OBS browser sources`
    : `${who} uses this token`;
}
