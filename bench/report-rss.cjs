// Preloaded into a benchmarked process: reports its peak resident memory (all threads) at exit.
const fs = require('node:fs');
const out = process.env.LIVETALLY_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    fs.writeFileSync(out, String(process.resourceUsage().maxRSS)); // kilobytes
  });
}
