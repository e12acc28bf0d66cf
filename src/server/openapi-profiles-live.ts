/**
 * OpenAPI operations of the routes for several LIVEs at once (routes-profiles-live.ts), in
 * the shape of `OPERATIONS` in openapi.ts.
 */
export const PROFILE_LIVE_OPERATIONS: Record<
  string,
  { operationId: string; responses: Record<number, string> }
> = {
  'get /api/profiles/roster': {
    operationId: 'getRoster',
    responses: {
      200: "Every profile: whether it is the active one, its connection, the six counters as its page shows them, and the coins of the LIVEs that started today (in `tz`, default the server's zone)",
      400: 'Not an IANA time zone',
    },
  },
  'get /api/profiles/{name}/stats': {
    operationId: 'getProfileStats',
    responses: {
      200: 'As GET /api/stats, for this profile (for the active profile: the same answer)',
      400: 'Not a valid profile name',
      404: 'There is no such profile',
    },
  },
  'post /api/profiles/{name}/stats/reset': {
    operationId: 'resetProfileStats',
    responses: {
      200: "The profile's zeroed counters: in memory and in its file at once",
      400: 'Not a valid profile name',
      404: 'There is no such profile',
      409: 'The profile is being made the active profile at this moment',
    },
  },
  'post /api/profiles/{name}/connection': {
    operationId: 'connectProfile',
    responses: {
      200: 'As POST /api/connection, for this profile; the other profiles keep counting',
      400: 'Not a valid profile name, or not a TikTok handle',
      404: 'There is no such profile, or (with --replay-dir) no recording for this streamer',
      409: 'This profile is already connected: disconnect it first',
      501: 'This livetally cannot connect to TikTok',
    },
  },
  'delete /api/profiles/{name}/connection': {
    operationId: 'disconnectProfile',
    responses: {
      200: 'Disconnected: open combos closed, everything saved, the file let go',
      400: 'Not a valid profile name',
      404: 'There is no such profile',
      409: 'This profile is not connected',
    },
  },
  'get /api/profiles/{name}/leaderboard': {
    operationId: 'getProfileLeaderboard',
    responses: {
      200: 'As GET /api/leaderboard, for this profile',
      400: 'Not a valid profile name, metric, window, limit or time zone',
      404: 'There is no such profile',
    },
  },
};
