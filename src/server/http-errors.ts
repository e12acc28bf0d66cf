import { LivetallyError } from '../domain/errors.js';
import type { ErrorBody } from '../shared/api-types.js';

/** HTTP status for each error code the app layer throws; anything else is a 500. */
const STATUS: Record<string, number> = {
  invalid_request: 400,
  invalid_json: 400,
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
  profile_exists: 409,
  profile_active: 409,
  already_connected: 409,
  not_connected: 409,
  no_goals: 409,
  newer_database: 409,
  needs_upgrade: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  corrupt_database: 422,
  profile_path_taken: 409,
  no_source: 501,
  shutting_down: 503,
  storage_failing: 503,
  read_only: 503,
  permission_denied: 503,
  database_busy: 503,
  disk_error: 503,
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
