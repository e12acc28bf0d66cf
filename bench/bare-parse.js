// The bare baseline of the replay bench: reads the file line by line exactly as a replay
// does (the same reader) and JSON.parses each line, nothing else. Prints the line count.
import { lineText, readLines } from '../dist/sources/replay/ndjson-lines.js';

let lines = 0;
let sink;
for await (const batch of readLines(process.argv[2])) {
  for (let i = 0; i < batch.numbers.length; i++) {
    sink = JSON.parse(lineText(batch, i));
    lines++;
  }
}
if (sink === undefined && lines > 0) throw new Error('nothing parsed');
process.stdout.write(`${lines}\n`);
