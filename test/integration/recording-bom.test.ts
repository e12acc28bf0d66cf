import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../helpers/cli.js';
import { connected, like } from '../helpers/events.js';
import { writeRecording } from '../helpers/recordings.js';
import { tempDir } from '../helpers/temp-dir.js';
import { expectedTotals, wholeBroadcast } from '../tiktok/fixtures/broadcast-script.js';
import { writeCapture } from '../tiktok/fixtures/raw-capture-file.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Puts a UTF-8 byte-order mark in front of a file, as Windows editors do. */
function withBom(file: string): string {
  fs.writeFileSync(file, Buffer.concat([BOM, fs.readFileSync(file)]));
  return file;
}

describe('a recording that starts with a UTF-8 byte-order mark', () => {
  it('is replayed whole', () => {
    const data = tempDir();
    const file = withBom(
      writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 5 }), like({ count: 2 })]),
    );
    const result = cli(['--data-dir', data, 'replay', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('skipped');
    expect(cliJson<{ stats: { likes: number } }>(['--data-dir', data, 'stats']).stats.likes).toBe(
      7,
    );
  });

  it('is replayed whole as a raw capture too', () => {
    const data = tempDir();
    const file = withBom(writeCapture(wholeBroadcast));
    const result = cli(['--data-dir', data, 'replay', '--raw', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(cliJson<{ stats: unknown }>(['--data-dir', data, 'stats']).stats).toEqual(
      expectedTotals,
    );
  });

  it('is still a mark only at the very start: elsewhere the line is reported', () => {
    const data = tempDir();
    const file = writeRecording(tempDir(), 'r.ndjson', [connected(), like({ count: 5 })]);
    fs.appendFileSync(file, Buffer.concat([BOM, Buffer.from(JSON.stringify(like({ count: 1 })))]));
    const result = cli(['--data-dir', data, 'replay', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('line 3 skipped');
  });
});
