import { REALTIME } from '../../src/shared/api-types.js';
import { accessToken } from '../shared/api.js';
import { counterText } from '../shared/counter-text.js';
import { byId, element, setText } from '../shared/dom.js';
import { connectRealtime, followedProfile } from '../shared/realtime.js';
import { statLabel, type StatName } from '../shared/stat-labels.js';
import { setUpOverlayPage } from './overlay-page.js';
import { parseCounterOverlay } from './overlay-params.js';

// The counters overlay for an OBS browser source: the counters named in the URL, on a
// transparent page, exactly as the latest `stats` says — including whose profile they are.

const PENDING = '–';
const options = parseCounterOverlay(window.location.search);
const socket = connectRealtime(
  accessToken(window.location.search),
  followedProfile(window.location.search),
);
setUpOverlayPage(options, socket);

interface Counter {
  /** What the viewers see. */
  shown: HTMLElement;
  /** The exact number, carrying `data-stat` (the same element unless `compact=1`). */
  exact: HTMLElement;
}

const root = byId('counters', HTMLElement);
root.dataset['layout'] = options.layout;
const counters = new Map<StatName, Counter>();
for (const name of options.stats) {
  const box = element('div', { className: 'counter' });
  box.dataset['counter'] = name;
  if (options.labels) box.append(element('span', { className: 'label', text: statLabel(name) }));
  const shown = element('span', { className: 'value', text: PENDING });
  let exact = shown;
  if (options.compact) {
    // The short form for the stream; the exact number stays in the page for any tool that
    // reads `data-stat` (DESIGN: its text is the number).
    exact = element('span', { className: 'exact', text: PENDING });
    const short = element('span', { className: 'short', attrs: { 'aria-hidden': 'true' } });
    shown.replaceChildren(short, exact);
  }
  exact.setAttribute('data-stat', name);
  box.append(shown);
  root.append(box);
  counters.set(name, { shown, exact });
}

function show(counter: Counter, value: number | null): void {
  const { text, reserveCh } =
    value === null ? { text: PENDING, reserveCh: 1 } : counterText(value, options.compact);
  if (options.compact) {
    setText(counter.shown.firstChild!, text);
    setText(counter.exact, value === null ? PENDING : counterText(value, false).text);
  } else {
    setText(counter.exact, text);
  }
  counter.shown.style.setProperty('--reserve', `${reserveCh}ch`);
}

socket.on(REALTIME.stats, (view) => {
  root.dataset['profile'] = view.profile;
  for (const [name, counter] of counters) show(counter, view.stats[name]);
});
socket.on(REALTIME.profile, (change) => {
  // The old profile's numbers go now, not when the new ones arrive.
  root.dataset['profile'] = change.active;
  for (const counter of counters.values()) show(counter, null);
});
