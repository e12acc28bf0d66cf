export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Plain one-line messages on stderr, so that stdout stays for results (`--json`). */
export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const at = ORDER[level];
  const log = (lvl: Exclude<LogLevel, 'silent'>) =>
    ORDER[lvl] >= at ? (message: string) => write(prefix(lvl) + message) : () => {};
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function prefix(level: LogLevel): string {
  return level === 'info' ? '' : `${level}: `;
}

export const silentLogger: Logger = createLogger('silent');

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  return value && value in ORDER ? (value as LogLevel) : undefined;
}
