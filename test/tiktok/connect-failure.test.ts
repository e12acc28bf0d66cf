import { describe, expect, it } from 'vitest';
import {
  ConnectTimeoutError,
  ErrorReason,
  InvalidResponseCompositeError,
  InvalidResponseError,
  PremiumFeatureError,
  SignAPIError,
  SignatureRateLimitError,
  UserOfflineError,
} from 'tiktok-live-connector';
import {
  describeConnectFailure,
  isBrokenRateLimitError,
  type FailureContext,
} from '../../src/sources/tiktok/connect-failure.js';
import { redact } from '../../src/sources/tiktok/redact.js';

const context: FailureContext = {
  streamer: 'alice',
  signServerHost: 'api.eulerstream.com',
  signKeyGiven: true,
  signAnswer: undefined,
  secrets: ['KEY-123', 'SESSION-456'],
};

/** What tiktok-live-connector 2.4.0 throws on a 429: its own constructor fails. */
function libraryRateLimitTypeError(): unknown {
  try {
    new SignatureRateLimitError(
      'slow down please, you are limited',
      'Too many %s',
      undefined as never,
    );
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('connect failures, as a streamer reads them', () => {
  it('recognises the 2.4.0 TypeError of a 429 by where the library threw it', () => {
    const error = libraryRateLimitTypeError();
    expect(error).toBeInstanceOf(TypeError);
    expect(isBrokenRateLimitError(error)).toBe(true);
    expect(
      isBrokenRateLimitError(new TypeError("Cannot read properties of undefined (reading 'x')")),
    ).toBe(false);
    expect(describeConnectFailure(error, context)).toEqual({
      code: 'rate_limited',
      message: 'rate limited by the sign server',
      retry: true,
    });
  });

  it('takes retryAfter from the error (2.5 behaviour) or from the observed answer (2.4.0)', () => {
    const fixed = new SignatureRateLimitError('slow down please, you are limited', 'x %s', {
      headers: { 'retry-after': '42' },
    });
    expect(describeConnectFailure(fixed, context)).toMatchObject({ retryAfterMs: 42_000 });
    expect(
      describeConnectFailure(libraryRateLimitTypeError(), {
        ...context,
        signAnswer: { status: 429, retryAfterMs: 7000 },
      }),
    ).toMatchObject({ code: 'rate_limited', retryAfterMs: 7000 });
    // A short server message makes even 2.5's constructor crash (RangeError): the status decides.
    expect(
      describeConnectFailure(new RangeError('Invalid count value: -3'), {
        ...context,
        signAnswer: { status: 429 },
      }),
    ).toMatchObject({ code: 'rate_limited' });
  });

  it.each<[string, unknown, Partial<FailureContext>, string, boolean, RegExp]>([
    [
      'offline',
      new UserOfflineError('x'),
      {},
      'user_offline',
      false,
      /^@alice is not live right now$/,
    ],
    [
      '401 with a key',
      new SignAPIError(
        ErrorReason.SIGN_NOT_200,
        undefined,
        undefined,
        'Unexpected sign server status 401.',
      ),
      {},
      'sign_key_rejected',
      false,
      /^sign-server key rejected \(HTTP 401\)/,
    ],
    [
      '401 without a key',
      new SignAPIError(ErrorReason.SIGN_NOT_200, undefined, undefined, 'x'),
      { signKeyGiven: false, signAnswer: { status: 401 } },
      'sign_key_missing',
      false,
      /www\.eulerstream\.com/,
    ],
    [
      'premium',
      new PremiumFeatureError('This endpoint requires a paid plan, sorry', 'x'),
      {},
      'sign_plan_required',
      false,
      /paid Euler Stream plan/,
    ],
    [
      'sign server down',
      new SignAPIError(ErrorReason.CONNECT_ERROR, undefined, undefined, 'Failed to connect'),
      {},
      'sign_server_unreachable',
      true,
      /^cannot reach the sign server api\.eulerstream\.com$/,
    ],
    [
      'sign server 503',
      new SignAPIError(
        ErrorReason.SIGN_NOT_200,
        undefined,
        undefined,
        'Unexpected sign server status 503.',
      ),
      {},
      'sign_server_error',
      true,
      /HTTP 503/,
    ],
    [
      'no cookies',
      new SignAPIError(ErrorReason.EMPTY_COOKIES, undefined, undefined, 'No cookies'),
      { signAnswer: { status: 200 } },
      'sign_server_bad_response',
      true,
      /unusable answer/,
    ],
    [
      'no cursor',
      new InvalidResponseError({ routeId: 'fetchSignedWebSocketFromEulerRoute' }, 'Missing cursor'),
      {},
      'sign_server_bad_response',
      true,
      /unusable answer/,
    ],
    [
      'room lookup failed',
      new InvalidResponseCompositeError({ routeId: 'fetchRoomIdRoute' }, 'all failed'),
      {},
      'streamer_not_found',
      false,
      /check the handle/,
    ],
    [
      'every room lookup failed on the network (offline)',
      new InvalidResponseCompositeError(
        {
          routeId: 'fetchRoomIdRoute',
          requestErrs: [
            Object.assign(new Error('getaddrinfo ENOTFOUND www.tiktok.com'), { code: 'ENOTFOUND' }),
            Object.assign(new Error('getaddrinfo ENOTFOUND www.tiktok.com'), { code: 'ENOTFOUND' }),
            Object.assign(new Error('getaddrinfo ENOTFOUND api.eulerstream.com'), {
              code: 'ENOTFOUND',
            }),
          ],
        },
        'Failed to retrieve Room ID from all sources.',
      ),
      {},
      'tiktok_unreachable',
      true,
      /^cannot reach TikTok \(ENOTFOUND\): check the internet connection$/,
    ],
    [
      'room lookups failed, one of them with an answer',
      new InvalidResponseCompositeError(
        {
          routeId: 'fetchRoomIdRoute',
          requestErrs: [
            Object.assign(new Error('x'), { code: 'ECONNRESET' }),
            new InvalidResponseError({ routeId: 'fetchRoomIdRoute' }, 'no room id'),
          ],
        },
        'Failed to retrieve Room ID from all sources.',
      ),
      {},
      'streamer_not_found',
      false,
      /check the handle/,
    ],
    [
      'websocket timeout',
      new ConnectTimeoutError('x'),
      {},
      'websocket_timeout',
      true,
      /did not open in time/,
    ],
    [
      'network',
      Object.assign(new Error('x'), { code: 'EAI_AGAIN' }),
      {},
      'tiktok_unreachable',
      true,
      /\(EAI_AGAIN\)/,
    ],
    [
      'TikTok HTTP error',
      Object.assign(new Error('x'), {
        code: 'ERR_NON_2XX_3XX_RESPONSE',
        response: { statusCode: 403 },
      }),
      {},
      'tiktok_error',
      true,
      /^TikTok answered HTTP 403$/,
    ],
    [
      'anything else',
      new Error('weird KEY-123 SESSION-456\n  at somewhere'),
      {},
      'connect_failed',
      true,
      /^could not connect to @alice's LIVE: weird \[secret\] \[secret\] at somewhere$/,
    ],
  ])('%s', (_name, error, extra, code, retry, message) => {
    const failure = describeConnectFailure(error, { ...context, ...extra });
    expect(failure.code).toBe(code);
    expect(failure.retry).toBe(retry);
    expect(failure.message).toMatch(message);
    expect(failure.message).not.toMatch(/KEY-123|SESSION-456/);
  });

  it('redacts every secret, keeps one line, and bounds the length', () => {
    expect(redact('a KEY b\n\tKEY c', ['KEY', undefined, ''])).toBe('a [secret] b [secret] c');
    expect(redact('x'.repeat(500), [], 50)).toHaveLength(50);
  });
});
