import { LivetallyError } from '../domain/errors.js';
import { normalizeStreamerHandle } from '../domain/streamer-handle.js';
import { checkGivenToken } from './access-token.js';
import { maskDatabaseUrl, parseDatabaseUrl } from './database-url.js';
import { parseSaveInterval } from './duration.js';

export interface StartFlags {
  profile?: string;
  host?: string;
  port?: string;
  dataDir?: string;
  saveInterval?: string;
  demo?: boolean;
  replayDir?: string;
  speed?: string;
  token?: string;
  signApiKey?: string;
  /** `--streamer NAME`: connect to NAME at start. */
  streamer?: string;
  /** False with `--no-resume`. */
  resume?: boolean;
  /** `--database URL`: every profile in that PostgreSQL database (hosted mode). */
  database?: string;
}

type Origin = 'flag' | 'env' | 'default';

interface Setting<T> {
  value: T;
  from: Origin;
  secret?: boolean;
  /** How the value is shown in the log, when not as it is (a URL with its password masked). */
  shown?: string;
}

export interface StartConfig {
  profile: Setting<string | undefined>;
  host: Setting<string>;
  port: Setting<number>;
  dataDir: Setting<string | undefined>;
  saveIntervalMs: Setting<number>;
  demo: Setting<boolean>;
  replayDir: Setting<string | undefined>;
  speed: Setting<number | undefined>;
  token: Setting<string | undefined>;
  signApiKey: Setting<string | undefined>;
  streamer: Setting<string | undefined>;
  resume: Setting<boolean>;
  database: Setting<string | undefined>;
}

/** Each setting: the flag, else the environment variable, else the default. */
export function resolveStartConfig(flags: StartFlags, env: NodeJS.ProcessEnv): StartConfig {
  const pick = <T>(
    flag: string | undefined,
    name: string,
    /** `source` names the flag or variable, for messages. */
    parse: (text: string, source: string) => T,
    fallback: T,
    secret = false,
  ): Setting<T> => {
    // Every flag is named after its variable: LIVETALLY_SAVE_INTERVAL ↔ --save-interval.
    const flagName = `--${name
      .replace(/^LIVETALLY_/, '')
      .toLowerCase()
      .replace(/_/g, '-')}`;
    if (flag !== undefined) return { value: parse(flag, flagName), from: 'flag', secret };
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '')
      return { value: parse(fromEnv, name), from: 'env', secret };
    return { value: fallback, from: 'default', secret };
  };
  const text = (s: string) => s;
  const config: StartConfig = {
    profile: pick(flags.profile, 'LIVETALLY_PROFILE', text, undefined),
    host: pick(flags.host, 'LIVETALLY_HOST', text, '127.0.0.1'),
    port: pick(flags.port, 'LIVETALLY_PORT', parsePort, 8787),
    dataDir: pick(flags.dataDir, 'LIVETALLY_DATA_DIR', text, undefined),
    saveIntervalMs: pick(flags.saveInterval, 'LIVETALLY_SAVE_INTERVAL', parseSaveInterval, 1000),
    demo: flags.demo ? { value: true, from: 'flag' } : { value: false, from: 'default' },
    replayDir: pick(flags.replayDir, 'LIVETALLY_REPLAY_DIR', text, undefined),
    speed: pick(flags.speed, 'LIVETALLY_SPEED', parseSpeed, undefined),
    token: pick(flags.token, 'LIVETALLY_TOKEN', checkGivenToken, undefined, true),
    signApiKey: pick(flags.signApiKey, 'LIVETALLY_SIGN_API_KEY', text, undefined, true),
    streamer: pick(flags.streamer, 'LIVETALLY_STREAMER', normalizeStreamerHandle, undefined),
    resume:
      flags.resume === false ? { value: false, from: 'flag' } : { value: true, from: 'default' },
    database: pick(flags.database, 'LIVETALLY_DATABASE_URL', parseDatabaseUrl, undefined),
  };
  if (config.database.value !== undefined) {
    config.database.shown = maskDatabaseUrl(config.database.value);
    // In hosted mode what each profile watches is kept in the database and outlives every
    // process: nothing is resumed at start (it never stopped), so there is nothing to skip.
    if (!config.resume.value) {
      throw new LivetallyError(
        'invalid_start_connection',
        `--no-resume is for profiles kept in files; with ${config.database.from === 'flag' ? '--database' : 'LIVETALLY_DATABASE_URL'} every connection stays wanted until it is disconnected (DELETE /api/connection)`,
      );
    }
  }
  if (config.demo.value && config.streamer.value !== undefined) {
    throw new LivetallyError(
      'invalid_start_connection',
      `--demo and ${config.streamer.from === 'flag' ? '--streamer' : 'LIVETALLY_STREAMER'} both say whom to connect to at start: use one`,
    );
  }
  return config;
}

/** One line per setting, where it came from, secrets masked. */
export function describeConfig(config: StartConfig): string {
  return Object.entries(config)
    .filter(([, s]) => s.value !== undefined)
    .map(([key, s]: [string, Setting<unknown>]) => {
      const shown = s.shown ?? (s.secret ? mask(String(s.value)) : String(s.value));
      return `${key}=${shown} (${s.from})`;
    })
    .join(', ');
}

export function mask(secret: string): string {
  return secret ? '****' : '';
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LivetallyError('invalid_port', `port "${text}" must be a number from 0 to 65535`);
  }
  return port;
}

/** Replay speeds: 0 (as fast as possible), or from a hundredth to a thousand times real time. */
export const SPEED_RANGE = { min: 0.01, max: 1000 } as const;

export function parseSpeed(text: string, source = 'speed'): number {
  const speed = Number(text);
  const usage = `use 0 (as fast as possible) or ${SPEED_RANGE.min} to ${SPEED_RANGE.max} (1 = real time)`;
  if (text.trim() === '' || !Number.isFinite(speed)) {
    throw new LivetallyError('invalid_speed', `${source} "${text}" is not a number: ${usage}`);
  }
  if (speed !== 0 && (speed < SPEED_RANGE.min || speed > SPEED_RANGE.max)) {
    throw new LivetallyError('invalid_speed', `${source} "${text}" is out of range: ${usage}`);
  }
  return speed;
}
