import type { OpenAPIV3 } from 'openapi-types';
import { PROFILE_LIVE_OPERATIONS } from './openapi-profiles-live.js';

/**
 * Completes the OpenAPI description generated from the route schemas with what the
 * schemas cannot say: how to present the token, a stable `operationId` per route, which
 * statuses each route really answers with and what they mean, and the content types of
 * the export. Routes not listed here still get an operationId and plain descriptions.
 */

interface OperationDoc {
  operationId: string;
  /** The statuses this route answers with (beyond those every route may), and why. */
  responses: Record<number, string>;
}

const OPERATIONS: Record<string, OperationDoc> = {
  'get /api/health': {
    operationId: 'getHealth',
    responses: { 200: 'livetally is running; its version' },
  },
  'get /api/stats': {
    operationId: 'getStats',
    responses: {
      200: 'The open profile, its connection, the six counters now, peak viewers, the broadcast, and what its file holds',
    },
  },
  'post /api/stats/reset': {
    operationId: 'resetStats',
    responses: { 200: 'The zeroed counters: in memory and in the file at once' },
  },
  'post /api/connection': {
    operationId: 'connect',
    responses: {
      200: 'The connection after its first outcome (connected, or a failure), or `connecting` if that takes more than 10 s; the `connection` event tells the rest',
      400: 'Not a TikTok handle (or not valid JSON)',
      404: 'Started with --replay-dir, and there is no recording for this streamer',
      409: 'Already connected: disconnect first',
      501: 'This livetally cannot connect to TikTok',
    },
  },
  'delete /api/connection': {
    operationId: 'disconnect',
    responses: {
      200: 'Disconnected: open combos closed, everything saved; the live counters read zero',
      409: 'Not connected',
    },
  },
  'get /api/profiles': {
    operationId: 'listProfiles',
    responses: { 200: 'Every profile and which one is open' },
  },
  'post /api/profiles': {
    operationId: 'createProfile',
    responses: {
      201: 'Created; every profile, the new one included',
      400: 'Not a valid profile name (1–64 letters, digits, ".", "_" or "-")',
      409: 'A profile of that name exists (names are unique without regard to case)',
    },
  },
  'post /api/profiles/{name}/activate': {
    operationId: 'activateProfile',
    responses: {
      200: "Switched in place: the new profile's stats",
      404: 'There is no such profile',
      409: 'The profile file is from a newer livetally, or needs an upgrade; or the profile counts a LIVE of its own (profile_counting): disconnect it first',
      422: 'The profile file is damaged; nothing was switched',
    },
  },
  'delete /api/profiles/{name}': {
    operationId: 'deleteProfile',
    responses: {
      204: 'Deleted, with its file',
      404: 'There is no such profile',
      409: 'The open profile cannot be deleted: switch to another first; nor one counting a LIVE of its own (profile_counting)',
    },
  },
  'get /api/leaderboard': {
    operationId: 'getLeaderboard',
    responses: {
      200: 'The top viewers of the window: the current (or last, or given) broadcast, today, this week, this month or all time',
      400: 'Unknown metric or window, a limit outside 1–100, or an unknown time zone',
      404: 'There is no such session',
    },
  },
  'get /api/summary': {
    operationId: 'getSummary',
    responses: {
      200: 'Totals per day, week (from Monday) or month in the time zone, the empty ones included',
      400: 'Unknown period or time zone, a date not written YYYY-MM-DD, "from" after "to", or too many buckets',
    },
  },
  'get /api/viewers/{userId}': {
    operationId: 'getViewer',
    responses: {
      200: "One viewer's all-time totals and the broadcasts they took part in",
      404: "No viewer with that id in this profile's history",
    },
  },
  'get /api/sessions/{id}/recap': {
    operationId: 'getSessionRecap',
    responses: {
      200: 'The broadcast against the previous one of the same streamer, with its top and first-time gifters',
      400: 'The id is not a whole number from 1',
      404: 'There is no such session',
    },
  },
  'get /api/sessions/{id}/gifts': {
    operationId: 'getSessionGifts',
    responses: {
      200: 'Items and coins per gift type in the broadcast, most coins first',
      400: 'The id is not a whole number from 1',
      404: 'There is no such session',
    },
  },
  'get /api/export/viewers': {
    operationId: 'exportViewers',
    responses: {
      200: "Every viewer's all-time totals as a file (attachment): CSV (UTF-8 with BOM, for Excel) or JSON",
      400: 'The format is not csv or json',
    },
  },
  'get /api/export/summary': {
    operationId: 'exportSummary',
    responses: {
      200: 'Totals per day, week or month as a file (attachment): CSV (UTF-8 with BOM, for Excel) or JSON',
      400: 'Unknown period or time zone, a bad date, or a format that is not csv or json',
    },
  },
  'get /api/goals': {
    operationId: 'listGoals',
    responses: { 200: "The active profile's goals, each with where it stands now" },
  },
  'post /api/goals': {
    operationId: 'createGoal',
    responses: { 201: 'Created: the goal and where it stands now' },
  },
  'patch /api/goals/{id}': {
    operationId: 'changeGoal',
    responses: {
      200: 'Changed (only the fields given): the goal and where it stands now',
      404: 'There is no such goal in the active profile',
    },
  },
  'delete /api/goals/{id}': {
    operationId: 'deleteGoal',
    responses: { 204: 'Deleted', 404: 'There is no such goal in the active profile' },
  },
  'post /api/test-alert': {
    operationId: 'sendTestAlert',
    responses: {
      200: 'Sent to the overlays, marked as a test; nothing is counted or saved',
      404: 'There is no such goal (kind goal with a goalId)',
      409: 'Kind goal, and the profile has no goal yet',
    },
  },
  'get /api/sessions': {
    operationId: 'listSessions',
    responses: { 200: 'Every broadcast of the open profile, newest first' },
  },
  'get /api/sessions/{id}': {
    operationId: 'getSession',
    responses: {
      200: 'The broadcast and its time series (10-second samples)',
      400: 'The id is not a whole number from 1',
      404: 'There is no such session',
    },
  },
  'get /api/sessions/{id}/export': {
    operationId: 'exportSession',
    responses: {
      200: 'The broadcast as a file (attachment): CSV is its time series, JSON everything including per-viewer totals',
      400: 'The id is not a whole number from 1, or the format is not csv or json',
      404: 'There is no such session',
    },
  },
  ...PROFILE_LIVE_OPERATIONS,
};

/** What every API route may answer, whatever it does. */
const ALWAYS: Record<number, string> = {
  401: 'The access token is missing or wrong (asked for only when livetally listens beyond this computer)',
  403: 'Refused: addressed to another host name (DNS rebinding), or a change from a foreign page (Origin)',
  500: 'Something went wrong inside livetally; its log says what',
};

/** What every route with a request body may answer. */
const WITH_BODY: Record<number, string> = {
  400: 'Invalid request: nothing was changed',
  413: 'The body is larger than 16 KiB',
  415: 'The body is not JSON (Content-Type: application/json)',
};

/** What every change may answer. */
const CHANGES: Record<number, string> = {
  503: 'livetally is stopping',
};

const GENERIC: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'Done; no content',
  400: 'Invalid request: nothing was changed',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'The body is larger than 16 KiB',
  ...ALWAYS,
};

const TOKEN_SCHEMES: Record<string, OpenAPIV3.SecuritySchemeObject> = {
  bearerToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'Authorization: Bearer TOKEN',
  },
  headerToken: { type: 'apiKey', in: 'header', name: 'X-Livetally-Token' },
  queryToken: {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description: '?token=TOKEN, for OBS browser sources and links',
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The generated description, completed (a copy: the generated one is left as it is). */
export function describeApi(generated: unknown): OpenAPIV3.Document {
  const doc = structuredClone(generated) as OpenAPIV3.Document;
  doc.info.description = [
    'The local HTTP API of livetally: stream statistics for TikTok LIVE.',
    'JSON under /api; every error is {"error": {"code", "message"}} with a 4xx/5xx status, and invalid input never changes stored data.',
    'On 127.0.0.1 (the default) no token is needed. When livetally listens beyond this computer (--host), every call needs the access token that `livetally start` prints (kept in the data directory; `livetally token` shows it), in any of the three ways below.',
    'Realtime events (socket.io on the same port) are described in docs/api.md.',
  ].join('\n\n');
  doc.components ??= {};
  doc.components.securitySchemes = { ...doc.components.securitySchemes, ...TOKEN_SCHEMES };
  // `{}` first: on loopback, no token at all.
  doc.security = [{}, { bearerToken: [] }, { headerToken: [] }, { queryToken: [] }];
  const errorSchema: OpenAPIV3.ReferenceObject = { $ref: '#/components/schemas/Error' };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      const known = OPERATIONS[`${method} ${path}`];
      operation.operationId = known?.operationId ?? operationIdOf(method, path);
      const statuses: Record<number, string> = known
        ? {
            ...ALWAYS,
            ...(operation.requestBody ? WITH_BODY : {}),
            ...(method === 'get' ? {} : CHANGES),
            ...known.responses,
          }
        : {};
      const responses: OpenAPIV3.ResponsesObject = {};
      const generatedResponses = operation.responses ?? {};
      const codes = known
        ? Object.keys(statuses)
        : Object.keys(generatedResponses).filter((code) => /^\d{3}$/.test(code));
      for (const code of codes) {
        const status = Number(code);
        const existing = generatedResponses[code] as OpenAPIV3.ResponseObject | undefined;
        const description =
          statuses[status] ??
          (existing?.description && existing.description !== 'Default Response'
            ? existing.description
            : (GENERIC[status] ?? 'See the error code'));
        const content =
          existing?.content ??
          (status >= 400 ? { 'application/json': { schema: errorSchema } } : undefined);
        responses[code] = { description, ...(content && status !== 204 ? { content } : {}) };
      }
      operation.responses = responses;
    }
  }
  describeExport(doc);
  return doc;
}

/** The exports are files, not JSON of a schema: CSV or JSON by `format` (docs/formats.md). */
const EXPORTS: { path: string; csv: string; json: string; file: string }[] = [
  {
    path: '/api/sessions/{id}/export',
    csv: 'format=csv: the time series, one row per 10-second sample (time,viewers,likes,total_coins,followers,shares,gifts), RFC 4180, UTF-8 with BOM',
    json: 'format=json: {session, series, viewers} (per-viewer totals included)',
    file: 'livetally-session-ID.csv (or .json)',
  },
  {
    path: '/api/export/viewers',
    csv: 'format=csv: one row per viewer, all-time totals, RFC 4180, UTF-8 with BOM',
    json: 'format=json: every viewer with all-time totals',
    file: 'livetally-viewers.csv (or .json)',
  },
  {
    path: '/api/export/summary',
    csv: 'format=csv: one row per day, week or month, RFC 4180, UTF-8 with BOM',
    json: 'format=json: the answer of GET /api/summary',
    file: 'livetally-days.csv (weeks, months; or .json)',
  },
];

function describeExport(doc: OpenAPIV3.Document): void {
  for (const file of EXPORTS) {
    const operation = doc.paths[file.path]?.get;
    const ok = operation?.responses['200'] as OpenAPIV3.ResponseObject | undefined;
    if (!operation || !ok) continue;
    ok.content = {
      'text/csv': { schema: { type: 'string', description: file.csv } },
      'application/json': { schema: { type: 'object', description: file.json } },
    };
    ok.headers = {
      'Content-Disposition': {
        description: `attachment; filename="${file.file}"`,
        schema: { type: 'string' },
      },
    };
  }
}

/** `get /api/sessions/{id}/export` → `getApiSessionsIdExport`. */
function operationIdOf(method: string, path: string): string {
  const words = path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return method + words.join('');
}
