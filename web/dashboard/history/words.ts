import type { LeaderboardMetricName, LeaderboardWindow } from '../../../src/shared/api-types.js';
import { formatCount } from '../../shared/format.js';

/**
 * Every word the History pages and the dashboard's history panel show, in one table, so
 * that it can join the dashboard's translations as it is. Functions take what varies.
 */
export const WORDS = {
  pageTitle: 'History — livetally',
  nav: { dashboard: 'Dashboard', history: 'History', label: 'Pages' },
  theme: 'Theme',
  themes: { system: 'System', light: 'Light', dark: 'Dark' },
  profile: 'Profile:',
  loading: 'Loading…',
  unreachable: 'livetally is not reachable; is it still running? Trying again in a moment.',
  retry: 'Try again',

  overview: {
    title: 'History',
    intro:
      'Every LIVE this profile counted, how your weeks and months went, and who supports you most.',
    thisWeek: 'This week',
    thisMonth: 'This month',
    lastWeek: 'last week',
    lastMonth: 'last month',
    nothingYet: 'No LIVE yet',
    coinsPerDay: 'Coins per day, last 30 days',
    coinsPerDayEmpty: 'No coins in the last 30 days yet.',
    broadcasts: 'Past LIVEs',
    noBroadcasts:
      'No LIVE counted yet. Connect to a streamer on the dashboard: every LIVE shows up here.',
    showMore: (left: number) => `Show ${formatCount(Math.min(left, 12))} more`,
    leaders: 'Top supporters',
    exports: 'Download',
    exportViewers: "Every viewer's totals (CSV)",
    exportDays: 'Totals per day (CSV)',
    exportMonths: 'Totals per month (CSV)',
  },

  columns: {
    when: 'Started',
    streamer: 'Streamer',
    duration: 'Length',
    viewers: 'Viewers at end',
    peak: 'Peak viewers',
    likes: 'Likes',
    coins: 'Coins',
    followers: 'New followers',
    shares: 'Shares',
    gifts: 'Gifts',
    rank: '#',
    viewer: 'Viewer',
    gift: 'Gift',
    items: 'Items',
    share: 'Share of coins',
    comments: 'Comments',
  },

  period: {
    lives: (n: number) => (n === 1 ? '1 LIVE' : `${formatCount(n)} LIVEs`),
    live: 'Time live',
    gifters: 'Gifters',
    versus: (what: string) => `vs ${what}`,
  },

  windows: {
    session: 'This LIVE',
    day: 'Today',
    week: 'This week',
    month: 'This month',
    all: 'All time',
  } satisfies Record<LeaderboardWindow, string>,
  metrics: {
    coins: 'Coins',
    gifts: 'Gifts',
    likes: 'Likes',
    comments: 'Comments',
    shares: 'Shares',
  } satisfies Record<LeaderboardMetricName, string>,
  board: {
    window: 'Period',
    metric: 'Ranked by',
    empty: 'Nobody yet in this period.',
    caption: (window: string, metric: string) =>
      `Top supporters, ${window.toLowerCase()}, by ${metric.toLowerCase()}`,
  },

  broadcast: {
    back: 'All LIVEs',
    title: (streamer: string) => `@${streamer}'s LIVE`,
    notFound: 'There is no such LIVE in this profile.',
    endReasons: {
      ended: 'the LIVE ended',
      disconnected: 'disconnected',
      stopped: 'livetally was stopped',
      interrupted: 'interrupted (livetally did not stop cleanly)',
      reset: 'stats were reset',
      imported: 'imported',
      live: 'live now',
    } as Record<string, string>,
    versusPrevious: 'vs the LIVE before',
    firstOne: 'The first LIVE of this streamer here: nothing to compare with yet.',
    highlights: 'Highlights',
    bestMinute: 'Best minute',
    bestMinuteText: (time: string, coins: number) => `${time}: ${formatCount(coins)} coins`,
    noBestMinute: 'No coins in this LIVE',
    gifters: 'Gifters',
    newGifters: 'First-time gifters',
    newGiftersText: (fresh: number, all: number) =>
      all === 0 ? 'nobody sent a gift' : `${formatCount(fresh)} of ${formatCount(all)}`,
    topGifter: 'Top gifter',
    charts: 'Over time',
    viewersChart: 'Viewers',
    likesChart: 'Likes per minute',
    coinsChart: 'Coins per minute',
    followsChart: 'New followers per minute',
    chartSummary: (what: string, max: number, at: string) =>
      max > 0 ? `${what}: highest ${formatCount(max)} at ${at}.` : `${what}: none.`,
    noSamples: 'No time series for this LIVE (it was imported, or too short).',
    topGifters: 'Top gifters',
    topLikers: 'Top likers',
    giftBreakdown: 'Gifts',
    coinsEach: (n: number) => `${formatCount(n)} ${n === 1 ? 'coin' : 'coins'} each`,
    noGifts: 'No gifts in this LIVE.',
    newGifterList: 'First-time gifters',
    moreNewGifters: (n: number) => `… and ${formatCount(n)} more.`,
    topGifterText: (coins: number) => `${formatCount(coins)} coins`,
    noNewGifters: 'No first-time gifters in this LIVE.',
    exportSeries: 'Time series (CSV)',
    exportAll: 'Everything (JSON)',
  },

  viewer: {
    back: 'History',
    notFound: 'This viewer is not in this profile’s history.',
    firstSeen: 'First seen',
    lastSeen: 'Last seen',
    broadcasts: 'LIVEs attended',
    giftSessions: 'LIVEs with a gift',
    imported: 'Includes totals brought over from Little TikTool Helper.',
    recentGifts: 'Their gifts, LIVE by LIVE',
    noGifts: 'No gifts yet.',
    follows: 'Follows',
  },

  panel: {
    title: 'Over time',
    open: 'Open history',
    recapTitle: (streamer: string) => `@${streamer}'s LIVE has ended`,
    recapText: (coins: number, change: string | null, fresh: number) =>
      `${formatCount(coins)} coins${change ? ` (${change} vs the LIVE before)` : ''}, ` +
      `${formatCount(fresh)} first-time ${fresh === 1 ? 'gifter' : 'gifters'}.`,
    recapLink: 'See the recap',
    dismiss: 'Dismiss',
  },
};
