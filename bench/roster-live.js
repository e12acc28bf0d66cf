// One step of `npm run bench -- roster`, in a process of its own: N profiles each counting a
// replay of the bundled recording at 50 events/s, in one LiveService (SQLite mode). Prints one
// JSON line with what it measured. Usage: node bench/roster-live.js N SECONDS
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { LiveService } from '../dist/app/live-service.js';
import { silentLogger } from '../dist/app/logger.js';
import { profileRoster } from '../dist/app/profile-roster.js';
import { createSourceFactory } from '../dist/app/source-factory.js';
import { Workspace } from '../dist/app/workspace.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DEMO = path.join(root, 'recordings', 'demo.ndjson');
const RATE = 50; // events per second per LIVE
const SAVE_MS = 1000; // the default save interval
const WARM_MS = 5000;
const count = Number(process.argv[2]);
const seconds = Number(process.argv[3] ?? 15);

const lines = fs.readFileSync(DEMO, 'utf8').trimEnd().split('\n');
const first = JSON.parse(lines[0]);
const last = JSON.parse(lines.at(-1));
// The bundled recording's own pace (its realistic mix), slowed to RATE events per second.
const speed = RATE / ((lines.length - 1) / ((last.at - first.at) / 1000));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livetally-bench-roster-'));
const replays = path.join(dir, 'replays');
fs.mkdirSync(replays);
fs.copyFileSync(DEMO, path.join(replays, 'demo.ndjson'));
const workspace = new Workspace(path.join(dir, 'data'), silentLogger);
workspace.lockForWriting('bench');
const service = await LiveService.open({
  workspace,
  logger: silentLogger,
  saveIntervalMs: SAVE_MS,
  sources: createSourceFactory({ replayDir: replays, speed, logger: silentLogger }),
});
const names = Array.from({ length: count }, (_, i) => `live${String(i).padStart(4, '0')}`);
for (const name of names) await service.createProfile(name);
global.gc?.();
const rssBefore = process.memoryUsage().rss;

// Connected over one second, as LIVEs starting at different moments would be.
const connecting = names.map(
  (name, i) =>
    new Promise((resolve, reject) =>
      setTimeout(
        () => service.fleet.connect(name, 'demo').then(resolve, reject),
        Math.floor((i * 1000) / count),
      ),
    ),
);
await Promise.all(connecting);
await sleep(WARM_MS);

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
await sleep(seconds * 1000);
const cpu = process.cpuUsage(cpuStart);
const wallMs = performance.now() - wallStart;
delay.disable();
const memory = process.memoryUsage();
const rss = memory.rss;

// Every file holds the counts of the last save interval: how far behind is the worst one?
const now = Date.now();
let stalest = 0;
let notSaved = 0;
for (const name of names) {
  const saved = workspace.readCurrent(name);
  if (!saved?.updatedAtMs) notSaved++;
  else stalest = Math.max(stalest, now - saved.updatedAtMs);
}
// What the dashboard's roster costs with every profile counting.
// (Timed up to ROSTER_UP_TO LIVEs: beyond, one answer takes longer than a step should.)
const ROSTER_UP_TO = 500;
const rosterDelay = monitorEventLoopDelay({ resolution: 10 });
rosterDelay.enable();
const rosterStart = performance.now();
let rosterMs = null;
if (count <= ROSTER_UP_TO) {
  const roster = await profileRoster(service, { zone: 'UTC', now: Date.now() });
  rosterMs = performance.now() - rosterStart;
  if (roster.profiles.length !== count + 1) throw new Error('the roster misses profiles');
}
rosterDelay.disable();

const views = await Promise.all(names.map((n) => service.fleet.view(n)));
const counting = views.filter((v) => v.connection.state === 'connected').length;

const stopStart = performance.now();
await service.shutdown(AbortSignal.timeout(5000));
const stopMs = performance.now() - stopStart;
workspace.release();
fs.rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    lives: count,
    counting,
    eventsPerSecond: RATE * count,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
    stalestSaveMs: stalest,
    notSaved,
    rssMb: rss / 1048576,
    rssPerLiveKb: (rss - rssBefore) / 1024 / count,
    heapMb: memory.heapUsed / 1048576,
    externalMb: memory.external / 1048576,
    stopMs,
    rosterMs,
    rosterLoopMaxMs: rosterDelay.max / 1e6,
  })}\n`,
);

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
