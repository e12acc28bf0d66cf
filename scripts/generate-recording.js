#!/usr/bin/env node
// Writes a seeded, realistic recording (NDJSON) and prints its ground truth.
// Usage: node scripts/generate-recording.js --out FILE [--seed N] [--duration SEC] [--intensity X]
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { RecordingGenerator, recordingLines } from '../dist/sources/replay/recording-generator.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    seed: { type: 'string', default: '2026' },
    duration: { type: 'string', default: '240' },
    intensity: { type: 'string', default: '1' },
    audience: { type: 'string', default: '3000' },
    streamer: { type: 'string', default: 'demo_streamer' },
  },
});
if (!values.out) {
  process.stderr.write('usage: generate-recording.js --out FILE [--seed N] [--duration SEC]\n');
  process.exit(2);
}
const generator = new RecordingGenerator({
  seed: Number(values.seed),
  durationSec: Number(values.duration),
  intensity: Number(values.intensity),
  audience: Number(values.audience),
  streamer: values.streamer,
});
const out = fs.createWriteStream(values.out);
for (const line of recordingLines(generator)) {
  if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
}
await new Promise((resolve) => out.end(resolve));
const { stats, peakViewers, events } = generator.truth;
process.stdout.write(`${JSON.stringify({ events, peakViewers, stats })}\n`);
