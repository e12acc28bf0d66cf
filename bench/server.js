import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { RecordingGenerator } from '../dist/sources/replay/recording-generator.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RATE = 2000; // events per second: a very busy LIVE
const SECONDS = 30;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 3);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/**
 * A recording of RATE events per second for SECONDS: the generator's realistic mix, re-timed
 * evenly; every like carries the room total, so a `stats` push tells which likes it reflects.
 */
function writeRecording(file) {
  const generator = new RecordingGenerator({
    seed: 99,
    durationSec: 900,
    intensity: 4,
    audience: 30_000,
  });
  const all = [...generator.events()];
  const header = all[0];
  const body = all
    .slice(1)
    .filter((e) => e.type !== 'streamEnd')
    .slice(0, RATE * SECONDS);
  let total = 0;
  const start = header.at;
  const likes = []; // [roomTotal, at]
  body.forEach((event, i) => {
    event.at = start + Math.floor((i * 1000) / RATE);
    if (event.type === 'like') {
      total = Math.max(total, event.roomTotal ?? total + event.count);
      event.roomTotal = total;
      likes.push([total, event.at]);
    }
  });
  fs.writeFileSync(file, [header, ...body].map((e) => JSON.stringify(e)).join('\n') + '\n');
  return { header, count: body.length, likes };
}

function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) }; // all threads
}

const clockTicks = () => Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function benchServer(log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-server-'));
  const replays = path.join(dir, 'replays');
  fs.mkdirSync(replays);
  const { header, count, likes } = writeRecording(path.join(replays, 'busy.ndjson'));

  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to look inside the server.
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const server = spawn(
    process.execPath,
    [
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
      ...(process.env.BENCH_SAVE ? ['--save-interval', process.env.BENCH_SAVE] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  server.stdout.on('data', (chunk) => (out += chunk));
  try {
    const url = await new Promise((resolve, reject) => {
      const poll = setInterval(() => {
        const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (match) resolve(match[0]);
        else if (server.exitCode === null) return;
        else reject(new Error('the server did not start'));
        clearInterval(poll);
      }, 20);
    });
    const received = [];
    let connectedAt;
    let finished;
    const done = new Promise((resolve) => (finished = resolve));
    const sockets = [];
    for (let i = 0; i < CLIENTS; i++) {
      const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
      const mine = [];
      received.push(mine);
      socket.on('stats', (view) => mine.push({ at: performance.now(), likes: view.stats.likes }));
      socket.on('connection', (view) => {
        if (view.state === 'connected' && connectedAt === undefined)
          connectedAt = performance.now();
        if (view.state === 'disconnected' && connectedAt !== undefined) finished();
      });
      sockets.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));

    const ticks = clockTicks();
    const before = cpuTicks(server.pid);
    const started = performance.now();
    await fetch(`${url}api/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streamer: 'busy' }),
    });
    await done; // the replay plays in real time and disconnects at its end
    const elapsed = (performance.now() - started) / 1000;
    const after = cpuTicks(server.pid);
    const cpu = (after.user - before.user + after.system - before.system) / ticks / elapsed;
    const system = (after.system - before.system) / ticks / elapsed;

    // Each like: when it was due (the replay started when the connection was announced),
    // and the first push, per client, whose likes include it.
    const delays = [];
    for (const pushes of received) {
      let p = 0;
      for (const [total, at] of likes) {
        const due = connectedAt + (at - header.at);
        while (p < pushes.length && pushes[p].likes < total) p++;
        if (p === pushes.length) break;
        delays.push(pushes[p].at - due);
      }
    }
    delays.sort((a, b) => a - b);
    const pushes = received.reduce((n, r) => n + r.length, 0) / CLIENTS / elapsed;
    log(
      `${fmt(count)} events replayed at ${fmt(RATE)}/s for ${elapsed.toFixed(1)} s, ${CLIENTS} socket clients`,
    );
    log(
      `  server CPU: ${(cpu * 100).toFixed(1)}% of one core, of it ${(system * 100).toFixed(1)}% in the kernel (target: < 5%)`,
    );
    log(
      `  event → stats push: p50 ${percentile(delays, 50).toFixed(0)} ms, p99 ${percentile(delays, 99).toFixed(0)} ms, ` +
        `max ${delays.at(-1).toFixed(0)} ms over ${fmt(delays.length)} likes × clients (target: p99 < 150 ms)`,
    );
    log(`  stats pushes: ${pushes.toFixed(1)} per second per client (at most 10)`);
    for (const s of sockets) s.close();
    return { cpuPercent: cpu * 100, p99: percentile(delays, 99) };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
