import type { Command } from 'commander';
import { TokenFile } from '../app/access-token.js';
import { dataDirState, type ServerInfo } from '../app/server-info.js';
import { generateToken } from '../server/security.js';
import type { ConnectionView, StatsResponse } from '../shared/api-types.js';
import type { CliContext, CommandSetup } from './context.js';
import { QuietExit } from './quiet-exit.js';

interface StatusFlags {
  json?: boolean;
  token?: string;
}

/** What the running server said about itself, or why it could not be asked. */
type Answer = { ok: true; stats: StatsResponse } | { ok: false; problem: string };

const ASK_TIMEOUT_MS = 3000;

/**
 * `livetally status [--json]`: whether a server runs on this data directory, where, with
 * which profile and connection. Read-only: it reads the lock and `server.json` and asks the
 * server over HTTP; it never creates, changes or removes a file. Exit 0 when a server runs,
 * 1 when none does.
 */
export function registerStatusCommand(
  program: Command,
  ctx: CliContext,
  setup: (cmd: Command) => CommandSetup,
): void {
  program
    .command('status')
    .description('whether a livetally server runs on this data directory (exit 0) or not (exit 1)')
    .option(
      '--token <token>',
      'access token, if the server was started with --token (env LIVETALLY_TOKEN)',
    )
    .option('--json', 'print as JSON')
    .action(async (opts: StatusFlags, cmd: Command) => {
      const { workspace } = setup(cmd);
      const { dataDir } = workspace;
      const state = dataDirState(dataDir);
      if (state.kind !== 'server') {
        const writer = state.kind === 'writer' ? state.holder : null;
        // A server takes the lock first and publishes its address once it listens.
        const starting = writer?.command === 'livetally start';
        if (opts.json) {
          ctx.output.out(
            JSON.stringify({
              running: false,
              starting,
              dataDir,
              writer: writer ? { pid: writer.pid, command: writer.command } : null,
            }),
          );
        } else if (writer && starting) {
          ctx.output.out(
            `livetally (pid ${writer.pid}) is starting on ${dataDir}; ask again in a moment`,
          );
        } else {
          const busy = writer
            ? ` (\`${writer.command}\`, pid ${writer.pid}, is writing to it)`
            : '';
          ctx.output.out(`no livetally server is running on ${dataDir}${busy}`);
        }
        throw new QuietExit(1);
      }
      const { info } = state;
      const token = opts.token ?? nonEmpty(ctx.env['LIVETALLY_TOKEN']) ?? keptToken(dataDir, info);
      const answer = await ask(info, token);
      if (opts.json) {
        ctx.output.out(
          JSON.stringify({
            running: true,
            dataDir,
            pid: info.pid,
            url: info.url,
            host: info.host,
            port: info.port,
            version: info.version,
            startedAt: info.startedAt,
            profile: answer.ok ? answer.stats.profile : info.profile,
            connection: answer.ok ? answer.stats.connection : null,
            stats: answer.ok ? answer.stats.stats : null,
            problem: answer.ok ? null : answer.problem,
          }),
        );
        return;
      }
      ctx.output.out(`livetally is running on ${dataDir} (pid ${info.pid})`);
      ctx.output.out(`  dashboard   ${info.url}`);
      ctx.output.out(`  profile     ${answer.ok ? answer.stats.profile : info.profile}`);
      ctx.output.out(
        `  connection  ${answer.ok ? describeConnection(answer.stats.connection) : `unknown: ${answer.problem}`}`,
      );
    });
}

async function ask(info: ServerInfo, token: string | undefined): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(new URL('api/stats', info.url), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(ASK_TIMEOUT_MS),
    });
  } catch {
    return { ok: false, problem: `the server does not answer at ${info.url}` };
  }
  if (response.status === 401) {
    return {
      ok: false,
      problem:
        info.tokenSource === 'file'
          ? 'the server did not accept the kept access token (rotated since it started?)'
          : 'the server needs its access token: give it with --token or LIVETALLY_TOKEN',
    };
  }
  if (!response.ok) return { ok: false, problem: `the server answered HTTP ${response.status}` };
  return { ok: true, stats: (await response.json()) as StatsResponse };
}

/** The kept token, when the server uses it; never created here (status writes nothing). */
function keptToken(dataDir: string, info: ServerInfo): string | undefined {
  if (info.tokenSource !== 'file') return undefined;
  try {
    return new TokenFile(dataDir, generateToken).read();
  } catch {
    return undefined;
  }
}

function describeConnection(c: ConnectionView): string {
  const who = c.streamer ? `@${c.streamer}` : 'a streamer';
  const why = c.error ? `: ${c.error.message}` : '';
  switch (c.state) {
    case 'connected':
      return `connected to ${who}${c.roomId ? ` (broadcast ${c.roomId})` : ''}`;
    case 'connecting':
      return `connecting to ${who}${why}`;
    case 'reconnecting':
      return `reconnecting to ${who}${why}`;
    default:
      return c.error ? `disconnected (last error: ${c.error.message})` : 'disconnected';
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
