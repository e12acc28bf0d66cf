import type { ErrorBody } from '../../src/shared/api-types.js';
import { t } from './i18n.js';

/** A failed API call, with the server's message meant for the streamer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T | null>;
}

/**
 * The page's access token: off loopback livetally prints its address with `?token=`, and
 * every API call and socket must present it.
 */
export function accessToken(search: string): string | null {
  const token = new URLSearchParams(search).get('token');
  return token ? token : null;
}

/** JSON calls to livetally's own API; errors become ApiError with the server's message. */
export function createApi(token: string | null): Api {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    const headers: Record<string, string> = {};
    // A header rather than the query string keeps the token out of any request log.
    if (token) headers['x-livetally-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'unreachable', t('api.unreachable'));
    }
    if (response.status === 204) return null;
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const error = isErrorBody(parsed) ? parsed.error : null;
      throw new ApiError(
        response.status,
        error?.code ?? 'http_error',
        error?.message ?? t('api.status', { status: response.status }),
      );
    }
    return parsed as T;
  }
  return {
    get: async <T>(path: string) => (await call<T>('GET', path)) as T,
    // An empty JSON object: Fastify refuses a JSON content type with an empty body.
    post: async <T>(path: string, body: unknown = {}) => (await call<T>('POST', path, body)) as T,
    patch: async <T>(path: string, body: unknown) => (await call<T>('PATCH', path, body)) as T,
    delete: <T>(path: string) => call<T>('DELETE', path),
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
