import {
  ConnectTimeoutError,
  ErrorReason,
  InvalidResponseCompositeError,
  InvalidResponseError,
  InvalidUniqueIdError,
  PremiumFeatureError,
  SignAPIError,
  SignatureRateLimitError,
  UserOfflineError,
} from 'tiktok-live-connector';
import { asFields, readInt, readString } from './payload-fields.js';
import { redact } from './redact.js';
import type { SignServerAnswer } from './sign-server.js';

/** A failed connect attempt, in words a streamer can act on. */
export interface ConnectFailure {
  /** Stable machine-readable code (`user_offline`, `rate_limited`, …). */
  code: string;
  /** No secrets, no stack trace: what happened and what to do. */
  message: string;
  /** Worth another attempt after a pause; otherwise the source gives up. */
  retry: boolean;
  /** The server said how long to wait. */
  retryAfterMs?: number;
}

export interface FailureContext {
  streamer: string;
  signServerHost: string;
  signKeyGiven: boolean;
  /** What the sign server answered during this attempt, if it was asked. */
  signAnswer: SignServerAnswer | undefined;
  secrets: readonly (string | undefined)[];
}

/** Where the flags and variables of the key are named for the streamer. */
const KEY_HINT = '--sign-api-key or LIVETALLY_SIGN_API_KEY';
const ROUTE_OF_CURSOR = 'fetchSignedWebSocketFromEulerRoute';

/** Turns whatever `connect()` threw into a failure livetally can show and act on. */
export function describeConnectFailure(error: unknown, context: FailureContext): ConnectFailure {
  const { streamer, signServerHost: host, signAnswer } = context;
  const status = signAnswer?.status ?? signStatusFromMessage(error);

  if (isRateLimit(error, status)) {
    const fromError =
      error instanceof SignatureRateLimitError && error.retryAfter > 0
        ? error.retryAfter
        : undefined;
    const retryAfterMs = fromError ?? signAnswer?.retryAfterMs;
    return {
      code: 'rate_limited',
      message: 'rate limited by the sign server',
      retry: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status === 401 || status === 403) {
    return context.signKeyGiven
      ? {
          code: 'sign_key_rejected',
          message: `sign-server key rejected (HTTP ${status}): check the Euler Stream API key given with ${KEY_HINT}`,
          retry: false,
        }
      : {
          code: 'sign_key_missing',
          message: `the sign server ${host} wants an API key (HTTP ${status}): get one at https://www.eulerstream.com and give it with ${KEY_HINT}`,
          retry: false,
        };
  }
  if (error instanceof PremiumFeatureError || status === 402) {
    return {
      code: 'sign_plan_required',
      message: `the sign server ${host} refused: this needs a paid Euler Stream plan (HTTP 402)`,
      retry: false,
    };
  }
  if (error instanceof UserOfflineError) {
    return { code: 'user_offline', message: `@${streamer} is not live right now`, retry: false };
  }
  if (error instanceof InvalidUniqueIdError) {
    return {
      code: 'invalid_streamer',
      message: `"${streamer}" is not a TikTok handle`,
      retry: false,
    };
  }
  if (error instanceof InvalidResponseError && error.config.routeId === ROUTE_OF_CURSOR) {
    return badSignAnswer(host);
  }
  // Every way of looking the room up failed on the network: TikTok is out of reach (offline,
  // DNS down), which says nothing about the handle.
  const unreachable = error instanceof InvalidResponseCompositeError && lookupsNetworkCode(error);
  if (unreachable) return tiktokUnreachable(unreachable);
  if (error instanceof InvalidResponseCompositeError || error instanceof InvalidResponseError) {
    return {
      code: 'streamer_not_found',
      message: `could not find a LIVE of @${streamer} on TikTok: check the handle (TikTok may also be blocking lookups from this network)`,
      retry: false,
    };
  }
  if (error instanceof SignAPIError) {
    if (error.reason === ErrorReason.CONNECT_ERROR) {
      return {
        code: 'sign_server_unreachable',
        message: `cannot reach the sign server ${host}`,
        retry: true,
      };
    }
    if (status !== undefined && status >= 500) {
      return {
        code: 'sign_server_error',
        message: `the sign server ${host} failed (HTTP ${status})`,
        retry: true,
      };
    }
    return badSignAnswer(host);
  }
  if (error instanceof ConnectTimeoutError) {
    return {
      code: 'websocket_timeout',
      message: "TikTok's live connection did not open in time",
      retry: true,
    };
  }
  const httpStatus = readInt(asFields(asFields(error)?.['response'])?.['statusCode']);
  if (httpStatus !== undefined) {
    return { code: 'tiktok_error', message: `TikTok answered HTTP ${httpStatus}`, retry: true };
  }
  const network = networkCode(error);
  if (network) return tiktokUnreachable(network);
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: 'connect_failed',
    message: `could not connect to @${streamer}'s LIVE: ${redact(detail, context.secrets)}`,
    retry: true,
  };
}

function tiktokUnreachable(network: string): ConnectFailure {
  return {
    code: 'tiktok_unreachable',
    message: `cannot reach TikTok (${network}): check the internet connection`,
    retry: true,
  };
}

/** The network code shared by every failed lookup of a composite error, if they all had one. */
function lookupsNetworkCode(error: InvalidResponseCompositeError): string | undefined {
  const failures = error.config.requestErrs ?? [];
  if (failures.length === 0) return undefined;
  const codes = failures.map(networkCode);
  if (codes.some((code) => code === undefined)) return undefined;
  return codes[0];
}

function badSignAnswer(host: string): ConnectFailure {
  return {
    code: 'sign_server_bad_response',
    message: `the sign server ${host} sent an unusable answer`,
    retry: true,
  };
}

function isRateLimit(error: unknown, status: number | undefined): boolean {
  return (
    status === 429 ||
    error instanceof SignatureRateLimitError ||
    (error instanceof SignAPIError && error.reason === ErrorReason.RATE_LIMIT) ||
    isBrokenRateLimitError(error)
  );
}

/**
 * tiktok-live-connector 2.4.0 builds its SignatureRateLimitError from the response body
 * instead of the response, and crashes reading the headers: a 429 surfaces as a TypeError
 * thrown inside that class. Recognised by where it was thrown, for when the sign server's
 * answer was not observed.
 */
export function isBrokenRateLimitError(error: unknown): boolean {
  return (
    (error instanceof TypeError || error instanceof RangeError) &&
    /\bSignatureRateLimitError\b/.test(error.stack ?? '')
  );
}

/** The library puts the status of an unexpected sign-server answer in its message only. */
function signStatusFromMessage(error: unknown): number | undefined {
  if (!(error instanceof SignAPIError)) return undefined;
  const match = /sign server status (\d{3})/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

// Socket errors (ECONNREFUSED, EAI_AGAIN…), not got's own ERR_* codes.
const NETWORK_CODE = /^E(?!RR_)[A-Z_]+$/;

/** ENOTFOUND, ECONNREFUSED, ETIMEDOUT…: from got, ws or the sockets below them. */
function networkCode(error: unknown): string | undefined {
  const code = readString(asFields(error)?.['code']);
  return code && NETWORK_CODE.test(code) ? code : undefined;
}
