// npm run bench -- slow-clients: a busy LIVE with websocket clients that never read.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { RecordingGenerator } from '../dist/sources/replay/recording-generator.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RATE = 2000; // events per second
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const STALLED = Number(process.env.BENCH_STALLED ?? 100);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function writeRecording(file) {
  const generator = new RecordingGenerator({ seed: 7, durationSec: 1800, intensity: 4 });
  const all = [...generator.events()];
  const header = all[0];
  const body = all
    .slice(1)
    .filter((e) => e.type !== 'streamEnd')
    .slice(0, RATE * SECONDS);
  body.forEach((event, i) => (event.at = header.at + Math.floor((i * 1000) / RATE)));
  fs.writeFileSync(file, [header, ...body].map((e) => JSON.stringify(e)).join('\n') + '\n');
}

const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** Server-side TCP connections on `port` still established (a dropped client is not). */
function established(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1]?.endsWith(`:${hex}`) && fields[3] === '01';
    }).length;
}

/** A socket.io client over a raw websocket that joins, then never reads again. */
function stalledClient(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}socket.io/?EIO=4&transport=websocket`);
    ws.on('error', reject);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('0{')) ws.send('40'); // engine.io open → join the main namespace
      if (text.startsWith('40')) {
        // Stop reading: first the kernel's buffers fill (some MB), then the server's.
        if (!process.env.BENCH_READING) ws._socket.pause();
        resolve(ws);
      }
      if (text === '2') ws.send('3'); // a reading client answers the heartbeat
    });
  });
}

export async function benchSlowClients(log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-slow-'));
  const replays = path.join(dir, 'replays');
  fs.mkdirSync(replays);
  writeRecording(path.join(replays, 'busy.ndjson'));
  const server = spawn(
    process.execPath,
    [
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
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LIVETALLY_LOG_LEVEL: 'info' } },
  );
  let out = '';
  let drops = 0;
  server.stdout.on('data', (chunk) => (out += chunk));
  server.stderr.on('data', (chunk) => {
    drops += (String(chunk).match(/dropping a realtime client/g) ?? []).length;
  });
  const stalled = [];
  let normal;
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
    const port = Number(new URL(url).port);
    normal = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    let pushes = 0;
    normal.on('stats', () => pushes++);
    await sleep(1000);
    const idle = rssMb(server.pid);

    await fetch(`${url}api/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streamer: 'busy' }),
    });
    await sleep(10_000);
    const busy = rssMb(server.pid);
    for (let i = 0; i < STALLED; i++) stalled.push(await stalledClient(url));
    const joined = established(port);
    log(
      `${STALLED} websocket clients that ${process.env.BENCH_READING ? 'read (for comparison)' : 'never read'}, ` +
        `beside 1 normal one, during a replay at ${RATE} events/s`,
    );
    log(`  server RSS: idle ${idle.toFixed(0)} MB, busy with 1 client ${busy.toFixed(0)} MB`);
    const started = performance.now();
    let peak = busy;
    let allDroppedAt;
    for (let t = 5; t <= SECONDS - 10; t += 5) {
      await sleep(5000);
      const rss = rssMb(server.pid);
      peak = Math.max(peak, rss);
      const open = established(port);
      log(
        `  +${t}s: RSS ${rss.toFixed(0)} MB, ${open} connections open (of ${joined}), normal client ${pushes} stats pushes so far`,
      );
      if (open <= joined - STALLED && allDroppedAt === undefined)
        allDroppedAt = (performance.now() - started) / 1000;
    }
    log(
      `  peak RSS ${peak.toFixed(0)} MB; livetally logged ${drops} drops; ` +
        (allDroppedAt
          ? `all ${STALLED} gone within ${allDroppedAt.toFixed(0)} s`
          : `${STALLED} NOT all gone`) +
        `; normal client connected: ${normal.connected}`,
    );
    return { idle, busy, peak, allDroppedAt };
  } finally {
    normal?.close();
    for (const ws of stalled) ws.terminate();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
