import { REALTIME } from '../../src/shared/api-types.js';
import { accessToken } from '../shared/api.js';
import { byId } from '../shared/dom.js';
import { connectRealtime } from '../shared/realtime.js';
import { AlertQueue } from './alert-queue.js';
import { setUpOverlayPage } from './overlay-page.js';
import { parseAlertOverlay } from './overlay-params.js';

// The alerts overlay for an OBS browser source: gifts (at their streak's end), follows and
// shares, one at a time, on a transparent page.

const options = parseAlertOverlay(window.location.search);
const socket = connectRealtime(accessToken(window.location.search));
setUpOverlayPage(options.theme, options.size, socket);

const queue = new AlertQueue(byId('alerts', HTMLElement), options);
socket.on(REALTIME.activity, (activity) => queue.push(activity));
socket.on(REALTIME.profile, () => queue.clear());
