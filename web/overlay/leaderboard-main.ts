import { REALTIME, type LeaderboardResponse } from '../../src/shared/api-types.js';
import { accessToken, createApi } from '../shared/api.js';
import { connectRealtime, followedProfile, profilePath } from '../shared/realtime.js';
import { RefreshSchedule } from '../shared/refresh-schedule.js';
import { LeaderboardDisplay } from './leaderboard-view.js';
import { setUpOverlayPage } from './overlay-page.js';
import { parseLeaderboardOverlay } from './overlay-params.js';

// The leaderboard overlay for an OBS browser source: the top viewers by one metric over a
// window (this LIVE, today, this week, this month, everything), exactly as
// /api/leaderboard answers. Fetched again when the stats change — at most every two
// seconds, once more when they have settled, never while nothing happens.

const options = parseLeaderboardOverlay(window.location.search);
const token = accessToken(window.location.search);
const api = createApi(token);
const profile = followedProfile(window.location.search);
const socket = connectRealtime(token, profile);
setUpOverlayPage(options, socket);
const display = new LeaderboardDisplay(options);
const query = new URLSearchParams({
  metric: options.metric,
  window: options.window,
  limit: String(options.limit),
});

/** Grows with every profile switch: an answer about the profile before must not show. */
let generation = 0;
const schedule = new RefreshSchedule(async () => {
  const asked = generation;
  try {
    const board = await api.get<LeaderboardResponse>(
      `${profilePath(profile, 'leaderboard')}?${query.toString()}`,
    );
    if (asked === generation) display.show(board.viewers);
    return true;
  } catch {
    document.documentElement.dataset['state'] = 'error';
    return false; // shown once livetally answers again
  }
});

socket.on('connect', () => schedule.changed());
socket.on(REALTIME.stats, () => schedule.changed());
socket.on(REALTIME.profile, () => {
  generation++;
  display.clear();
  schedule.changed();
});
