import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRawCapture } from '../../src/sources/tiktok/raw-capture-sniff.js';
import { closeAllServers, testServer, waitFor } from '../helpers/server.js';
import { expectedTotals, wholeBroadcast } from './fixtures/broadcast-script.js';
import { tempDir } from './fixtures/profile-harness.js';
import { connectedLine, messageLine, writeCapture } from './fixtures/raw-capture-file.js';
import { T0, likeMessage, ann } from './fixtures/webcast-messages.js';

afterEach(closeAllServers);

describe('a raw capture in the replay folder', () => {
  it('plays through the TikTok adapter when its streamer is connected', async () => {
    const replayDir = tempDir();
    fs.copyFileSync(writeCapture(wholeBroadcast), path.join(replayDir, 'alice.ndjson'));
    const server = await testServer({ replayDir });
    const view = await server.service.connect('alice');
    expect(view).toMatchObject({ source: 'replay' });
    await waitFor(() => server.service.connection.isIdle, 20_000);
    expect((await server.service.saved())?.stats).toEqual(expectedTotals);
  });

  it('is told from a recording by the line after its connected line', async () => {
    const dir = tempDir();
    const write = (name: string, lines: string[]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      return file;
    };
    const message = messageLine(likeMessage({ msgId: '5', from: ann, count: 1, total: 0 }), T0);
    const event = JSON.stringify({ type: 'like', at: T0, msgId: '5', user: ann, count: 1 });
    expect(await isRawCapture(write('capture.ndjson', [connectedLine(), '', message]))).toBe(true);
    expect(await isRawCapture(write('recording.ndjson', [connectedLine(), event]))).toBe(false);
    expect(await isRawCapture(write('header-only.ndjson', [connectedLine()]))).toBe(false);
    expect(await isRawCapture(path.join(dir, 'missing.ndjson'))).toBe(false);
    // A message line longer than what is read to tell: its start is enough.
    const long = JSON.stringify({
      at: T0,
      method: 'WebcastGiftMessage',
      payload: 'A'.repeat(100_000),
    });
    expect(await isRawCapture(write('long.ndjson', [connectedLine(), long]))).toBe(true);
  });
});
