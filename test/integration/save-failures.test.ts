import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamTracker } from '../../src/app/stream-tracker.js';
import { LivetallyError } from '../../src/domain/errors.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { WorkerProgressWriter } from '../../src/storage/progress-writer.js';
import { connected, like, user } from '../helpers/events.js';
import { waitFor } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const VIEWERS = 3000;

/** Zeroes one page of the per-viewer table in the main file, as a failing disk would. */
function damageViewerPage(file: string): void {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)'); // everything into the main file first
  const page = db
    .prepare(
      "SELECT pageno FROM dbstat WHERE name = 'session_viewers' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3",
    )
    .pluck()
    .get() as number;
  db.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(4096), 0, 4096, 4096 * (page - 1));
  fs.closeSync(fd);
}

describe('the save worker when SQLite reports damage', () => {
  it('stops writing to the file, keeps counting in memory, and says what was not saved', async () => {
    const file = path.join(tempDir(), 'p.db');
    const store = ProfileStore.open(file, { create: true });
    const errors: string[] = [];
    const writer = new WorkerProgressWriter(file, { onError: (e) => errors.push(e.code) });
    const tracker = new StreamTracker(store, { writer, saveIntervalMs: 20 });
    await tracker.connected(connected());
    for (let i = 0; i < VIEWERS; i++) tracker.event(like({ count: 1, user: user(i) }));
    await waitFor(() => (tracker.stats.likes === VIEWERS ? true : undefined));
    tracker.flush();
    await writer.settle();

    damageViewerPage(file);
    const damaged = fs.readFileSync(file);
    for (let i = 0; i < VIEWERS; i++) tracker.event(like({ count: 1, user: user(i) }));
    tracker.flush();
    const status = await waitFor(() => (tracker.storage.ok ? undefined : tracker.storage), 10_000);
    expect(status.error?.code).toBe('corrupt_database');
    expect(status.error?.message).toMatch(/p\.db is damaged .*stopped writing to it/);
    expect(status.unsavedSince).not.toBeNull();
    expect(errors).toEqual(['corrupt_database']); // once: no retrying a damaged file

    // Counting goes on in memory; nothing more is written to the file.
    for (let i = 0; i < 10; i++) tracker.event(like({ count: 1, user: user(i) }));
    expect(tracker.stats.likes).toBe(2 * VIEWERS + 10);
    await expect(writer.settle()).rejects.toMatchObject({ code: 'corrupt_database' });
    const closing = tracker.close('stopped', AbortSignal.timeout(5000));
    await expect(closing).rejects.toThrow(LivetallyError);
    await expect(closing).rejects.toMatchObject({
      code: 'unsaved_stats',
      message: expect.stringMatching(/the stats counted since [\d:]+ could not be saved: p\.db/),
    });
    store.close();
    expect(fs.readFileSync(file).equals(damaged)).toBe(true);
    expect(() => ProfileStore.open(file)).toThrow(/damaged/);
  });
});
