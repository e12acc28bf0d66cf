import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordingGenerator, recordingLines } from '../dist/sources/replay/recording-generator.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin', 'livetally.js');

/**
 * What checking a profile file costs: SQLite's page check (PRAGMA quick_check) alone, and
 * `livetally stats` (a read-only command: copy in memory + check) with and without the note
 * that livetally closed the file cleanly. Profiles of a few sizes are made from one busy
 * hour (50,000 viewers) replayed for real, copied into more broadcasts with SQL.
 */
export async function benchOpenCheck(log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-check-'));
  try {
    const data = path.join(dir, 'data');
    const recording = path.join(dir, 'hour.ndjson');
    const generator = new RecordingGenerator({
      seed: 11,
      durationSec: 3600,
      intensity: 1,
      audience: 50_000,
    });
    fs.writeFileSync(recording, [...recordingLines(generator)].join(''));
    run(['--data-dir', data, 'replay', recording, '-q']);
    const file = path.join(data, 'user_configs', 'default.db');
    for (const broadcasts of [1, 10, 100]) {
      inflate(file, broadcasts);
      const mb = fs.statSync(file).size / 1e6;
      const check = median(3, () => quickCheck(file));
      // A writer closing the file cleanly leaves the note; `reset` is the cheapest writer.
      run(['--data-dir', data, 'reset']);
      const noted = median(3, () => timed(['--data-dir', data, 'stats']));
      touch(file);
      const checked = median(3, () => timed(['--data-dir', data, 'stats']));
      log(
        `profile ${mb.toFixed(0)} MB (${broadcasts} broadcast${broadcasts > 1 ? 's' : ''} of 50,000 viewers): ` +
          `quick_check ${check.ms.toFixed(0)} ms (${(check.ms / mb).toFixed(1)} ms/MB); ` +
          `livetally stats ${noted.ms.toFixed(0)} ms when closed cleanly, ` +
          `${checked.ms.toFixed(0)} ms after an outside change (peak RSS ${noted.rssMb} / ${checked.rssMb} MB)`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(args) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`livetally ${args.join(' ')}: ${result.stderr}`);
}

/** Wall time and peak RSS of one `livetally` run (GNU time). */
function timed(args) {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], {
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`livetally ${args.join(' ')}: ${result.stderr}`);
  const kb = Number(result.stderr.trim().split('\n').at(-1));
  return { ms, rssMb: Math.round(kb / 1024) };
}

function quickCheck(file) {
  const db = new Database(file, { readonly: true });
  const started = performance.now();
  db.pragma('quick_check');
  const ms = performance.now() - started;
  db.close();
  return { ms };
}

/** Copies the first broadcast until the file holds `count` of them. */
function inflate(file, count) {
  const db = new Database(file);
  const have = db.prepare('SELECT count(*) FROM sessions').pluck().get();
  for (let n = have; n < count; n++) {
    db.transaction(() => {
      const id = Number(
        db
          .prepare(
            `INSERT INTO sessions (streamer, streamer_id, room_id, started_at, ended_at, end_reason,
               viewers, likes, total_coins, followers, shares, gifts, peak_viewers, updated_at)
             SELECT streamer, streamer_id, room_id || ?, started_at + ? * 86400000,
               ended_at + ? * 86400000, end_reason, viewers, likes, total_coins, followers,
               shares, gifts, peak_viewers, updated_at FROM sessions WHERE id = 1`,
          )
          .run(n, n, n).lastInsertRowid,
      );
      db.prepare(
        `INSERT INTO session_viewers SELECT ?, user_id, handle, nickname, coins, gifts, likes,
           comments, shares, follows, first_seen, last_seen FROM session_viewers WHERE session_id = 1`,
      ).run(id);
      db.prepare(
        `INSERT INTO session_samples SELECT ?, t, viewers, likes, total_coins, followers, shares,
           gifts FROM session_samples WHERE session_id = 1`,
      ).run(id);
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Changes the file's times, as any outside write would. */
function touch(file) {
  const now = new Date();
  fs.utimesSync(file, now, now);
}

function median(times, measure) {
  const runs = Array.from({ length: times }, measure).sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(times / 2)];
}
