#!/usr/bin/env node
// Builds the pages (web/) into dist/web/: HTML as written, TypeScript and CSS bundled and
// minified by esbuild. Everything is served by livetally itself; nothing comes from a CDN.
// Usage: node scripts/build-web.js
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'dist', 'web');

/** Page → the HTML file and the bundles it loads (names are fixed: the HTML refers to them). */
const ENTRIES = {
  dashboard: 'web/dashboard/main.ts',
  overlay: 'web/overlay/counters-main.ts',
  alerts: 'web/overlay/alerts-main.ts',
  goal: 'web/overlay/goal-main.ts',
  leaderboard: 'web/overlay/leaderboard-main.ts',
  'dashboard-style': 'web/dashboard/dashboard.css',
  'overlay-style': 'web/overlay/overlay.css',
  history: 'web/dashboard/history/main.ts',
  'history-style': 'web/dashboard/history/history.css',
  'history-panel-style': 'web/dashboard/history/history-parts.css',
};
const PAGES = [
  'web/dashboard/index.html',
  'web/overlay/overlay.html',
  'web/overlay/alerts.html',
  'web/overlay/goal.html',
  'web/overlay/leaderboard.html',
  'web/dashboard/history/history.html',
];
const STATIC_ASSETS = ['web/shared/icon.svg'];
/** The alert sounds (scripts/generate-sounds.js), served as /assets/sound-NAME.wav. */
const SOUNDS_DIR = 'web/sounds';

// Start clean so that a renamed or deleted asset is not served from an older build.
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: ENTRIES,
  outdir: path.join(out, 'assets'),
  bundle: true,
  format: 'esm',
  // OBS browser sources run an embedded Chromium that lags behind Chrome by a few versions.
  target: ['chrome95', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

for (const page of PAGES) {
  fs.copyFileSync(path.join(root, page), path.join(out, path.basename(page)));
}
for (const asset of STATIC_ASSETS) {
  fs.copyFileSync(path.join(root, asset), path.join(out, 'assets', path.basename(asset)));
}
for (const sound of fs.readdirSync(path.join(root, SOUNDS_DIR))) {
  if (!sound.endsWith('.wav')) continue;
  fs.copyFileSync(path.join(root, SOUNDS_DIR, sound), path.join(out, 'assets', `sound-${sound}`));
}

if (!process.argv.includes('--quiet')) {
  const sizes = Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map') && !file.endsWith('.LEGAL.txt'))
    .map(([file, info]) => `${path.basename(file)} ${(info.bytes / 1024).toFixed(1)} KiB`);
  process.stdout.write(`pages built into ${path.relative(root, out)}/: ${sizes.join(', ')}\n`);
}
