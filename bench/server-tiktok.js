// The server on the real TikTok path: a raw capture (real protobuf) decoded by
// tiktok-live-connector and adapted as a live connection is, at RATE messages a second,
// with overlay sockets connected as the counters and alerts overlays connect.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { benchCapture, decodeCost } from './webcast-capture.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RATE = 2000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const wallNow = () => performance.timeOrigin + performance.now();
const clockTicks = () => Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (sorted, p) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** CPU ticks of the whole process: every thread, live or ended, user and kernel. */
function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

function memoryKb(pid, key) {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
    fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return match ? Number(match[1]) : NaN;
}

function waitForUrl(server) {
  let out = '';
  server.stdout.on('data', (chunk) => (out += chunk));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (match) resolve(match[0]);
      else if (server.exitCode === null) return;
      else reject(new Error('the server did not start'));
      clearInterval(poll);
    }, 20);
  });
}

/** A socket as the overlays open one, noting when each push arrives. */
function overlaySocket(url) {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  const seen = { socket, stats: [], activity: [], states: [] };
  socket.on('stats', (view) => seen.stats.push([wallNow(), view.stats.likes]));
  socket.on('activity', (a) => seen.activity.push([wallNow(), `${a.kind}:${a.user.id}:${a.at}`]));
  socket.on('connection', (view) => seen.states.push(view.state));
  return seen;
}

async function runOnce(capture, run) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-tiktok-'));
  const replays = path.join(dir, 'replays');
  fs.mkdirSync(replays);
  fs.symlinkSync(capture.file, path.join(replays, `${capture.streamer}.ndjson`));
  // The probe notes hand-off times of alerts and of a sample of like totals only.
  const likeSample = capture.likes.filter((_, i) => i % 10 === 0);
  const probeLines = path.join(dir, 'probe-lines.json');
  const probeOut = path.join(dir, 'probe.json');
  fs.writeFileSync(
    probeLines,
    JSON.stringify([...capture.alerts.map(([line]) => line), ...likeSample.map(([line]) => line)]),
  );
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to look inside the server.
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const server = spawn(
    process.execPath,
    [
      '--require',
      path.join(root, 'bench/server-probe.cjs'),
      ...nodeArgs,
      path.join(root, 'bin/livetally.js'),
      '--data-dir',
      path.join(dir, 'data'),
      '--quiet',
      'start',
      '--port',
      '0',
      '--replay-dir',
      replays,
      '--speed',
      '1',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        LIVETALLY_BENCH_PROBE_FILE: probeOut,
        LIVETALLY_BENCH_PROBE_LINES: probeLines,
      },
    },
  );
  const exited = new Promise((resolve) => server.once('exit', resolve));
  try {
    const url = await waitForUrl(server);
    const clients = [];
    for (let i = 0; i < CLIENTS; i++) clients.push(overlaySocket(url));
    await waitUntil(() => clients.every((c) => c.stats.length > 0), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const restRssKb = memoryKb(server.pid, 'VmRSS');

    const loadBefore = loadavg();
    const ticks = clockTicks();
    const before = cpuTicks(server.pid);
    const started = performance.now();
    const response = await fetch(`${url}api/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streamer: capture.streamer }),
    });
    if (!response.ok) throw new Error(`connecting failed: ${await response.text()}`);
    // The capture plays in real time; the connection ends with the file.
    await waitUntil(
      () => clients[0].states.includes('connected') && clients[0].states.at(-1) === 'disconnected',
      (SECONDS + 60) * 1000,
    );
    const elapsed = (performance.now() - started) / 1000;
    const after = cpuTicks(server.pid);
    const peakRssKb = memoryKb(server.pid, 'VmHWM');
    const endRssKb = memoryKb(server.pid, 'VmRSS');
    const loadAfter = loadavg();
    for (const c of clients) c.socket.close();
    server.kill('SIGTERM');
    await exited;
    const probe = JSON.parse(fs.readFileSync(probeOut, 'utf8'));

    const handedAt = new Map();
    for (let i = 0; i < probe.handedAt.length; i += 2) {
      handedAt.set(probe.handedAt[i], probe.handedAt[i + 1]);
    }
    // An alert is measured from the first message that carries it (a re-sent one counts no more).
    const alertHanded = new Map();
    for (const [line, key] of capture.alerts) {
      const at = handedAt.get(line);
      if (at !== undefined && !alertHanded.has(key)) alertHanded.set(key, at);
    }
    const alertDelays = [];
    let unmatched = 0;
    for (const c of clients) {
      for (const [receivedAt, key] of c.activity) {
        const at = alertHanded.get(key);
        if (at === undefined)
          unmatched++; // e.g. a combo counted on timeout
        else alertDelays.push(receivedAt - at);
      }
    }
    alertDelays.sort((a, b) => a - b);
    const statsDelays = [];
    for (const c of clients) {
      let p = 0;
      for (const [line, total] of likeSample) {
        const at = handedAt.get(line);
        if (at === undefined) continue;
        while (p < c.stats.length && c.stats[p][1] < total) p++;
        if (p === c.stats.length) break;
        if (c.stats[p][0] >= at) statsDelays.push(c.stats[p][0] - at);
      }
    }
    statsDelays.sort((a, b) => a - b);
    const cpu = (after.user - before.user + after.system - before.system) / ticks / elapsed;
    return {
      run,
      elapsed,
      cpuPercent: cpu * 100,
      kernelPercent: ((after.system - before.system) / ticks / elapsed) * 100,
      restRssMb: restRssKb / 1024,
      peakRssMb: peakRssKb / 1024,
      endRssMb: endRssKb / 1024,
      alerts: alertDelays.length / CLIENTS,
      unmatched: unmatched / CLIENTS,
      alertP50: percentile(alertDelays, 50),
      alertP99: percentile(alertDelays, 99),
      alertMax: alertDelays.at(-1),
      statsP50: percentile(statsDelays, 50),
      statsP99: percentile(statsDelays, 99),
      statsPushes: clients.reduce((n, c) => n + c.stats.length, 0) / CLIENTS / elapsed,
      loadBefore,
      loadAfter,
    };
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function waitUntil(predicate, timeoutMs) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (predicate()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('the bench timed out'));
      else return;
      clearInterval(poll);
    }, 20);
  });
}

export async function benchServerTikTok(log) {
  log('generating the raw capture (cached in .bench/) …');
  const capture = await benchCapture(path.join(root, '.bench'), { rate: RATE, seconds: SECONDS });
  const size = fs.statSync(capture.file).size / 1e6;
  const sizes = Object.entries(capture.bytes)
    .map(
      ([method, b]) =>
        `${method.replace('Webcast', '').replace('Message', '')} ${fmt(b.bytes / b.count)}`,
    )
    .join(', ');
  log(
    `raw capture: ${fmt(capture.messages)} webcast messages (${size.toFixed(0)} MB), ${fmt(RATE)}/s for ${SECONDS} s, ` +
      `${CLIENTS} overlay sockets; protobuf bytes per message: ${sizes}`,
  );
  const runs = [];
  for (let run = 1; run <= RUNS; run++) {
    const r = await runOnce(capture, run);
    runs.push(r);
    log(
      `  run ${run}: CPU ${r.cpuPercent.toFixed(2)}% (kernel ${r.kernelPercent.toFixed(2)}%), ` +
        `RSS at rest ${r.restRssMb.toFixed(0)} MB, peak ${r.peakRssMb.toFixed(0)} MB, end ${r.endRssMb.toFixed(0)} MB; ` +
        `alert → activity p50 ${r.alertP50.toFixed(1)} ms, p99 ${r.alertP99.toFixed(1)} ms, max ${r.alertMax.toFixed(0)} ms ` +
        `(${fmt(r.alerts)} alerts per socket, ${fmt(r.unmatched)} from timeouts not measured); ` +
        `like → stats p50 ${r.statsP50.toFixed(0)} ms, p99 ${r.statsP99.toFixed(0)} ms, ${r.statsPushes.toFixed(1)} pushes/s; ` +
        `loadavg ${r.loadBefore} → ${r.loadAfter}`,
    );
  }
  const decodeUs = decodeCost(capture.file, 20_000);
  log(
    `  for scale: tiktok-live-connector's decoding alone takes ${decodeUs.toFixed(1)} µs a message here ` +
      `(best of 3 over 20,000, in this process) = ${((decodeUs * RATE) / 1e4).toFixed(1)}% of one core at ${fmt(RATE)}/s`,
  );
  const summary = {
    cpuPercent: median(runs.map((r) => r.cpuPercent)),
    peakRssMb: median(runs.map((r) => r.peakRssMb)),
    alertP99: median(runs.map((r) => r.alertP99)),
  };
  log(
    `  median of ${runs.length}: server CPU ${summary.cpuPercent.toFixed(2)}% of one core, all threads (target < 3%); ` +
      `peak RSS ${summary.peakRssMb.toFixed(0)} MB (target < 100 MB); ` +
      `alert → activity p99 ${summary.alertP99.toFixed(1)} ms (target < 50 ms)`,
  );
  return summary;
}
