import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidEvent, type ConnectedEvent } from '../../src/domain/events.js';
import { RawCaptureWriter } from '../../src/sources/tiktok/index.js';
import { parseRawLine } from '../../src/sources/tiktok/raw-capture-format.js';
import { tempDir } from './fixtures/profile-harness.js';
import { ROOM, STREAMER_ID, T0 } from './fixtures/webcast-messages.js';

const header: ConnectedEvent = {
  type: 'connected',
  at: T0,
  streamer: 'alice',
  streamerId: STREAMER_ID,
  roomId: ROOM,
};

describe('the raw capture writer', () => {
  it('writes the connected line first, then each message with its exact bytes', async () => {
    const file = path.join(tempDir(), 'c.ndjson');
    const writer = RawCaptureWriter.open(file);
    // The library hands out views into bigger buffers: only the view's bytes belong to it.
    const frame = Buffer.from([9, 9, 1, 2, 3, 250, 9]);
    writer.message(T0, 'WebcastChatMessage', frame.subarray(2, 6)); // before the header: dropped
    writer.connected(header);
    writer.message(T0 + 5, 'WebcastGiftMessage', frame.subarray(2, 6));
    await writer.close();

    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines).toEqual([
      '{"type":"connected","at":1718000000000,"streamer":"alice","streamerId":"6900000000000000001","roomId":"7400000000000000001"}',
      '{"at":1718000000005,"method":"WebcastGiftMessage","payload":"AQID+g=="}',
      '',
    ]);
    const parsed = parseRawLine(lines[1]!);
    expect(parsed).not.toBeInstanceOf(InvalidEvent);
    expect(parsed).toMatchObject({ kind: 'message', method: 'WebcastGiftMessage' });
    expect([...(parsed as { payload: Uint8Array }).payload]).toEqual([1, 2, 3, 250]);
    expect(writer.messages).toBe(1);
  });

  it('never overwrites an existing capture unless asked, and is readable by its owner only', async () => {
    const file = path.join(tempDir(), 'c.ndjson');
    fs.writeFileSync(file, 'precious');
    expect(() => RawCaptureWriter.open(file)).toThrow(/already exists/);
    expect(fs.readFileSync(file, 'utf8')).toBe('precious');
    const replaced = RawCaptureWriter.open(file, { overwrite: true });
    replaced.connected(header);
    await replaced.close();
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\{"type":"connected"/);

    const fresh = path.join(tempDir(), 'fresh.ndjson');
    const writer = RawCaptureWriter.open(fresh);
    writer.connected(header);
    await writer.close();
    if (process.platform !== 'win32') expect(fs.statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it('creates no file until a LIVE was connected, so a failed record can simply be retried', async () => {
    const file = path.join(tempDir(), 'c.ndjson');
    const writer = RawCaptureWriter.open(file);
    writer.message(T0, 'WebcastChatMessage', new Uint8Array([1]));
    await writer.close();
    expect(fs.existsSync(file)).toBe(false);
    const retry = RawCaptureWriter.open(file);
    retry.connected(header);
    await retry.close();
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(2);
  });

  it('says why it cannot open a file', () => {
    expect(() => RawCaptureWriter.open(path.join(tempDir(), 'no', 'such', 'dir.ndjson'))).toThrow(
      expect.objectContaining({
        code: 'capture_unwritable',
        message: expect.stringMatching(/ENOENT/),
      }),
    );
  });

  it.runIf(fs.existsSync('/dev/full'))(
    'a failing disk stops the capture, not the caller',
    async () => {
      const errors: string[] = [];
      const writer = RawCaptureWriter.open('/dev/full', {
        overwrite: true,
        onError: (message) => errors.push(message),
      });
      writer.connected(header);
      for (let i = 0; i < 3; i++) writer.message(T0, 'WebcastLikeMessage', new Uint8Array(4000));
      await writer.close();
      expect(errors).toEqual([expect.stringMatching(/the raw capture full stopped: ENOSPC/)]);
    },
  );
});
