import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const STEPS = (process.env.BENCH_ROSTER_STEPS ?? '10,50,100,200,500,750,1000')
  .split(',')
  .map(Number);
const SECONDS = Number(process.env.BENCH_ROSTER_SECONDS ?? 15);
/** A save may be this late and still be on time: the file holds at most 1.5 intervals' loss. */
const SAVE_MS = 1000;
const ON_TIME_MS = SAVE_MS + 500;
/** `livetally start` exits this long after Ctrl+C whatever it waits for. */
const STOP_LIMIT_MS = 10_000;
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * How many LIVEs one process holds in SQLite mode: each step starts a fresh process with N
 * profiles counting the bundled recording at 50 events/s each, and stops at the first step
 * that needs more than one core, lets a save fall behind, or cannot stop within 10 s.
 */
export async function benchRoster(log) {
  log(
    `each LIVE: recordings/demo.ndjson re-paced to 50 events/s; saves every 1 s; ${SECONDS} s measured after 5 s of warm-up`,
  );
  log(
    '   LIVEs   events/s   CPU (1 core = 100%)   loop delay p99 / max   stalest save   RSS    RSS per LIVE   stop',
  );
  let held = 0;
  let perLive = 0;
  for (const lives of STEPS) {
    let result;
    try {
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', path.join(root, 'bench', 'roster-live.js'), String(lives), String(SECONDS)],
        { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 },
      );
      result = JSON.parse(out.trim().split('\n').at(-1));
    } catch (error) {
      log(`${String(lives).padStart(8)}   failed: ${error.message.split('\n')[0]}`);
      break;
    }
    const onTime = result.notSaved === 0 && result.stalestSaveMs <= ON_TIME_MS;
    const withinCore = result.cpuPercent <= 100;
    log(
      [
        String(lives).padStart(8),
        fmt(result.eventsPerSecond).padStart(10),
        `${fmt(result.cpuPercent)} %`.padStart(21),
        `${fmt(result.loopDelayP99Ms)} / ${fmt(result.loopDelayMaxMs)} ms`.padStart(22),
        `${fmt(result.stalestSaveMs)} ms${onTime ? '' : ' LATE'}`.padStart(14),
        `${fmt(result.rssMb)} MB`.padStart(7),
        `${fmt(result.rssPerLiveKb)} KB`.padStart(14),
        `${fmt(result.stopMs / 1000, 1)} s`.padStart(6),
      ].join(' '),
    );
    if (result.rosterMs !== null)
      log(
        `          GET /api/profiles/roster with ${lives} LIVEs counting: ${fmt(result.rosterMs)} ms; the counting waited at most ${fmt(result.rosterLoopMaxMs)} ms meanwhile`,
      );
    if (result.counting !== lives) {
      log(`          only ${result.counting} of ${lives} were still connected`);
    }
    // livetally start gives a stop 10 s before it exits anyway (unsaved LIVEs then close as
    // "interrupted" at their last periodic save).
    const stopsInTime = result.stopMs <= STOP_LIMIT_MS;
    if (!stopsInTime)
      log(`          stopping took longer than the ${STOP_LIMIT_MS / 1000} s limit`);
    if (!withinCore || !onTime || result.counting !== lives || !stopsInTime) break;
    held = lives;
    perLive = result.rssPerLiveKb;
  }
  log(
    `held within one core, every save on time, stopped within ${STOP_LIMIT_MS / 1000} s: ${held} concurrent LIVEs (target ≥ 500); RSS per LIVE ≈ ${fmt(perLive)} KB`,
  );
}
