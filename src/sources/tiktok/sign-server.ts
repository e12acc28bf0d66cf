import EulerStreamApiClient from 'tiktok-live-api-sdk';
import { VERSION } from 'tiktok-live-connector';
import { asFields, readString } from './payload-fields.js';

/** Euler Stream's sign server, tiktok-live-connector's default. */
export const DEFAULT_SIGN_SERVER_URL = 'https://api.eulerstream.com';

/** What the sign server answered to the latest "connect" request. */
export interface SignServerAnswer {
  status: number;
  /** From `retry-after` (or `x-ratelimit-reset`), when the answer carried one. */
  retryAfterMs?: number;
}

export interface SignServerOptions {
  baseUrl?: string;
  apiKey?: string;
  now: () => number;
}

/**
 * A sign-server client of our own for each source. The library's default client is a
 * process-wide singleton that keeps the first API key it saw; ours also records the status
 * and rate-limit headers of each "connect" answer, because tiktok-live-connector 2.4.0
 * loses them: a 429 surfaces as a TypeError, without `retryAfter`.
 */
export class SignServer {
  readonly api: EulerStreamApiClient;
  readonly host: string;
  readonly hasKey: boolean;
  private answer: SignServerAnswer | undefined;

  constructor(private readonly options: SignServerOptions) {
    const baseUrl = options.baseUrl ?? DEFAULT_SIGN_SERVER_URL;
    this.host = new URL(baseUrl).host;
    this.hasKey = Boolean(options.apiKey);
    this.api = new EulerStreamApiClient({
      basePath: baseUrl,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      baseOptions: {
        // As the library's own client: identify the client, and let every status through
        // so that the library (not axios) decides what an error is.
        headers: { 'User-Agent': `tiktok-live-connector/${VERSION} ${process.platform}` },
        validateStatus: () => true,
      },
    });
    const rooms = this.api.rooms;
    const fetchWebcastURL = rooms.fetchWebcastURL.bind(rooms);
    rooms.fetchWebcastURL = async (...args: Parameters<typeof fetchWebcastURL>) => {
      const response = await fetchWebcastURL(...args);
      this.answer = this.readAnswer(response.status, response.headers);
      return response;
    };
  }

  /** The answer to the latest connect request since `forget()`, if one came. */
  get lastAnswer(): SignServerAnswer | undefined {
    return this.answer;
  }

  forget(): void {
    this.answer = undefined;
  }

  private readAnswer(status: number, headers: unknown): SignServerAnswer {
    const fields = asFields(headers);
    const retryAfterMs =
      parseRetryAfter(readString(fields?.['retry-after']), this.options.now()) ??
      parseResetTime(readString(fields?.['x-ratelimit-reset']), this.options.now());
    return retryAfterMs === undefined ? { status } : { status, retryAfterMs };
  }
}

/** `retry-after`: delay in seconds, or an HTTP date. */
function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `x-ratelimit-reset`: when the limit resets, in seconds since 1970. */
function parseResetTime(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value.trim())) return undefined;
  const delay = Number(value.trim()) * 1000 - now;
  return delay > 0 ? delay : undefined;
}
