import fs from 'node:fs';
import path from 'node:path';
import type { StreamEvent } from '../../src/domain/events.js';
import {
  RecordingGenerator,
  recordingLines,
  type RecordingOptions,
} from '../../src/sources/replay/recording-generator.js';

/** Writes events as an NDJSON recording. */
export function writeRecording(dir: string, name: string, events: readonly StreamEvent[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return file;
}

/** Generates a seeded recording into `dir` and returns its path and ground truth. */
export function generateRecording(dir: string, options: RecordingOptions, name = 'rec.ndjson') {
  const generator = new RecordingGenerator(options);
  const file = path.join(dir, name);
  fs.writeFileSync(file, [...recordingLines(generator)].join(''));
  return { file, truth: generator.truth };
}
