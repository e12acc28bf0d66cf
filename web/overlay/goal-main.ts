import { REALTIME } from '../../src/shared/api-types.js';
import { accessToken } from '../shared/api.js';
import { connectRealtime, followedProfile } from '../shared/realtime.js';
import { playSound } from './play-sound.js';
import { GoalDisplay } from './goal-view.js';
import { setUpOverlayPage } from './overlay-page.js';
import { parseGoalOverlay } from './overlay-params.js';

// The goal overlay for an OBS browser source (`/overlay/goal?id=…`): one goal of the active
// profile, as the latest `goals` says. A goal this profile does not have shows nothing.

const options = parseGoalOverlay(window.location.search);
const socket = connectRealtime(
  accessToken(window.location.search),
  followedProfile(window.location.search),
);
setUpOverlayPage(options, socket);
const display = new GoalDisplay(options, playSound);

socket.on(REALTIME.goals, (push) => {
  const goal = push.goals.find((g) => g.id === options.id) ?? null;
  if (push.test) {
    if (goal) display.showTest(goal);
    return;
  }
  display.show(goal);
});
socket.on(REALTIME.profile, () => display.forget());
