import { REALTIME } from '../../src/shared/api-types.js';
import { accessToken } from '../shared/api.js';
import { byId, element, setText } from '../shared/dom.js';
import { formatCount } from '../shared/format.js';
import { connectRealtime } from '../shared/realtime.js';
import { STAT_LABELS, type StatName } from '../shared/stat-labels.js';
import { setUpOverlayPage } from './overlay-page.js';
import { parseCounterOverlay } from './overlay-params.js';

// The counters overlay for an OBS browser source: the counters named in the URL, on a
// transparent page, exactly as the latest `stats` says — including whose profile they are.

const PENDING = '–';
const options = parseCounterOverlay(window.location.search);
const socket = connectRealtime(accessToken(window.location.search));
setUpOverlayPage(options.theme, options.size, socket);

const root = byId('counters', HTMLElement);
root.dataset['layout'] = options.layout;
const values = new Map<StatName, HTMLElement>();
for (const name of options.stats) {
  const box = element('div', { className: 'counter' });
  const value = element('span', {
    className: 'value',
    text: PENDING,
    attrs: { 'data-stat': name },
  });
  if (options.labels) box.append(element('span', { className: 'label', text: STAT_LABELS[name] }));
  box.append(value);
  root.append(box);
  values.set(name, value);
}

socket.on(REALTIME.stats, (view) => {
  root.dataset['profile'] = view.profile;
  for (const [name, node] of values) setText(node, formatCount(view.stats[name]));
});
socket.on(REALTIME.profile, (change) => {
  // The old profile's numbers go now, not when the new ones arrive.
  root.dataset['profile'] = change.active;
  for (const node of values.values()) setText(node, PENDING);
});
