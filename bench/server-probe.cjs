// Preloaded into the benchmarked server (--require): notes when the raw replay hands each
// line of interest to the TikTok connection (wall-clock ms, comparable across processes),
// and writes those times with the process's own figures at exit. It listens on a
// diagnostics channel, so the server's code is the same as without it.
const diagnostics = require('node:diagnostics_channel');
const fs = require('node:fs');

const out = process.env.LIVETALLY_BENCH_PROBE_FILE;
const linesFile = process.env.LIVETALLY_BENCH_PROBE_LINES;
if (out && linesFile) {
  const wanted = new Set(JSON.parse(fs.readFileSync(linesFile, 'utf8')));
  const handedAt = [];
  diagnostics.subscribe('livetally:raw-replay:hand-off', ({ line }) => {
    if (wanted.has(line)) handedAt.push(line, performance.timeOrigin + performance.now());
  });
  process.on('exit', () => {
    fs.writeFileSync(out, JSON.stringify({ handedAt, maxRssKb: process.resourceUsage().maxRSS }));
  });
}
