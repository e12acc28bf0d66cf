import { REALTIME, type ProfilesResponse } from '../../../src/shared/api-types.js';
import { accessToken, ApiError, createApi } from '../../shared/api.js';
import { byId, element, setText } from '../../shared/dom.js';
import { connectRealtime } from '../../shared/realtime.js';
import { setUpTheme } from '../../shared/theme.js';
import { renderBroadcast } from './broadcast-view.js';
import { dashboardHref, historyHref } from './links.js';
import { renderOverview } from './overview-view.js';
import { renderViewer } from './viewer-view.js';
import { WORDS } from './words.js';

// The History page (/history): the overview, one broadcast (#/broadcast/ID) or one viewer
// (#/viewer/ID), chosen by the address's hash so that every view can be linked to, and
// the browser's back button works. Data comes from the HTTP API; the realtime channel only
// says when the profile changed, so nothing of another profile stays on screen.

const token = accessToken(window.location.search);
const api = createApi(token);
setUpTheme(byId('theme', HTMLSelectElement));
document.title = WORDS.pageTitle;

const main = byId('history-main', HTMLElement);
const profileName = byId('active-profile', HTMLElement);
const navDashboard = byId('nav-dashboard', HTMLAnchorElement);
const navHistory = byId('nav-history', HTMLAnchorElement);
navDashboard.href = dashboardHref();
navHistory.href = historyHref();
// The page's own words come from the table too (the HTML holds them for a first paint).
setText(navDashboard, WORDS.nav.dashboard);
setText(navHistory, WORDS.nav.history);

let cleanup: () => void = () => undefined;
let generation = 0;

async function show(): Promise<void> {
  const mine = ++generation;
  cleanup();
  cleanup = () => undefined;
  main.setAttribute('aria-busy', 'true');
  const route = window.location.hash.replace(/^#\/?/, '').split('/');
  try {
    void refreshProfile();
    let done: () => void;
    const target = element('div', { className: 'view' });
    if (route[0] === 'broadcast' && /^\d+$/.test(route[1] ?? '')) {
      done = await renderBroadcast(api, target, Number(route[1]));
    } else if (route[0] === 'viewer' && route[1]) {
      done = await renderViewer(api, target, decodeURIComponent(route[1]));
    } else {
      done = await renderOverview(api, target);
    }
    if (mine !== generation) return done();
    main.replaceChildren(...target.childNodes);
    cleanup = done;
    // A new view starts at its top, and reading starts at its title, as on a page load.
    window.scrollTo(0, 0);
    const title = main.querySelector<HTMLElement>('.page-title');
    if (title && document.activeElement !== document.body) {
      title.tabIndex = -1;
      title.focus({ preventScroll: true });
    }
  } catch (error) {
    if (mine !== generation) return;
    main.replaceChildren(problem(error, route[0]));
  } finally {
    if (mine === generation) main.removeAttribute('aria-busy');
  }
}

function problem(error: unknown, route: string | undefined): HTMLElement {
  const box = element('div', { className: 'panel problem', attrs: { role: 'alert' } });
  if (error instanceof ApiError && error.status === 404) {
    box.append(
      element('p', {
        text: route === 'viewer' ? WORDS.viewer.notFound : WORDS.broadcast.notFound,
      }),
    );
    box.append(element('a', { text: `← ${WORDS.broadcast.back}`, attrs: { href: historyHref() } }));
    return box;
  }
  box.append(
    element('p', {
      text: error instanceof ApiError && error.status !== 0 ? error.message : WORDS.unreachable,
    }),
  );
  const again = element('button', {
    className: 'button',
    text: WORDS.retry,
    attrs: { type: 'button' },
  });
  again.addEventListener('click', () => void show());
  box.append(again);
  return box;
}

async function refreshProfile(): Promise<void> {
  try {
    const profiles = await api.get<ProfilesResponse>('/api/profiles');
    setText(profileName, profiles.active);
  } catch {
    // The view says what is wrong.
  }
}

window.addEventListener('hashchange', () => void show());
const socket = connectRealtime(token);
// Another profile: everything shown belongs to the old one.
socket.on(REALTIME.profile, () => {
  if (window.location.hash === '#/' || window.location.hash === '') void show();
  else window.location.hash = '#/';
});
void show();
