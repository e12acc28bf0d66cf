import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DEFAULT_DEDUPE_OPTIONS, MessageDedupe } from '../dist/domain/message-dedupe.js';
import { benchRecording } from './recordings.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mb = (bytes) => (bytes / 1e6).toFixed(1);

/** A 4-hour LIVE of about 2 million messages (issue 8, item 6). */
export const FOUR_HOURS = { seed: 48, durationSec: 4 * 3600, intensity: 1.65, audience: 50_000 };

/** `livetally replay --speed 0` into `data`; returns the result, wall time and peak RSS. */
function replay(data, file) {
  const rssFile = path.join(data, 'rss');
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
  return {
    result: JSON.parse(child.stdout),
    wallMs,
    rssMb: Number(fs.readFileSync(rssFile, 'utf8')) / 1024,
  };
}

function fileFigures(data) {
  const file = path.join(data, 'user_configs', 'default.db');
  const bytes = ['', '-wal', '-shm']
    .map((s) => (fs.existsSync(file + s) ? fs.statSync(file + s).size : 0))
    .reduce((a, b) => a + b, 0);
  const db = new Database(file, { readonly: true });
  try {
    const keys = db.prepare('SELECT count(*) FROM room_message_keys').pluck().get();
    const pages = db
      .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC')
      .all();
    return { bytes, keys, pages };
  } finally {
    db.close();
  }
}

export async function benchBroadcast(log) {
  log('generating a 4-hour broadcast (cached in .bench/) …');
  const { file, truth } = await benchRecording(path.join(root, '.bench'), FOUR_HOURS);
  log(`recording: ${fmt(truth.events)} events over 4 hours, ${mb(fs.statSync(file).size)} MB`);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-'));
  try {
    const once = replay(data, file);
    if (JSON.stringify(once.result.stats) !== JSON.stringify(truth.stats)) {
      throw new Error(
        `counted ${JSON.stringify(once.result.stats)}, expected ${JSON.stringify(truth.stats)}`,
      );
    }
    const figures = fileFigures(data);
    log(
      `counted once (livetally replay --speed 0): ${fmt(truth.events / (once.wallMs / 1000))} events/s, peak RSS ${once.rssMb.toFixed(0)} MB`,
    );
    log(`profile file: ${mb(figures.bytes)} MB in all, ${fmt(figures.keys)} message keys`);
    for (const { name, bytes } of figures.pages.slice(0, 5)) log(`  ${name}: ${mb(bytes)} MB`);
    const keyBytes = figures.pages
      .filter((p) => p.name === 'room_message_keys')
      .reduce((a, p) => a + p.bytes, 0);
    log(`  → ${(keyBytes / figures.keys).toFixed(1)} bytes per message id in the file`);

    const twice = replay(data, file);
    if (JSON.stringify(twice.result.stats) !== JSON.stringify(truth.stats)) {
      throw new Error(
        `counted again: ${JSON.stringify(twice.result.stats)}, expected ${JSON.stringify(truth.stats)}`,
      );
    }
    log(
      `counted again (every message looked up in the file): ${fmt(truth.events / (twice.wallMs / 1000))} events/s, peak RSS ${twice.rssMb.toFixed(0)} MB; numbers unchanged`,
    );

    // The de-duplication's own memory at this broadcast's live rate (~140 messages a second,
    // a save a second): the same after 100,000 ids as after 2,000,000.
    const dedupe = new MessageDedupe(DEFAULT_DEDUPE_OPTIONS);
    const id = (i) => (7350000000000000000n + BigInt(i) * 7919n).toString();
    let at100k = 0;
    for (let i = 0; i < 2_000_000; i++) {
      dedupe.check(id(i));
      if (i % 140 === 139) dedupe.committed(dedupe.drainNew().mark);
      if (i === 99_999) at100k = dedupe.memoryBytes;
    }
    log(
      `de-duplication memory at the live rate (4 MiB filter + recent window): ${mb(at100k)} MB after 100,000 ids, ${mb(dedupe.memoryBytes)} MB after 2,000,000`,
    );
    return { once, twice, figures, dedupeBytes: dedupe.memoryBytes };
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
}
