import { timingSafeEqual, randomBytes } from 'node:crypto';
import os from 'node:os';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function generateToken(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Who may talk to the server. Any web page the streamer visits can reach 127.0.0.1, so:
 * requests must name this server in `Host` (no DNS rebinding), state changes and sockets
 * must not come from a foreign page (`Origin`), and off loopback every API call and socket
 * needs the token.
 */
export class AccessPolicy {
  private names: { port: number; hosts: Set<string> } | undefined;
  private readonly token: Buffer | null;

  /** `port` is read when needed: with port 0 the real one is only known after listening. */
  constructor(
    private readonly bindHost: string,
    private readonly port: () => number,
    token: string | null,
  ) {
    this.token = token ? Buffer.from(token) : null;
  }

  private get hosts(): Set<string> {
    const port = this.port();
    if (this.names?.port !== port) this.names = { port, hosts: serverNames(this.bindHost, port) };
    return this.names.hosts;
  }

  get requiresToken(): boolean {
    return this.token !== null;
  }

  /** `Host` names this server (with or without the port). */
  hostAllowed(host: string | undefined): boolean {
    return host !== undefined && this.hosts.has(host.toLowerCase());
  }

  /** A missing Origin (curl, OBS, same-origin GET) is fine; a foreign or opaque one is not. */
  originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    try {
      const url = new URL(origin);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
      return this.hosts.has(url.host.toLowerCase());
    } catch {
      return false; // "null" and anything unparsable
    }
  }

  tokenAllowed(presented: string | undefined): boolean {
    if (!this.token) return true;
    if (presented === undefined) return false;
    const given = Buffer.from(presented);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}

/** Reads a token from `Authorization: Bearer …`, `X-Livetally-Token` or `?token=`. */
export function presentedToken(
  headers: Record<string, string | string[] | undefined>,
  url: string | undefined,
): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = headers['x-livetally-token'];
  if (typeof header === 'string') return header;
  if (url) {
    const query = url.indexOf('?');
    if (query >= 0) {
      const value = new URLSearchParams(url.slice(query + 1)).get('token');
      if (value !== null) return value;
    }
  }
  return undefined;
}

function serverNames(bindHost: string, port: number): Set<string> {
  const names = new Set<string>(['127.0.0.1', 'localhost', '[::1]']);
  const wildcard = bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '[::]';
  if (!wildcard) names.add(bindHost.includes(':') ? `[${bindHost}]` : bindHost);
  if (wildcard) {
    const hostname = os.hostname().toLowerCase();
    names.add(hostname);
    names.add(`${hostname}.local`);
    for (const addresses of Object.values(os.networkInterfaces())) {
      for (const a of addresses ?? [])
        names.add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
    }
  }
  const withPorts = new Set<string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    withPorts.add(`${lower}:${port}`);
    if (port === 80) withPorts.add(lower);
  }
  return withPorts;
}
