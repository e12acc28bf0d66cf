import type { Command } from 'commander';
import { createLogger, parseLogLevel, type Logger } from '../app/logger.js';
import { Workspace } from '../app/workspace.js';
import { resolveDataDir } from '../profiles/data-dir.js';
import type { Output } from './output.js';

export interface CliContext {
  output: Output;
  env: NodeJS.ProcessEnv;
  /** Whether progress lines may be drawn (stderr is a terminal). */
  interactive: boolean;
  version: string;
}

interface GlobalOptions {
  dataDir?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export interface CommandSetup {
  logger: Logger;
  workspace: Workspace;
  /** `--data-dir` as given, for commands that resolve it themselves. */
  dataDirFlag: string | undefined;
}

/** The logger (level: LIVETALLY_LOG_LEVEL, --verbose, --quiet) and the data directory. */
export function commandSetup(ctx: CliContext, cmd: Command): CommandSetup {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  const level =
    parseLogLevel(ctx.env['LIVETALLY_LOG_LEVEL']) ??
    (globals.quiet ? 'error' : globals.verbose ? 'debug' : 'info');
  const logger = createLogger(level, (line) => ctx.output.err(line));
  const workspace = new Workspace(resolveDataDir(globals.dataDir, ctx.env), logger);
  return { logger, workspace, dataDirFlag: globals.dataDir };
}

/** Resolves on the first SIGINT, SIGTERM or SIGHUP (Ctrl+C, kill, a closed terminal). */
export function onStopSignal(stop: () => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handler = () => stop();
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}

/** How long a stopping command goes on trying to save before it gives up (and exits 1). */
export const SAVE_ON_STOP_MS = 5000;

export interface StopControl {
  /** Aborted by the first SIGINT, SIGTERM or SIGHUP: stop, save, exit. */
  readonly stopping: AbortSignal;
  /**
   * Aborted `SAVE_ON_STOP_MS` after the first signal, or at a second one: stop waiting for
   * the disk (a full disk may never come back) and say what could not be saved.
   */
  readonly giveUp: AbortSignal;
  /** Stops listening for signals. */
  dispose(): void;
}

/** Stop signals for a command that saves on its way out, with a limit on that save. */
export function stopControl(saveLimitMs = SAVE_ON_STOP_MS): StopControl {
  const stopping = new AbortController();
  const giveUp = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const stopListening = onStopSignal(() => {
    if (stopping.signal.aborted) {
      giveUp.abort(); // asked twice: stop trying at once
      return;
    }
    stopping.abort();
    timer = setTimeout(() => giveUp.abort(), saveLimitMs);
    timer.unref();
  });
  return {
    stopping: stopping.signal,
    giveUp: giveUp.signal,
    dispose: () => {
      stopListening();
      if (timer) clearTimeout(timer);
    },
  };
}
