import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BroadcastTally } from '../dist/domain/broadcast-tally.js';
import { InvalidEvent, parseEventLine } from '../dist/domain/events.js';
import { lineText, readLines } from '../dist/sources/replay/ndjson-lines.js';
import { benchRecording } from './recordings.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** A busy LIVE: about a million events from ~50,000 distinct viewers. */
export const BIG = { seed: 7, durationSec: 3000, intensity: 5, audience: 50_000 };
const QUARTER = { ...BIG, durationSec: 750 };
const HALF = { ...BIG, durationSec: 1500 };

async function loadEvents(file, limit) {
  const events = [];
  for await (const batch of readLines(file)) {
    for (let i = 0; i < batch.numbers.length; i++) {
      const event = parseEventLine(lineText(batch, i));
      if (!(event instanceof InvalidEvent) && event.type !== 'connected') events.push(event);
      if (events.length >= limit) return events;
    }
  }
  return events;
}

/** Events per second through the stats rules alone (parsed beforehand, no I/O). */
function reducerRate(events) {
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const tally = new BroadcastTally();
    const started = performance.now();
    let now = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event.at > now) now = event.at;
      if ((i & 1023) === 0) tally.tick(now);
      tally.apply(event, now);
      // what a 1 s save interval drains at ~300,000 events/s, committed by storage
      if (i % 300_000 === 299_999) tally.commitMessages(tally.drainChanges(now).messageMark);
    }
    tally.drainChanges(now);
    best = Math.max(best, events.length / ((performance.now() - started) / 1000));
  }
  return best;
}

/** A bare read-and-JSON.parse of the file in a fresh process, timed the same way. */
function bareParse(file) {
  const started = performance.now();
  const child = spawnSync(process.execPath, [path.join(root, 'bench/bare-parse.js'), file], {
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`the bare parse failed: ${child.stderr}`);
  return { wallMs, lines: Number(child.stdout) };
}

/** `livetally replay --speed 0` in a fresh process and data directory. */
function endToEnd(file) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-'));
  const rssFile = path.join(data, 'rss');
  try {
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [
        '--require',
        path.join(root, 'bench/report-rss.cjs'),
        path.join(root, 'bin/livetally.js'),
        '--data-dir',
        data,
        'replay',
        file,
        '--speed',
        '0',
        '--json',
      ],
      { encoding: 'utf8', env: { ...process.env, LIVETALLY_BENCH_RSS_FILE: rssFile } },
    );
    const wallMs = performance.now() - started;
    if (child.status !== 0) throw new Error(`replay failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout);
    return { result, wallMs, rssMb: Number(fs.readFileSync(rssFile, 'utf8')) / 1024 };
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
}

export async function benchReplay(log) {
  const dir = path.join(root, '.bench');
  log('generating recordings (cached in .bench/) …');
  const big = await benchRecording(dir, BIG);
  const quarter = await benchRecording(dir, QUARTER);
  const half = await benchRecording(dir, HALF);
  const size = (f) => (fs.statSync(f).size / 1e6).toFixed(0);
  log(
    `recording: ${fmt(big.truth.events)} events, ${size(big.file)} MB (and ${fmt(quarter.truth.events)} and ${fmt(half.truth.events)} for the memory check)`,
  );

  // Taking turns, so that a busy moment of the machine weighs on both alike.
  const runs = [];
  const bare = [];
  for (let i = 0; i < 3; i++) {
    runs.push(endToEnd(big.file));
    bare.push(bareParse(big.file));
  }
  for (const run of runs) {
    if (JSON.stringify(run.result.stats) !== JSON.stringify(big.truth.stats)) {
      throw new Error(
        `replay counted ${JSON.stringify(run.result.stats)}, expected ${JSON.stringify(big.truth.stats)}`,
      );
    }
  }
  const rates = runs.map((r) => big.truth.events / (r.wallMs / 1000)).sort((a, b) => a - b);
  const median = rates[1];
  log(
    `end to end, livetally replay --speed 0 (process start to exit, parse, validate, dedupe, count, per-viewer totals, saves):`,
  );
  log(
    `  ${fmt(median)} events/s median of 3 (runs: ${rates.map(fmt).join(', ')}); numbers match the recording's ground truth`,
  );
  log(
    `  reference helper app: ~20,000 events/s (one SQLite write per event); target here: ≥ 250,000 events/s`,
  );
  const bareRates = bare.map((r) => r.lines / (r.wallMs / 1000)).sort((a, b) => a - b);
  const ratio = median / bareRates[1];
  log(
    `  bare read-and-JSON.parse of the same file (same line reader, process start to exit): ` +
      `${fmt(bareRates[1])} lines/s median of 3 (runs: ${bareRates.map(fmt).join(', ')})`,
  );
  log(`  replay / bare parse: ${ratio.toFixed(2)} (target ≥ 0.8)`);
  const small = endToEnd(quarter.file);
  const middle = endToEnd(half.file);
  log(
    `  peak resident memory (whole process, both threads): ${small.rssMb.toFixed(0)} MB for ${fmt(quarter.truth.events)} events, ` +
      `${middle.rssMb.toFixed(0)} MB for ${fmt(half.truth.events)}, ${runs.map((r) => r.rssMb.toFixed(0)).join('/')} MB for ${fmt(big.truth.events)}`,
  );

  // Last: it holds a million parsed events in this process, which must not weigh on the runs above.
  const events = await loadEvents(big.file, 1_000_000);
  const reducer = reducerRate(events);
  log(
    `pure reducer (stats rules, no parsing, no I/O): ${fmt(reducer)} events/s (best of 5, ${fmt(events.length)} events)`,
  );
  return {
    reducer,
    endToEnd: median,
    ratio,
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
  };
}
