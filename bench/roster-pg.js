// `npm run bench -- roster-pg` (and the second half of `roster`): the hosted mode. Two real
// `livetally start --database URL` processes on one throw-away PostgreSQL cluster, N
// profiles connected through the API to the bundled recording re-paced to 50 events/s; the
// service shares them out. Measures each process from outside (/proc): CPU of all its
// threads, RSS, and how stale the saves in the database are.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPgCluster } from './pg-cluster.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(root, 'bin', 'livetally.js');
const DEMO = path.join(root, 'recordings', 'demo.ndjson');
const STEPS = (process.env.BENCH_ROSTER_PG_STEPS ?? '20,100,200,500,1000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_ROSTER_SECONDS ?? 15);
const PROCESSES = 2;
const RATE = 50; // events per second per LIVE
const WARM_MS = 5000;
/** A save may be this late and still be on time: the database holds at most 1.5 intervals' loss. */
const ON_TIME_MS = 1500;
const STOP_LIMIT_MS = 10_000;
/** The claim-claiming CLAIM_LOCK_CLASS of src/storage/pg/pg-claims.ts ("LT"). */
const CLAIM_LOCK_CLASS = 0x4c54;
const TICKS_PER_S = 100; // Linux USER_HZ
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (n) => (Number.isFinite(n) ? `${fmt(n)} ms` : 'no answer within 10 s');

/**
 * PostgreSQL settings of the bench's cluster: its defaults (fsync on), enough connections,
 * and whatever BENCH_ROSTER_PG_SETTINGS adds (comma-separated, e.g. synchronous_commit=off).
 */
const PG_SETTINGS = [
  'max_connections=300',
  'shared_buffers=256MB',
  ...(process.env.BENCH_ROSTER_PG_SETTINGS ?? '').split(',').filter(Boolean),
];

export async function benchRosterPg(log) {
  const lines = fs.readFileSync(DEMO, 'utf8').trimEnd().split('\n');
  const first = JSON.parse(lines[0]);
  const last = JSON.parse(lines.at(-1));
  const speed = RATE / ((lines.length - 1) / ((last.at - first.at) / 1000));
  const cluster = await startPgCluster(PG_SETTINGS);
  log(
    `${PROCESSES} × livetally start --database on one ${cluster.version} cluster on this machine (${PG_SETTINGS.join(', ')}, otherwise its defaults)`,
  );
  log(
    `each LIVE: recordings/demo.ndjson re-paced to 50 events/s, connected through the API; saves every 1 s; ${SECONDS} s measured after 5 s of warm-up`,
  );
  log(
    '   LIVEs   split      CPU per process (1 core = 100%)   PostgreSQL CPU   stalest save   RSS per process     RSS per LIVE   stop',
  );
  let held = 0;
  let perLive = 0;
  try {
    for (const lives of STEPS) {
      let result;
      try {
        result = await step(cluster, lives, speed);
      } catch (error) {
        log(`${String(lives).padStart(8)}   failed: ${String(error.message).split('\n')[0]}`);
        break;
      }
      const onTime = result.notSaved === 0 && result.stalestSaveMs <= ON_TIME_MS;
      const withinCore = result.processes.every((p) => p.cpuPercent <= 100);
      const stopsInTime = result.stopMs <= STOP_LIMIT_MS;
      log(
        [
          String(lives).padStart(8),
          result.processes
            .map((p) => p.lives)
            .join('+')
            .padStart(9),
          result.processes
            .map((p) => `${fmt(p.cpuPercent)} %`)
            .join(' / ')
            .padStart(34),
          `${fmt(result.pgCpuPercent)} %`.padStart(16),
          `${fmt(result.stalestSaveMs)} ms${onTime ? '' : ' LATE'}`.padStart(14),
          result.processes
            .map((p) => `${fmt(p.rssMb)}`)
            .join(' / ')
            .concat(' MB')
            .padStart(18),
          `${fmt(result.rssPerLiveKb)} KB`.padStart(16),
          `${fmt(result.stopMs / 1000, 1)} s`.padStart(6),
        ].join(' '),
      );
      log(
        `          ${fmt(result.commitsPerSecond)} commits/s; GET /api/profiles/NAME/stats while counting: p50 ${ms(result.answerP50Ms)}, max ${ms(result.answerMaxMs)}; GET /api/profiles/roster: ${result.rosterMs === null ? 'no answer within 60 s' : ms(result.rosterMs)}; load average ${os.loadavg()[0].toFixed(1)}`,
      );
      if (result.counting !== lives) {
        log(`          only ${result.counting} of ${lives} were connected`);
      }
      if (result.notSaved > 0) log(`          ${result.notSaved} never saved`);
      if (!stopsInTime)
        log(`          stopping took longer than the ${STOP_LIMIT_MS / 1000} s limit`);
      if (!withinCore || !onTime || result.counting !== lives || !stopsInTime) break;
      held = lives;
      perLive = result.rssPerLiveKb;
    }
  } finally {
    cluster.stop();
  }
  log(
    `held by ${PROCESSES} processes, each within one core, every save on time, stopped within ${STOP_LIMIT_MS / 1000} s: ${held} concurrent LIVEs (${fmt(held / PROCESSES)} per process); RSS per LIVE ≈ ${fmt(perLive)} KB; PostgreSQL on the same 2 cores`,
  );
}

/** One step: a fresh database, two processes, `lives` LIVEs; returns what was measured. */
async function step(cluster, lives, speed) {
  const name = `roster_${lives}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-roster-pg-'));
  const replays = path.join(dir, 'replays');
  fs.mkdirSync(replays);
  fs.copyFileSync(DEMO, path.join(replays, 'demo.ndjson'));
  const servers = [];
  const db = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    for (let i = 0; i < PROCESSES; i++) {
      servers.push(await startServer(url.toString(), path.join(dir, `data${i}`), replays, speed));
    }
    const names = Array.from({ length: lives }, (_, i) => `live${String(i).padStart(4, '0')}`);
    await inParallel(names, 20, (n, i) =>
      request(servers[i % PROCESSES].url, 'POST', 'api/profiles', { name: n }),
    );
    const rssBefore = servers.map((s) => readProc(s.child.pid).rssKb);
    // Connected over one second, through either process, as LIVEs starting at different
    // moments would be; the service decides which process counts which.
    const startedAt = Date.now();
    await inParallel(names, 50, async (n, i) => {
      const due = startedAt + Math.floor((i * 1000) / lives);
      if (due > Date.now()) await sleep(due - Date.now());
      await request(servers[i % PROCESSES].url, 'POST', `api/profiles/${n}/connection`, {
        streamer: 'demo',
      });
    });
    await sleep(WARM_MS);

    const cpuStart = servers.map((s) => readProc(s.child.pid).ticks);
    const pgStart = postgresTicks(cluster.pid);
    const commitsStart = await commits(db, name);
    const wallStart = performance.now();
    // Meanwhile, what a page asks now and then: one profile's stats, from each process.
    const answers = [];
    const probing = (async () => {
      for (let i = 0; performance.now() - wallStart < SECONDS * 1000 - 1000; i++) {
        const started = performance.now();
        const server = servers[i % PROCESSES];
        try {
          await request(
            server.url,
            'GET',
            `api/profiles/${names[i % lives]}/stats`,
            undefined,
            10_000,
          );
          answers.push(performance.now() - started);
        } catch {
          answers.push(Infinity);
        }
        await sleep(Math.max(0, 500 - (performance.now() - started)));
      }
    })();
    await sleep(SECONDS * 1000);
    const wallS = (performance.now() - wallStart) / 1000;
    const cpuEnd = servers.map((s) => readProc(s.child.pid).ticks);
    const pgEnd = postgresTicks(cluster.pid);
    const commitsEnd = await commits(db, name);
    const rss = servers.map((s) => readProc(s.child.pid).rssKb);
    await probing;
    answers.sort((a, b) => a - b);

    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE s.updated_at IS NULL)::int AS not_saved,
              max(extract(epoch FROM clock_timestamp()) * 1000
                  - extract(epoch FROM s.updated_at::timestamptz) * 1000)::float8 AS stalest
         FROM profiles p LEFT JOIN stream_stats s ON s.profile_id = p.id
        WHERE p.name LIKE 'live%'`,
    );
    const holders = await db.query(
      `SELECT a.application_name AS app, count(*)::int AS n
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.classid = $1::int::oid
        GROUP BY a.application_name`,
      [CLAIM_LOCK_CLASS],
    );
    const livesOf = (pid) => holders.rows.find((r) => r.app && r.app.includes(`:${pid}:`))?.n ?? 0;

    // Who is connected, as the roster says (and how long it takes to say it).
    const rosterStart = performance.now();
    let rosterMs = null;
    let counting = null;
    try {
      const roster = await request(servers[0].url, 'GET', 'api/profiles/roster', undefined, 60_000);
      rosterMs = performance.now() - rosterStart;
      counting = roster.profiles.filter(
        (p) => p.name.startsWith('live') && p.connection?.state === 'connected',
      ).length;
    } catch {
      // no answer within a minute: said in the output; the claims tell who counts
    }

    const stopStart = performance.now();
    await Promise.all(servers.map((s) => stop(s)));
    const stopMs = performance.now() - stopStart;

    const processes = servers.map((s, i) => ({
      lives: livesOf(s.child.pid),
      cpuPercent: ((cpuEnd[i] - cpuStart[i]) / TICKS_PER_S / wallS) * 100,
      rssMb: rss[i] / 1024,
      grownKb: rss[i] - rssBefore[i],
    }));
    const heldLives = processes.reduce((a, p) => a + p.lives, 0);
    return {
      processes,
      pgCpuPercent: ((pgEnd - pgStart) / TICKS_PER_S / wallS) * 100,
      stalestSaveMs: rows[0].stalest ?? Infinity,
      notSaved: rows[0].not_saved,
      rssPerLiveKb: processes.reduce((a, p) => a + p.grownKb, 0) / Math.max(1, heldLives),
      counting: counting === null ? heldLives : Math.min(counting, heldLives),
      rosterMs,
      commitsPerSecond: (commitsEnd - commitsStart) / wallS,
      answerP50Ms: answers[Math.floor(answers.length / 2)] ?? Infinity,
      answerMaxMs: answers.at(-1) ?? Infinity,
      stopMs,
    };
  } finally {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await db.end().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `livetally start --database URL` until it prints its dashboard address. */
async function startServer(url, dataDir, replays, speed) {
  const child = spawn(
    process.execPath,
    [
      BIN,
      '--data-dir',
      dataDir,
      'start',
      '--database',
      url,
      '--port',
      '0',
      '--replay-dir',
      replays,
      '--speed',
      String(speed),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LIVETALLY_LOG_LEVEL: 'warn' } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const started = Date.now();
  for (;;) {
    const match = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
    if (match && out.includes('press Ctrl+C')) return { child, url: match[1] };
    if (child.exitCode !== null) throw new Error(`livetally exited: ${err.trim()}`);
    if (Date.now() - started > 30_000) throw new Error(`livetally did not start: ${err.trim()}`);
    await sleep(20);
  }
}

function stop(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', resolve);
    server.child.kill('SIGTERM');
  });
}

async function request(base, method, route, body, timeoutMs = 120_000) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /${route}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function inParallel(items, limit, work) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  });
  await Promise.all(workers);
}

/** Transactions committed in the database so far (PostgreSQL's statistics). */
async function commits(db, name) {
  const { rows } = await db.query(
    'SELECT xact_commit::float8 AS n FROM pg_stat_database WHERE datname = $1',
    [name],
  );
  return rows[0]?.n ?? 0;
}

/** CPU ticks (user + system, every thread) and resident memory of a process. */
function readProc(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { ticks, rssKb };
}

/** CPU ticks of the whole cluster: the postmaster, its children, and children that ended. */
function postgresTicks(postmaster) {
  const stat = fs.readFileSync(`/proc/${postmaster}/stat`, 'utf8');
  const own = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const s = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}
