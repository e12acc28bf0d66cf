import {
  REALTIME,
  type StatsResponse,
  type StatsValues,
  type StatsView,
  type StorageView,
} from '../../src/shared/api-types.js';
import { accessToken, ApiError, createApi } from '../shared/api.js';
import { byId, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { applyLang, dashboardLang, translatePage } from '../shared/page-language.js';
import { connectRealtime, followedProfile } from '../shared/realtime.js';
import { setUpTheme } from '../shared/theme.js';
import { ActivityFeed } from './activity-feed.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ConnectionPanel } from './connection-panel.js';
import { GoalsPanel } from './goals-panel.js';
import { setUpLanguageSwitch } from './language-switch.js';
import { HistoryPanel } from './history/dashboard-panel.js';
import { historyHref } from './history/links.js';
import { Leaderboard } from './leaderboard.js';
import { OverlayBuilder } from './overlay-builder.js';
import { ProfilesPanel } from './profiles-panel.js';
import { profileApi } from './profile-view.js';
import { RosterPanel } from './roster-panel.js';
import { SavedNote } from './saved-note.js';
import { StatTiles } from './stat-tiles.js';
import { TestAlertButtons } from './test-alert-buttons.js';

// The dashboard: composes the panels and feeds them from the realtime channel. Everything
// the page shows comes from `stats`, `connection`, `profile` and `activity`; HTTP answers
// only fill in what has not arrived yet.

// The words first: every panel below writes in the page's language.
applyLang(dashboardLang());
translatePage();
setUpLanguageSwitch(byId('lang', HTMLSelectElement));

const token = accessToken(window.location.search);
/** `/?profile=NAME`: this page shows that profile, counting beside the active one. */
const viewed = followedProfile(window.location.search);
const activeApi = createApi(token);
const api = viewed ? profileApi(activeApi, viewed) : activeApi;
if (viewed) showProfileView(viewed);
setUpTheme(byId('theme', HTMLSelectElement));

const banner = byId('banner', HTMLElement);
const statsPanel = byId('stats-panel', HTMLElement);
const statsError = byId('stats-error', HTMLElement);
const storageError = byId('storage-error', HTMLElement);
const tiles = new StatTiles(
  statsPanel,
  byId('peak-viewers', HTMLElement),
  byId('running-time', HTMLTimeElement),
);
const confirm = new ConfirmDialog();
const savedNote = new SavedNote(api, byId('saved-note', HTMLElement));
const leaderboard = new Leaderboard(
  api,
  byId('leaderboard-rows', HTMLTableSectionElement),
  byId('leaderboard-empty', HTMLElement),
);
const feed = new ActivityFeed(
  byId('activity-feed', HTMLOListElement),
  byId('activity-empty', HTMLElement),
);
let lastView: StatsView | null = null;
/** Counts `stats` pushes, so an HTTP answer older than the latest push is not shown. */
let pushes = 0;

const connection = new ConnectionPanel(api, (view) => {
  if (view.state === 'disconnected') void savedNote.refresh();
  else savedNote.hide();
});
const profiles = new ProfilesPanel({
  api,
  confirm,
  liveStreamer: () =>
    lastView && lastView.connection.state !== 'disconnected' ? lastView.connection.streamer : null,
  beginSwitch: () => {
    connection.expectDisconnect();
    const before = pushes;
    return (view) => showIfCurrent(before, view);
  },
});
const builder = new OverlayBuilder(token);
const goals = new GoalsPanel(
  api,
  confirm,
  (list) => builder.setGoals(list),
  (id) => builder.showGoal(id),
);
new TestAlertButtons(api, () => builder.testGiftCoins());

function showStats(view: StatsView): void {
  // Another profile, whether or not its `profile` message came first (a switch's own answer,
  // or livetally restarted with another profile while this page was away).
  if (lastView && lastView.profile !== view.profile) forgetProfile();
  lastView = view;
  tiles.render(view);
  // A page about another profile names it; the profiles panel (hidden there) is the active's.
  if (viewed) setText(byId('active-profile', HTMLElement), view.profile);
  else profiles.setActive(view.profile);
  showStorage(view.storage);
}

/** A full disk or a damaged file: the numbers go on, but the streamer must know. */
function showStorage(storage: StorageView): void {
  if (storage.ok || !storage.error) {
    setText(storageError, '');
    return;
  }
  const since =
    storage.unsavedSince === null
      ? ''
      : ` since ${new Date(storage.unsavedSince).toLocaleTimeString()}`;
  setText(
    storageError,
    `Not saved${since}: ${storage.error.message}. The numbers above are still counted.`,
  );
}

/** Nothing of the profile switched away from may stay on screen. */
function forgetProfile(): void {
  feed.clear();
  goals.clear();
  leaderboard.clear();
  connection.forgetEnded();
  void savedNote.refresh();
}

/** Shows an HTTP answer unless a push arrived since the request went out (it is newer). */
function showIfCurrent(pushesBefore: number, view: StatsResponse): void {
  if (pushes === pushesBefore) showStats(view);
}

byId('reset', HTMLButtonElement).addEventListener('click', () => void reset());

async function reset(): Promise<void> {
  const profile = lastView?.profile ?? '';
  const ok = await confirm.ask({
    title: t('stats.resetConfirm.title'),
    text: t('stats.resetConfirm.text', { profile }),
    confirmLabel: t('stats.resetConfirm.ok'),
  });
  if (!ok) return;
  const before = pushes;
  setText(statsError, '');
  try {
    const zeroed = await api.post<StatsValues>('/api/stats/reset');
    if (pushes === before) tiles.renderStats(zeroed);
    leaderboard.clear();
    void savedNote.refresh();
  } catch (error) {
    setText(statsError, error instanceof ApiError ? error.message : String(error));
  }
}

function showBanner(message: string | null): void {
  banner.hidden = message === null;
  setText(banner, message ?? '');
}

const socket = connectRealtime(token, viewed);
socket.on(REALTIME.stats, (view) => {
  pushes++;
  showStats(view);
  leaderboard.refreshSoon();
});
socket.on(REALTIME.connection, (view) => connection.render(view));
socket.on(REALTIME.profile, () => {
  // The new profile's `stats` follow at once; until then, no old numbers.
  tiles.clear();
  forgetProfile();
  void profiles.refresh();
});
socket.on(REALTIME.activity, (activity) => feed.add(activity));
socket.on(REALTIME.goals, (push) => {
  // A test moves the overlays only; the panel keeps showing what is real.
  if (!push.test) goals.render(push);
});
if (!viewed) new HistoryPanel(api, socket, byId('history-panel', HTMLElement));
new RosterPanel(
  activeApi,
  token,
  byId('roster-rows', HTMLTableSectionElement),
  byId('roster-note', HTMLElement),
  byId('roster-panel', HTMLElement),
  viewed,
);
byId('history-link', HTMLAnchorElement).href = historyHref();
socket.on('connect', () => {
  showBanner(null);
  statsPanel.classList.remove('stale');
  document.documentElement.dataset['live'] = 'true';
  if (!viewed) void profiles.refresh();
});
socket.on('disconnect', () => {
  statsPanel.classList.add('stale');
  document.documentElement.dataset['live'] = 'false';
  connection.offline();
  showBanner(t('banner.lost'));
});
socket.on('connect_error', () => {
  connection.offline();
  void explainConnectError();
});

/** The socket does not say why it was refused; the API does (e.g. a missing token). */
async function explainConnectError(): Promise<void> {
  try {
    await api.get(viewed ? '/api/stats' : '/api/profiles');
    showBanner(t('banner.channel'));
  } catch (error) {
    showBanner(
      error instanceof ApiError && error.status === 401
        ? t('banner.token', { message: error.message })
        : error instanceof ApiError && error.status === 404
          ? error.message
          : t('banner.unreachable'),
    );
  }
}

/**
 * A page about a profile other than the active one: what only the active profile has
 * (switching, goals, history, the overlay builder) is left out, and the page says whose
 * numbers these are.
 */
function showProfileView(name: string): void {
  document.documentElement.dataset['profileView'] = name;
  byId('viewing', HTMLElement).hidden = false;
  setText(byId('viewing-text', HTMLElement), t('view.other', { name }));
  const back = new URLSearchParams();
  if (token) back.set('token', token);
  byId('viewing-back', HTMLAnchorElement).href = back.size ? `/?${back.toString()}` : '/';
  for (const id of ['profiles-title', 'history-panel', 'goals-panel', 'builder-title']) {
    byId(id, HTMLElement).closest('section')?.classList.add('active-only');
  }
  byId('history-link', HTMLAnchorElement).classList.add('active-only');
}
