import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { expectedTotals, opening, wholeBroadcast } from './fixtures/broadcast-script.js';
import { writeCapture } from './fixtures/raw-capture-file.js';

describe('livetally replay --raw', () => {
  it('counts a capture of real protobuf messages exactly as the stats rules demand', () => {
    const data = tempDir();
    const file = writeCapture(wholeBroadcast, [
      '{"at": 1, "method": "WebcastGiftMessage", "payload": "!!"}',
    ]);
    const result = cli(['--data-dir', data, 'replay', '--raw', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/line \d+ skipped/);
    const stats = cliJson<{ stats: unknown; streamer: string }>(['--data-dir', data, 'stats']);
    expect(stats.stats).toEqual(expectedTotals);
    // The same capture again is the same broadcast: nothing is counted twice.
    expect(cli(['--data-dir', data, 'replay', '--raw', file]).code).toBe(0);
    expect(cliJson<{ stats: unknown }>(['--data-dir', data, 'stats']).stats).toEqual(
      expectedTotals,
    );
  });

  it('skips lines that are not raw messages, counting nothing from them', () => {
    const data = tempDir();
    // A stray event line among the messages (a capture that starts with events is refused
    // whole: see test/integration/mistakes.test.ts).
    const file = writeCapture(opening, [
      '{"type":"like","at":1795201200000,"msgId":"1","user":{"id":"1","handle":"a","nickname":"a"},"count":1}',
    ]);
    const result = cli(['--data-dir', data, 'replay', '--raw', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/line 7 skipped/);
    // The opening's one like message counts 4; the stray like line counts nothing.
    expect(cliJson<{ stats: { likes: number } }>(['--data-dir', data, 'stats']).stats.likes).toBe(
      4,
    );
  });
});
