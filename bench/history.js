// History at scale: a profile of 1,000 broadcasts with 5,000 viewers each, written straight
// through the storage layer (the rows a replay of ~10^9 events would leave), then the
// history routes timed through a real `livetally start` on a port.
//
// BENCH_HISTORY_DIR=/some/dir keeps the generated profile there and reuses it next time.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Workspace } from '../dist/app/workspace.js';
import { VIEWER_FIELDS } from '../dist/domain/viewer-ledger.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BROADCASTS = Number(process.env.BENCH_HISTORY_BROADCASTS ?? 1000);
const VIEWERS = Number(process.env.BENCH_HISTORY_VIEWERS ?? 5000);
/** Regulars come to most broadcasts; the others now and then, from a large pool. */
const REGULARS = 3000;
const POOL = 250_000;
const DAY = 86_400_000;
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** mulberry32 */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIFTS = [
  { giftId: 5655, giftName: 'Rose', diamonds: 1 },
  { giftId: 5269, giftName: 'TikTok', diamonds: 1 },
  { giftId: 5487, giftName: 'Finger Heart', diamonds: 5 },
  { giftId: 5879, giftName: 'Doughnut', diamonds: 30 },
  { giftId: 11046, giftName: 'Galaxy', diamonds: 1000 },
  { giftId: 6369, giftName: 'Lion', diamonds: 29999 },
];

const userId = (n) => `69${String(n).padStart(17, '0')}`;

/**
 * One broadcast's rows: what its saves would have written. About 8 % of the viewers gift,
 * most like, some comment, a few share and follow; 10-second samples over 1–4 hours.
 */
function broadcastRows(rand, startedAt) {
  const ids = new Set();
  while (ids.size < VIEWERS * 0.3) ids.add(Math.floor(rand() * REGULARS));
  while (ids.size < VIEWERS) ids.add(REGULARS + Math.floor(rand() * (POOL - REGULARS)));
  const durationMs = Math.round((1 + rand() * 3) * 3600_000);
  const width = VIEWER_FIELDS.length;
  const numbers = new Float64Array(ids.size * width);
  const userIds = [];
  const handles = [];
  const nicknames = [];
  const stats = { viewers: 0, likes: 0, totalCoins: 0, followers: 0, shares: 0, gifts: 0 };
  const gifts = new Map();
  let i = 0;
  for (const n of ids) {
    userIds.push(userId(n));
    handles.push(`fan_${n}`);
    nicknames.push(`Fan ${n}`);
    const first = Math.round(startedAt + rand() * durationMs * 0.8);
    const row = [
      0,
      0,
      0,
      0,
      0,
      0,
      first,
      Math.round(first + rand() * (startedAt + durationMs - first)),
    ];
    if (rand() < 0.08) {
      const gift = GIFTS[Math.min(GIFTS.length - 1, Math.floor(-Math.log(rand()) * 1.3))];
      const count = gift.diamonds >= 1000 ? 1 : 1 + Math.floor(rand() * 60);
      row[0] = gift.diamonds * count;
      row[1] = count;
      const type = gifts.get(gift.giftId) ?? { ...gift, count: 0, coins: 0 };
      type.count += count;
      type.coins += row[0];
      gifts.set(gift.giftId, type);
    }
    if (rand() < 0.7) row[2] = 1 + Math.floor(rand() * 200);
    if (rand() < 0.3) row[3] = 1 + Math.floor(rand() * 10);
    if (rand() < 0.05) row[4] = 1;
    if (rand() < 0.02) row[5] = 1;
    numbers.set(row, i * width);
    stats.totalCoins += row[0];
    stats.gifts += row[1];
    stats.likes += row[2];
    stats.shares += row[4];
    stats.followers += row[5];
    i++;
  }
  const samples = [];
  const peak = 500 + Math.floor(rand() * 4000);
  for (let t = startedAt + 10_000, k = 0; t <= startedAt + durationMs; t += 10_000, k++) {
    const f = (t - startedAt) / durationMs;
    samples.push({
      t,
      viewers: Math.round(peak * Math.sin(Math.PI * f) ** 0.5),
      likes: Math.round(stats.likes * f),
      totalCoins: Math.round(stats.totalCoins * f),
      followers: Math.round(stats.followers * f),
      shares: Math.round(stats.shares * f),
      gifts: Math.round(stats.gifts * f),
    });
  }
  stats.viewers = samples.at(-1)?.viewers ?? 0;
  return {
    durationMs,
    changes: {
      stats,
      peakViewers: peak,
      viewers: { userIds, handles, nicknames, numbers },
      newFollowers: [],
      newMessageIds: [],
      streaks: { upserts: [], removed: [] },
      samples,
      gifts: [...gifts.values()],
    },
  };
}

function generate(dataDir, log) {
  const workspace = new Workspace(dataDir);
  workspace.lockForWriting('bench');
  workspace.ensureDefault();
  const { store } = workspace.openForWriting('default');
  const rand = random(2026);
  // A streamer who goes live most days, some days twice, up to yesterday evening.
  const days = random(7);
  const newDay = Array.from({ length: BROADCASTS }, (_, b) => b === 0 || days() < 0.8);
  const yesterday = Date.now() - (Date.now() % DAY) - DAY;
  let day = yesterday - (newDay.filter(Boolean).length - 1) * DAY;
  const folds = [];
  const started = performance.now();
  for (let b = 0; b < BROADCASTS; b++) {
    if (b > 0 && newDay[b]) day += DAY;
    const startedAt = Math.round(day + (17 + rand() * 5) * 3600_000);
    const { durationMs, changes } = broadcastRows(rand, startedAt);
    const link = { streamer: 'bench_streamer', streamerId: '7100000000000000001', roomId: `r${b}` };
    const sessionId = store.startSession({ ...link, startedAt });
    store.saveProgress({ ...link, sessionId }, changes);
    const foldStart = performance.now();
    store.endSession(sessionId, startedAt + durationMs, 'ended');
    folds.push(performance.now() - foldStart);
    if ((b + 1) % 100 === 0) {
      log(`  … ${b + 1} broadcasts (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  }
  store.close();
  workspace.release();
  folds.sort((a, b) => a - b);
  return { seconds: (performance.now() - started) / 1000, foldMs: folds[folds.length >> 1] };
}

async function startServer(dataDir) {
  const server = spawn(
    process.execPath,
    [path.join(root, 'bin/livetally.js'), '--data-dir', dataDir, '--quiet', 'start', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  server.stdout.on('data', (chunk) => (out += chunk));
  const url = await new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (match) resolve(match[0]);
      else if (server.exitCode === null) return;
      else reject(new Error('the server did not start'));
      clearInterval(poll);
    }, 20);
  });
  return { server, url };
}

/** CPU time the server process has used (all threads), in milliseconds. */
function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * Wall time per answer (what a page waits), and the server's CPU per answer: on a machine
 * shared with other work the first swings with the load, the second hardly does.
 */
async function time(url, pid, runs = 15) {
  const ask = async () => {
    const started = performance.now();
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) throw new Error(`${url} → ${response.status}: ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, body };
  };
  const { ms: first, body } = await ask();
  const times = [];
  const cpuBefore = cpuMs(pid);
  for (let i = 0; i < runs; i++) times.push((await ask()).ms);
  const cpu = (cpuMs(pid) - cpuBefore) / runs;
  times.sort((a, b) => a - b);
  return { first, median: times[times.length >> 1], cpu, body };
}

export async function benchHistory(log) {
  const keep = process.env.BENCH_HISTORY_DIR;
  const dataDir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-history-'));
  const file = path.join(dataDir, 'user_configs', 'default.db');
  try {
    if (!fs.existsSync(file)) {
      log(`generating ${fmt(BROADCASTS)} broadcasts × ${fmt(VIEWERS)} viewers …`);
      const made = generate(dataDir, log);
      log(
        `  written in ${made.seconds.toFixed(0)} s; folding a broadcast's viewers into the ` +
          `all-time totals when it ends: ${made.foldMs.toFixed(0)} ms (median)`,
      );
    } else {
      log(`reusing the profile in ${dataDir}`);
    }
    const bytes = fs.statSync(file).size;
    log(`  profile file: ${(bytes / 1024 / 1024).toFixed(0)} MB (${fmt(bytes)} bytes)`);

    const { server, url } = await startServer(dataDir);
    try {
      await fetch(`${url}api/health`); // the server's own first-request warm-up is not timed
      const today = new Date();
      const iso = (d) => d.toISOString().slice(0, 10);
      const yearAgo = new Date(today.getTime() - 364 * DAY);
      const year = `from=${iso(yearAgo)}&to=${iso(today)}&tz=UTC`;
      const cases = [
        ['leaderboard window=all (coins, top 10)', 'api/leaderboard?window=all&metric=coins'],
        [
          'leaderboard window=all (likes, top 100)',
          'api/leaderboard?window=all&metric=likes&limit=100',
        ],
        ['summary period=day, one year', `api/summary?period=day&${year}`],
        ['summary period=week, one year', `api/summary?period=week&${year}`],
        ['summary period=month, one year', `api/summary?period=month&${year}`],
        ['summary period=day, everything', 'api/summary?period=day&tz=UTC'],
        ['leaderboard window=month (coins)', 'api/leaderboard?window=month&metric=coins'],
        ['leaderboard window=week (likes)', 'api/leaderboard?window=week&metric=likes'],
      ];
      const results = {};
      for (const [label, route] of cases) {
        const r = await time(`${url}${route}`, server.pid);
        results[route] = r;
        const size = Array.isArray(r.body.buckets)
          ? `${r.body.buckets.length} buckets`
          : `${r.body.viewers.length} viewers`;
        log(
          `  ${label}: ${r.median.toFixed(1)} ms median (server CPU ${r.cpu.toFixed(1)} ms), ` +
            `first ${r.first.toFixed(1)} ms (${size})`,
        );
      }
      const top = results['api/leaderboard?window=all&metric=coins'].body.viewers[0];
      const viewer = await time(`${url}api/viewers/${top.userId}`, server.pid);
      log(`  viewer page (/api/viewers/:id): ${viewer.median.toFixed(1)} ms median`);
      const recap = await time(`${url}api/sessions/${BROADCASTS}/recap`, server.pid);
      log(`  recap of the last broadcast: ${recap.median.toFixed(1)} ms median`);
      log('  (targets: leaderboard window=all and a year of summary?period=day < 50 ms each)');
      return results;
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
  } finally {
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
