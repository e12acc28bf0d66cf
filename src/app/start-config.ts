import { LivetallyError } from '../domain/errors.js';
import { parseDuration } from './duration.js';

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
}

type Origin = 'flag' | 'env' | 'default';

interface Setting<T> {
  value: T;
  from: Origin;
  secret?: boolean;
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
}

/** Each setting: the flag, else the environment variable, else the default. */
export function resolveStartConfig(flags: StartFlags, env: NodeJS.ProcessEnv): StartConfig {
  const pick = <T>(
    flag: string | undefined,
    name: string,
    parse: (text: string) => T,
    fallback: T,
    secret = false,
  ): Setting<T> => {
    if (flag !== undefined) return { value: parse(flag), from: 'flag', secret };
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '')
      return { value: parse(fromEnv), from: 'env', secret };
    return { value: fallback, from: 'default', secret };
  };
  const text = (s: string) => s;
  return {
    profile: pick(flags.profile, 'LIVETALLY_PROFILE', text, undefined),
    host: pick(flags.host, 'LIVETALLY_HOST', text, '127.0.0.1'),
    port: pick(flags.port, 'LIVETALLY_PORT', parsePort, 8787),
    dataDir: pick(flags.dataDir, 'LIVETALLY_DATA_DIR', text, undefined),
    saveIntervalMs: pick(
      flags.saveInterval,
      'LIVETALLY_SAVE_INTERVAL',
      (s) => parseDuration(s, 'save interval'),
      1000,
    ),
    demo: flags.demo ? { value: true, from: 'flag' } : { value: false, from: 'default' },
    replayDir: pick(flags.replayDir, 'LIVETALLY_REPLAY_DIR', text, undefined),
    speed: pick(flags.speed, 'LIVETALLY_SPEED', parseSpeed, undefined),
    token: pick(flags.token, 'LIVETALLY_TOKEN', text, undefined, true),
    signApiKey: pick(flags.signApiKey, 'LIVETALLY_SIGN_API_KEY', text, undefined, true),
  };
}

/** One line per setting, where it came from, secrets masked. */
export function describeConfig(config: StartConfig): string {
  return Object.entries(config)
    .filter(([, s]) => s.value !== undefined)
    .map(([key, s]: [string, Setting<unknown>]) => {
      const shown = s.secret ? mask(String(s.value)) : String(s.value);
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

export function parseSpeed(text: string): number {
  const speed = Number(text);
  if (text.trim() === '' || !Number.isFinite(speed) || speed < 0) {
    throw new LivetallyError(
      'invalid_speed',
      `speed "${text}" must be a number ≥ 0 (0 = as fast as possible, 1 = real time)`,
    );
  }
  return speed;
}
