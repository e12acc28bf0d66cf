import fs from 'node:fs/promises';

/** Enough of a file to hold its `connected` line and the line after it. */
const SNIFF_BYTES = 64 * 1024;
const MESSAGE_KEYS = /^\{\s*"at"\s*:\s*\d+\s*,\s*"method"\s*:/;

/**
 * True when a file is a raw capture rather than a recording: the line after its
 * `connected` line is a webcast message (`{"at","method","payload"}`), not an event
 * (`{"type",…}`). Read without loading tiktok-live-connector. A file that cannot be read,
 * or has nothing after its first line, is not called a raw capture.
 */
export async function isRawCapture(file: string): Promise<boolean> {
  let text: string;
  try {
    const handle = await fs.open(file, 'r');
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      text = buffer.toString('utf8', 0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const second = lines[1]?.trim();
  if (second === undefined) return false;
  try {
    const value: unknown = JSON.parse(second);
    return typeof value === 'object' && value !== null && 'method' in value && !('type' in value);
  } catch {
    // A line longer than what was read: its start tells.
    return MESSAGE_KEYS.test(second);
  }
}
