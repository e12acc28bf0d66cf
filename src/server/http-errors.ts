import { LivetallyError } from '../domain/errors.js';
import type { ErrorBody } from '../shared/api-types.js';

/** HTTP status for each error code the app layer throws; anything else is a 500. */
const STATUS: Record<string, number> = {
  invalid_request: 400,
  invalid_json: 400,
  missing_body: 400,
  invalid_url: 400,
  invalid_content_length: 400,
  bad_request: 400,
  invalid_profile_name: 400,
  invalid_streamer: 400,
  invalid_duration: 400,
  invalid_goal: 400,
  invalid_date: 400,
  invalid_time_zone: 400,
  unauthorized: 401,
  forbidden_host: 403,
  forbidden_origin: 403,
  not_found: 404,
  profile_not_found: 404,
  session_not_found: 404,
  goal_not_found: 404,
  viewer_not_found: 404,
  unknown_streamer: 404,
  request_timeout: 408,
  profile_exists: 409,
  profile_active: 409,
  profile_counting: 409,
  already_connected: 409,
  not_connected: 409,
  no_goals: 409,
  newer_database: 409,
  needs_upgrade: 409,
  body_too_large: 413,
  path_too_long: 414,
  unsupported_media_type: 415,
  headers_too_large: 431,
  corrupt_database: 422,
  profile_path_taken: 409,
  no_source: 501,
  shutting_down: 503,
  storage_failing: 503,
  read_only: 503,
  permission_denied: 503,
  database_busy: 503,
  disk_error: 503,
  // Hosted mode (start --database): PostgreSQL away, or a profile taken over meanwhile.
  database_unreachable: 503,
  claim_lost: 503,
  disk_full: 507,
};

export class HttpError extends LivetallyError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

export function statusFor(error: LivetallyError): number {
  return error instanceof HttpError ? error.status : (STATUS[error.code] ?? 500);
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Fastify's own errors that a request can cause, in livetally's words. Fastify answers some
 * of them outside the error handler (a bad %-escape, an over-long path parameter), so they
 * are translated here for every path they take.
 */
export function fromFastifyError(
  code: string | undefined,
  options: { bodyLimit: number },
): HttpError | undefined {
  switch (code) {
    case 'FST_ERR_BAD_URL':
      return new HttpError(400, 'invalid_url', 'the address has a broken %-escape; check the URL');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HttpError(
        414,
        'path_too_long',
        'a name or id in the address is longer than 100 characters',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(
        413,
        'body_too_large',
        `request bodies are limited to ${options.bodyLimit} bytes`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(
        415,
        'unsupported_media_type',
        'send JSON (Content-Type: application/json)',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(
        400,
        'invalid_content_length',
        'the request body is not as long as its Content-Length header says',
      );
    case 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE':
      return new HttpError(400, 'invalid_request', 'this request needs a Content-Type header');
    default:
      return undefined;
  }
}

/**
 * What to answer when Node's HTTP parser cannot read a request at all (a malformed request
 * line, a null byte, headers too large, too slow): there is no request object to reply
 * through, so the whole response is written here.
 */
export function clientErrorResponse(errorCode: string | undefined): string {
  const [status, reason, code, message] =
    errorCode === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'request_timeout', 'the request took too long to arrive']
      : errorCode === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            'Request Header Fields Too Large',
            'headers_too_large',
            'the request headers are too large',
          ]
        : [400, 'Bad Request', 'bad_request', 'livetally could not read this HTTP request'];
  const body = JSON.stringify(errorBody(code, message));
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
