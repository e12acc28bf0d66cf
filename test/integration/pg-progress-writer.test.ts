import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  BroadcastTally,
  DEFAULT_TALLY_OPTIONS,
  type TallyChanges,
} from '../../src/domain/broadcast-tally.js';
import { LivetallyError } from '../../src/domain/errors.js';
import type { BroadcastEvent, ConnectedEvent } from '../../src/domain/events.js';
import type { BroadcastLink } from '../../src/domain/history.js';
import type { StorageStatus } from '../../src/storage/progress-writer.js';
import { migratePg, openPgPool, type PgPool } from '../../src/storage/pg/pg-database.js';
import { PgProfileStore } from '../../src/storage/pg/pg-profile-store.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import { PgProgressWriter } from '../../src/storage/pg/pg-progress-writer.js';
import { RecordingGenerator } from '../../src/sources/replay/recording-generator.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/*
 * The PostgreSQL writer against a real database reached through a relay the test can cut:
 * the database going away and coming back, as a streamer would live it.
 */

const RETRY_MS = 50;
let direct: PgPool;
let proxied: PgPool;
let proxy: TcpProxy;
let profiles: PgProfiles;

beforeAll(async () => {
  const url = new URL(await freshDatabase(inject('pgUrl'), 'writer'));
  direct = openPgPool(url.toString(), { max: 2 });
  await migratePg(direct);
  profiles = new PgProfiles(direct);
  proxy = new TcpProxy(url.hostname, Number(url.port));
  await proxy.start();
  url.port = String(proxy.port);
  proxied = openPgPool(url.toString(), { max: 3 });
});

afterAll(async () => {
  await proxied?.end();
  await direct?.end();
  await proxy?.stop();
});

/** A broadcast counted by the real rules, its changes drained a slice of events at a time. */
async function broadcast(profile: string, seed: number) {
  await profiles.create(profile);
  const store = await PgProfileStore.open(proxied, profile);
  const events = [...new RecordingGenerator({ seed, durationSec: 60, audience: 400 }).events()];
  const start = events[0] as ConnectedEvent;
  const sessionId = await store.startSession({ ...start, startedAt: start.at });
  const link: BroadcastLink = { ...start, sessionId };
  const tally = new BroadcastTally(DEFAULT_TALLY_OPTIONS);
  const rest = events.slice(1) as BroadcastEvent[];
  let next = 0;
  /** Counts the next `n` events and drains what changed. */
  const changes = (n = 300): TallyChanges => {
    const end = Math.min(rest.length, next + n);
    for (; next < end; next++) tally.apply(rest[next]!, rest[next]!.at);
    return tally.drainChanges(rest[Math.max(0, next - 1)]!.at);
  };
  return { store, link, tally, changes };
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('PgProgressWriter', () => {
  it('commits saves and the end of the entry in order', async () => {
    const { store, link, tally, changes } = await broadcast('in-order', 1);
    const saved: number[] = [];
    const writer = new PgProgressWriter(store, { onSaved: () => saved.push(1) });
    writer.write(link, changes());
    writer.write(link, changes());
    writer.endSession(link.sessionId, 1_795_201_260_000, 'disconnected');
    await writer.settle();
    expect(saved.length).toBeGreaterThan(0);
    expect(writer.status).toEqual({ ok: true, error: null, unsavedSince: null });
    expect((await store.loadCurrent())?.stats).toEqual(tally.stats);
    const entry = await store.getSession(link.sessionId);
    expect(entry).toMatchObject({ endedAt: 1_795_201_260_000, endReason: 'disconnected' });
    expect(entry?.stats).toEqual(tally.stats);
    await writer.close();
  });

  it('says the database cannot be reached, keeps trying, and saves in order once it is back', async () => {
    const { store, link, tally, changes } = await broadcast('outage', 2);
    const statuses: StorageStatus[] = [];
    let recovered = 0;
    const writer = new PgProgressWriter(
      store,
      { onStatus: (s) => statuses.push(s), onRecovered: () => recovered++ },
      { retryMs: RETRY_MS },
    );
    writer.write(link, changes());
    await writer.settle();
    const savedStats = { ...tally.stats };
    const before = Date.now();

    await proxy.stop();
    try {
      writer.write(link, changes());
      await until(() => !writer.status.ok, 'the failure to show');
      const status = writer.status;
      expect(status.error?.code).toBe('database_unreachable');
      expect(status.error?.message).toMatch(/PostgreSQL database cannot be reached/);
      expect(status.error?.message).not.toMatch(/\n\s+at /);
      expect(status.unsavedSince).toBeLessThanOrEqual(before);
      const refused = await writer.settle().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LivetallyError);
      expect(refused).toMatchObject({ code: 'database_unreachable' });
      // A later save waits behind the failed one: the database keeps the older numbers.
      writer.write(link, changes());
      await new Promise((resolve) => setTimeout(resolve, 4 * RETRY_MS));
      expect((await direct.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      const meanwhile = await PgProfileStore.open(direct, 'outage', { readonly: true });
      expect((await meanwhile.loadCurrent())?.stats).toEqual(savedStats);
    } finally {
      await proxy.start();
    }

    await until(() => recovered > 0, 'the writer to recover');
    await writer.settle();
    expect(writer.status.ok).toBe(true);
    expect(statuses.at(-1)).toEqual({ ok: true, error: null, unsavedSince: null });
    expect((await store.loadCurrent())?.stats).toEqual(tally.stats);
    await writer.close();
  });

  it('gives up when told to while the database is away, saying what is not saved', async () => {
    const { store, link, changes } = await broadcast('give-up', 3);
    const writer = new PgProgressWriter(store, {}, { retryMs: RETRY_MS });
    await proxy.stop();
    try {
      writer.write(link, changes());
      await until(() => !writer.status.ok, 'the failure to show');
      const giveUp = new AbortController();
      setTimeout(() => giveUp.abort(), 3 * RETRY_MS);
      const error = await writer.close(giveUp.signal).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'unsaved_stats' });
      expect((error as Error).message).toMatch(/could not be saved: the PostgreSQL database/);
    } finally {
      await proxy.start();
    }
  });

  it('writes nothing more once halted, and a deleted profile halts it', async () => {
    const { store, link, changes } = await broadcast('halted', 4);
    const writer = new PgProgressWriter(store, {}, { retryMs: RETRY_MS });
    writer.write(link, changes());
    await writer.settle();
    await profiles.delete('halted');
    writer.write(link, changes());
    await until(() => !writer.status.ok, 'the failure to show');
    expect(writer.status.error?.code).toBe('profile_not_found');
    await expect(writer.settle()).rejects.toMatchObject({ code: 'profile_not_found' });
    writer.write(link, changes()); // ignored
    // As with a damaged file: what could not be saved is said at the end.
    await expect(writer.close()).rejects.toMatchObject({
      code: 'unsaved_stats',
      message: expect.stringMatching(/could not be saved: the profile "halted" was deleted/),
    });
  });
});
