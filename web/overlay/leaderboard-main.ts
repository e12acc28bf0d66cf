import { REALTIME, type LeaderboardResponse } from '../../src/shared/api-types.js';
import { accessToken, createApi } from '../shared/api.js';
import { connectRealtime } from '../shared/realtime.js';
import { LeaderboardDisplay } from './leaderboard-view.js';
import { setUpOverlayPage } from './overlay-page.js';
import { parseLeaderboardOverlay } from './overlay-params.js';

// The leaderboard overlay for an OBS browser source: the top viewers by one metric over a
// window (this LIVE, today, this week, this month, everything), exactly as
// /api/leaderboard answers. Fetched again when the stats change — at most every two
// seconds, never while nothing happens.

const REFRESH_MS = 2000;

const options = parseLeaderboardOverlay(window.location.search);
const token = accessToken(window.location.search);
const api = createApi(token);
const socket = connectRealtime(token);
setUpOverlayPage(options, socket);
const display = new LeaderboardDisplay(options);
const query = new URLSearchParams({
  metric: options.metric,
  window: options.window,
  limit: String(options.limit),
});

let timer: number | undefined;
let lastFetch = 0;
let inFlight = false;
let dirty = false;
/** Grows with every profile switch: an answer about the profile before must not show. */
let generation = 0;

function refreshSoon(): void {
  dirty = true;
  if (timer !== undefined || inFlight) return;
  timer = window.setTimeout(
    () => {
      timer = undefined;
      void refresh();
    },
    Math.max(0, lastFetch + REFRESH_MS - Date.now()),
  );
}

async function refresh(): Promise<void> {
  dirty = false;
  inFlight = true;
  lastFetch = Date.now();
  const asked = generation;
  try {
    const board = await api.get<LeaderboardResponse>(`/api/leaderboard?${query.toString()}`);
    if (asked === generation) display.show(board.viewers);
  } catch {
    dirty = true; // shown once livetally answers again
    document.documentElement.dataset['state'] = 'error';
  } finally {
    inFlight = false;
    if (dirty) refreshSoon();
  }
}

socket.on('connect', () => refreshSoon());
socket.on(REALTIME.stats, () => refreshSoon());
socket.on(REALTIME.profile, () => {
  generation++;
  display.clear();
  refreshSoon();
});
