#!/usr/bin/env node
// Synthesises livetally's alert sounds into web/sounds/*.wav: short chimes made of sine
// partials with exponential decays, computed sample by sample — no recordings, no samples
// from anywhere else, no randomness, so the same script always writes the same bytes.
// They are part of livetally and under its MIT licence (see web/sounds/README.md).
// Usage: node scripts/generate-sounds.js [--out DIR]   (default: web/sounds/)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RATE = 22_050;
const outFlag = process.argv.indexOf('--out');
const out =
  outFlag > 0 && process.argv[outFlag + 1]
    ? path.resolve(process.argv[outFlag + 1])
    : fileURLToPath(new URL('../web/sounds/', import.meta.url));

/** A note: partials [frequency ratio, amplitude, decay per second] from `start` seconds on. */
function note(buffer, { start, freq, partials, attack = 0.004, length, glide = 0, vibrato = 0 }) {
  const from = Math.round(start * RATE);
  const count = Math.min(buffer.length - from, Math.round(length * RATE));
  for (const [ratio, amplitude, decay] of partials) {
    let phase = 0;
    for (let i = 0; i < count; i++) {
      const t = i / RATE;
      // A pitch glide (pop) and a slow vibrato (fanfare), both optional.
      const f =
        freq *
        ratio *
        (1 + glide * Math.exp(-t * 30)) *
        (1 + vibrato * Math.sin(2 * Math.PI * 5.5 * t));
      phase += (2 * Math.PI * f) / RATE;
      const envelope = Math.min(1, t / attack) * Math.exp(-decay * t);
      // A short release at the end of the note so that nothing clicks.
      const release = Math.min(1, (count - i) / (0.01 * RATE));
      buffer[from + i] += amplitude * envelope * release * Math.sin(phase);
    }
  }
}

const BELL = [
  [1, 1, 6],
  [2, 0.45, 9],
  [3, 0.18, 14],
  [4.2, 0.08, 20],
];
const BRASS = [
  [1, 1, 2.2],
  [2, 0.6, 2.6],
  [3, 0.42, 3],
  [4, 0.26, 3.5],
  [5, 0.16, 4],
  [6, 0.1, 4.5],
];

const SOUNDS = {
  // follow: two bright notes going up
  chime: {
    seconds: 0.9,
    notes: [
      { start: 0, freq: 1318.5, partials: BELL, length: 0.5 },
      { start: 0.12, freq: 1975.5, partials: BELL, length: 0.78 },
    ],
  },
  // gift: the classic coin — a short note, then a higher one that rings
  coin: {
    seconds: 0.7,
    notes: [
      {
        start: 0,
        freq: 987.8,
        partials: [
          [1, 1, 4],
          [3, 0.3, 6],
          [5, 0.12, 8],
        ],
        length: 0.08,
      },
      {
        start: 0.08,
        freq: 1318.5,
        partials: [
          [1, 1, 5],
          [3, 0.3, 7],
          [5, 0.12, 9],
        ],
        length: 0.6,
      },
    ],
  },
  // share: a soft pop, falling quickly in pitch
  pop: {
    seconds: 0.25,
    notes: [
      {
        start: 0,
        freq: 330,
        glide: 1.6,
        partials: [
          [1, 1, 22],
          [2, 0.25, 30],
        ],
        length: 0.25,
        attack: 0.002,
      },
    ],
  },
  // a single bell strike with the inharmonic partials of a real bell
  bell: {
    seconds: 1.6,
    notes: [
      {
        start: 0,
        freq: 880,
        partials: [
          [1, 1, 2.5],
          [2.76, 0.5, 3.5],
          [5.4, 0.25, 5],
          [8.93, 0.12, 7],
        ],
        length: 1.6,
        attack: 0.002,
      },
    ],
  },
  // goal reached: a rising arpeggio, brass-like
  fanfare: {
    seconds: 1.4,
    notes: [
      { start: 0, freq: 523.25, partials: BRASS, length: 0.2, attack: 0.02, vibrato: 0.004 },
      { start: 0.14, freq: 659.25, partials: BRASS, length: 0.2, attack: 0.02, vibrato: 0.004 },
      { start: 0.28, freq: 783.99, partials: BRASS, length: 0.2, attack: 0.02, vibrato: 0.004 },
      { start: 0.42, freq: 1046.5, partials: BRASS, length: 0.98, attack: 0.02, vibrato: 0.006 },
    ],
  },
};

/** 16-bit PCM, mono, peak at −3 dBFS. */
function wav(samples) {
  const peak = samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0) || 1;
  const scale = (0.708 * 32767) / peak;
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.round(s * scale), i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

fs.mkdirSync(out, { recursive: true });
for (const [name, sound] of Object.entries(SOUNDS)) {
  const samples = new Float64Array(Math.round(sound.seconds * RATE));
  for (const n of sound.notes) note(samples, n);
  const file = path.join(out, `${name}.wav`);
  fs.writeFileSync(file, wav(samples));
  process.stdout.write(
    `${path.relative(process.cwd(), file)} ${(fs.statSync(file).size / 1024).toFixed(1)} KiB\n`,
  );
}
