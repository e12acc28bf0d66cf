import fs from 'node:fs';

/** Non-blank lines and their 1-based line numbers, as parallel arrays (no object per line). */
export interface LineBatch {
  texts: string[];
  numbers: number[];
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The non-blank lines of a file, in batches, read in large binary chunks (a UTF-8 byte-order
 * mark at its start is skipped). Each line is
 * decoded on its own: most lines are ASCII and take V8's fast path, where decoding whole
 * chunks falls to the slow path as soon as one emoji appears. (readline is slower still.)
 */
export async function* readLines(
  file: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<LineBatch> {
  const stream = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  let carry: Buffer | undefined;
  let number = 0;
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      const batch: LineBatch = { texts: [], numbers: [] };
      let start = 0;
      if (carry) {
        // Only the line split across chunks is joined, never the whole chunk.
        const end = chunk.indexOf(NEWLINE);
        if (end === -1) {
          carry = Buffer.concat([carry, chunk]);
          continue;
        }
        const joined = Buffer.concat([carry, chunk.subarray(0, end)]);
        carry = undefined;
        push(batch, ++number, joined, 0, joined.length);
        start = end + 1;
      }
      for (
        let end = chunk.indexOf(NEWLINE, start);
        end !== -1;
        end = chunk.indexOf(NEWLINE, start)
      ) {
        push(batch, ++number, chunk, start, end);
        start = end + 1;
      }
      if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
      onBytes?.(bytes);
      if (batch.texts.length > 0) yield batch;
    }
    if (carry) {
      const batch: LineBatch = { texts: [], numbers: [] };
      push(batch, number + 1, carry, 0, carry.length);
      if (batch.texts.length > 0) yield batch;
    }
  } finally {
    stream.destroy();
  }
}

function push(batch: LineBatch, number: number, buffer: Buffer, start: number, end: number) {
  // Editors on Windows often start a UTF-8 file with a byte-order mark: it is not content.
  if (number === 1 && end - start >= 3 && buffer[start] === 0xef && buffer[start + 1] === 0xbb) {
    if (buffer[start + 2] === 0xbf) start += 3;
  }
  if (end > start && buffer[end - 1] === CARRIAGE_RETURN) end--;
  if (end === start) return;
  const text = buffer.toString('utf8', start, end);
  const first = buffer[start];
  if ((first === 0x20 || first === 0x09) && text.trim() === '') return;
  batch.texts.push(text);
  batch.numbers.push(number);
}
