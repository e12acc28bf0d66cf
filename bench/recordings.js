import fs from 'node:fs';
import path from 'node:path';
import { RecordingGenerator, recordingLines } from '../dist/sources/replay/recording-generator.js';

/** A generated recording cached under .bench/, keyed by its parameters. */
export async function benchRecording(dir, options) {
  const name = `rec-s${options.seed}-d${options.durationSec}-i${options.intensity}-a${options.audience}.ndjson`;
  const file = path.join(dir, name);
  const truthFile = `${file}.truth.json`;
  if (fs.existsSync(file) && fs.existsSync(truthFile)) {
    return { file, truth: JSON.parse(fs.readFileSync(truthFile, 'utf8')) };
  }
  fs.mkdirSync(dir, { recursive: true });
  const generator = new RecordingGenerator(options);
  const out = fs.createWriteStream(`${file}.tmp`);
  for (const line of recordingLines(generator)) {
    if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));
  fs.renameSync(`${file}.tmp`, file);
  const { events, stats, peakViewers } = generator.truth;
  const truth = { events, stats, peakViewers };
  fs.writeFileSync(truthFile, JSON.stringify(truth));
  return { file, truth };
}
