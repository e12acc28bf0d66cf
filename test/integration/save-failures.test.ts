import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamTracker } from '../../src/app/stream-tracker.js';
import { LivetallyError } from '../../src/domain/errors.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import {
  InlineProgressWriter,
  WorkerProgressWriter,
  type ProgressWriter,
} from '../../src/storage/progress-writer.js';
import { connected, like, user } from '../helpers/events.js';
import { waitFor } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { mountTinyDisk, skipBecause } from '../helpers/tiny-disk.js';

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
    const tracker = await StreamTracker.open(store, { writer, saveIntervalMs: 20 });
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

describe.each([
  ['on a worker thread', (store: ProfileStore) => new WorkerProgressWriter(store.file)],
  ['inline', (store: ProfileStore) => new InlineProgressWriter(store)],
] as const)('a progress writer %s while the disk is full', (_how, makeWriter) => {
  it('never makes anyone wait, keeps what was counted, and gives up when told', async () => {
    const disk = mountTinyDisk(4096);
    if (typeof disk === 'string') return skipBecause(disk);
    const store = ProfileStore.open(path.join(disk.dir, 'p.db'), { create: true });
    const writer: ProgressWriter = makeWriter(store);
    const tracker = await StreamTracker.open(store, { writer, saveIntervalMs: 20 });
    await tracker.connected(connected());
    const feed = (from: number) => {
      for (let i = from; i < from + 2000; i++) tracker.event(like({ count: 1, user: user(i) }));
    };

    disk.fill();
    feed(0);
    const status = await waitFor(() => (tracker.storage.ok ? undefined : tracker.storage));
    expect(status.error?.code).toBe('disk_full');
    const asked = Date.now();
    await expect(writer.settle()).rejects.toMatchObject({ code: 'disk_full' });
    expect((await tracker.saved())?.stats.likes ?? 0).toBeLessThan(2000); // answers at once
    expect(Date.now() - asked).toBeLessThan(1000);
    feed(2000); // counting goes on in memory

    disk.free();
    await waitFor(() => (tracker.storage.ok ? true : undefined), 10_000);
    await waitFor(() => (store.loadCurrent()?.stats.likes === 4000 ? true : undefined), 10_000);

    disk.fill();
    feed(4000);
    await waitFor(() => (tracker.storage.ok ? undefined : true));
    const closing = tracker.close('stopped', AbortSignal.timeout(1500));
    await expect(closing).rejects.toMatchObject({
      code: 'unsaved_stats',
      message: expect.stringMatching(/could not be saved: the disk holding .* is full/),
    });
    store.close();
    disk.free();
    const reopened = ProfileStore.open(path.join(disk.dir, 'p.db'));
    expect(reopened.loadCurrent()?.stats.likes).toBe(4000); // the last save that made it
    reopened.close();
  }, 30_000);
});
