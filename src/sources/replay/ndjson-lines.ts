import fs from 'node:fs';

/**
 * The non-blank lines of one chunk of a file: where each one is in `buffer`, and its 1-based
 * line number (parallel arrays, no object per line). The text of a line is decoded only
 * when it is used (`lineText`): a chunk holds hundreds of lines, and decoding them all up
 * front would keep that many strings alive, in the young generation, until the last one is
 * handled — a paced replay takes a good part of a second for that.
 */
export interface LineBatch {
  buffer: Buffer;
  starts: number[];
  ends: number[];
  numbers: number[];
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const CHUNK_BYTES = 1024 * 1024;

/** The text of line `i` of a batch. */
export function lineText(batch: LineBatch, i: number): string {
  // Each line on its own: most lines are ASCII and take V8's fast path, where decoding a
  // whole chunk falls to the slow path as soon as one emoji appears.
  return batch.buffer.toString('utf8', batch.starts[i], batch.ends[i]);
}

/**
 * The non-blank lines of a file, in batches, read in large binary chunks (a UTF-8 byte-order
 * mark at its start is skipped; readline is slower) into two buffers that take turns: the next chunk is read while the lines of this
 * one are handled, and a long replay allocates nothing per chunk. A batch is valid until
 * the next one is asked for.
 */
export async function* readLines(
  file: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<LineBatch> {
  const handle = await fs.promises.open(file, 'r');
  let reading = Buffer.allocUnsafe(CHUNK_BYTES);
  let spare = Buffer.allocUnsafe(CHUNK_BYTES);
  let pending = handle.read(reading, 0, CHUNK_BYTES, null);
  let carry: Buffer | undefined;
  let number = 0;
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const chunk = reading.subarray(0, bytesRead);
      [reading, spare] = [spare, reading];
      pending = handle.read(reading, 0, CHUNK_BYTES, null);
      bytes += bytesRead;
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
        const batch = emptyBatch(joined);
        add(batch, ++number, 0, joined.length);
        if (batch.numbers.length > 0) yield batch;
        start = end + 1;
      }
      const batch = emptyBatch(chunk);
      for (
        let end = chunk.indexOf(NEWLINE, start);
        end !== -1;
        end = chunk.indexOf(NEWLINE, start)
      ) {
        add(batch, ++number, start, end);
        start = end + 1;
      }
      // A copy: this buffer is read into again two chunks from now.
      if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
      onBytes?.(bytes);
      if (batch.numbers.length > 0) yield batch;
    }
    if (carry) {
      const batch = emptyBatch(carry);
      add(batch, number + 1, 0, carry.length);
      if (batch.numbers.length > 0) yield batch;
    }
  } finally {
    // The read ahead may still be under way (a replay stopped early).
    await pending.catch(() => undefined);
    await handle.close();
  }
}

function emptyBatch(buffer: Buffer): LineBatch {
  return { buffer, starts: [], ends: [], numbers: [] };
}

function add(batch: LineBatch, number: number, start: number, end: number): void {
  const { buffer } = batch;
  // Editors on Windows often start a UTF-8 file with a byte-order mark: it is not content.
  if (number === 1 && end - start >= 3 && buffer[start] === 0xef && buffer[start + 1] === 0xbb) {
    if (buffer[start + 2] === 0xbf) start += 3;
  }
  if (end > start && buffer[end - 1] === CARRIAGE_RETURN) end--;
  if (isBlank(buffer, start, end)) return;
  batch.starts.push(start);
  batch.ends.push(end);
  batch.numbers.push(number);
}

/** Empty, or only white space (looked at only when the line starts with a space or tab). */
function isBlank(buffer: Buffer, start: number, end: number): boolean {
  if (end === start) return true;
  const first = buffer[start];
  if (first !== SPACE && first !== TAB) return false;
  return buffer.toString('utf8', start, end).trim() === '';
}
