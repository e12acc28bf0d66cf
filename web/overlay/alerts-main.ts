import { REALTIME } from '../../src/shared/api-types.js';
import { accessToken } from '../shared/api.js';
import { byId } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { connectRealtime, followedProfile } from '../shared/realtime.js';
import { AlertQueue } from './alert-queue.js';
import { setUpOverlayPage } from './overlay-page.js';
import { parseAlertOverlay } from './overlay-params.js';

// The alerts overlay for an OBS browser source: gifts (at their streak's end), follows and
// shares, one at a time, with a sound if chosen, on a transparent page.

const options = parseAlertOverlay(window.location.search);
const socket = connectRealtime(
  accessToken(window.location.search),
  followedProfile(window.location.search),
);
setUpOverlayPage(options, socket);

const stage = byId('alerts', HTMLElement);
stage.setAttribute('aria-label', t('overlay.alerts.label'));
const queue = new AlertQueue(stage, options);
socket.on(REALTIME.activity, (activity) => queue.push(activity));
socket.on(REALTIME.profile, () => queue.clear());
