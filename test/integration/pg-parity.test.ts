import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_TALLY_OPTIONS, type TallyOptions } from '../../src/domain/broadcast-tally.js';
import {
  parseEventLine,
  InvalidEvent,
  type ConnectedEvent,
  type StreamEvent,
} from '../../src/domain/events.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import type { ProfileStorage } from '../../src/storage/profile-storage.js';
import { migratePg, openPgPool, type PgPool } from '../../src/storage/pg/pg-database.js';
import { PgProfileStore } from '../../src/storage/pg/pg-profile-store.js';
import { PgProfiles } from '../../src/storage/pg/pg-profiles.js';
import { silentLogger } from '../../src/app/logger.js';
import type { WritableProfile } from '../../src/app/profile-space.js';
import { runReplay } from '../../src/app/run-replay.js';
import { InlineProgressWriter } from '../../src/storage/progress-writer.js';
import { PgProgressWriter } from '../../src/storage/pg/pg-progress-writer.js';
import {
  RecordingGenerator,
  recordingLines,
} from '../../src/sources/replay/recording-generator.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { StorageDriver } from '../helpers/storage-driver.js';
import { tempDir } from '../helpers/temp-dir.js';

/*
 * The same broadcasts, through the same storage calls in the same order, into a SQLite
 * profile file and a PostgreSQL profile: everything read back must be the same (history
 * entry ids aside: PostgreSQL's are unique across profiles, so they are compared by
 * position). The stats rules themselves (BroadcastTally) produce the changes, from the
 * recording the repository ships and from generated ones.
 */

/** A small de-duplication memory: message ids leave it quickly, so storage is asked often. */
const TALLY: TallyOptions = {
  ...DEFAULT_TALLY_OPTIONS,
  dedupe: { windowCapacity: 2000, filterBits: 2 ** 20 },
};

let pool: PgPool;
let profiles: PgProfiles;
let clock = 0;
const now = () => clock;

beforeAll(async () => {
  pool = openPgPool(await freshDatabase(inject('pgUrl'), 'parity'), { max: 6 });
  await migratePg(pool);
  profiles = new PgProfiles(pool, now);
  // Another profile counting in the same database: its rows take the first ids, and
  // nothing of it may show in the others.
  await profiles.create('neighbour');
  const neighbour = await PgProfileStore.open(pool, 'neighbour', { now });
  const driver = new StorageDriver(neighbour, TALLY);
  await driver.play(generated({ seed: 99, durationSec: 20, roomId: '7400000000000000001' }));
  await driver.save(Number.MAX_SAFE_INTEGER);
});

afterAll(async () => {
  await pool?.end();
});

function generated(options: ConstructorParameters<typeof RecordingGenerator>[0]): StreamEvent[] {
  return [...new RecordingGenerator(options).events()];
}

function shipped(name: string): StreamEvent[] {
  const file = fileURLToPath(new URL(`../../recordings/${name}`, import.meta.url));
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const event = parseEventLine(line);
      if (event instanceof InvalidEvent) throw new Error(event.error);
      return event;
    });
}

interface Pair {
  sqlite: StorageDriver;
  pg: StorageDriver;
}

async function openPair(name: string, dir: string): Promise<Pair> {
  await profiles.create(name);
  return reopenPair(name, dir);
}

async function reopenPair(name: string, dir: string): Promise<Pair> {
  const file = path.join(dir, `${name}.db`);
  const sqlite = ProfileStore.open(file, { create: true, now });
  const pg = await PgProfileStore.open(pool, name, { now });
  return { sqlite: new StorageDriver(sqlite, TALLY), pg: new StorageDriver(pg, TALLY) };
}

/** Both engines, one step at a time, the clock at the event's time. */
async function play(pair: Pair, events: readonly StreamEvent[]): Promise<void> {
  for (const event of events) {
    clock = event.at;
    await pair.sqlite.play([event]);
    await pair.pg.play([event]);
  }
}

async function both(pair: Pair, step: (d: StorageDriver) => Promise<unknown>) {
  const a = await step(pair.sqlite);
  const b = await step(pair.pg);
  expect(b).toEqual(a);
  return a;
}

/** Everything a profile answers, history entry ids replaced by their position. */
async function snapshot(store: ProfileStorage, rooms: readonly string[], probe: string[]) {
  const sessions = await store.listSessions();
  const position = new Map(sessions.map((s, i) => [s.id, i]));
  const at = (id: number | null) => (id === null ? null : (position.get(id) ?? `unknown ${id}`));
  const current = await store.loadCurrent();
  const entries = [];
  for (const session of sessions) {
    const got = await store.getSession(session.id);
    entries.push({
      ...session,
      id: at(session.id),
      got: got && { ...got, id: at(got.id) },
      series: await store.sessionSeries(session.id),
      viewers: await store.sessionViewers(session.id),
      lastSampleAt: await store.lastSampleAt(session.id),
      gifts: await store.history.giftBreakdown(session.id),
    });
  }
  const memories = [];
  for (const room of rooms) {
    const memory = await store.loadRoomMemory(room);
    const keys: number[] = [];
    const total = await store.loadMessageKeys(room, (hi, lo) => keys.push(hi, lo));
    const counted = await store.countedMessages(room, probe);
    memories.push({
      room,
      ...memory,
      followers: [...memory.followers].sort(),
      streaks: [...memory.streaks].sort((a, b) => (a.key < b.key ? -1 : 1)),
      keys,
      total,
      counted: [...counted].sort(),
    });
  }
  // The all-time totals, kept by the folds run inside the writes above (ended entries
  // folded, a resumed one taken out again).
  const allTime = {
    viewers: await store.history.allViewers(),
    topCoins: await store.history.leaderboard({
      metric: 'coins',
      scope: { kind: 'all' },
      limit: 20,
    }),
  };
  return {
    current: current && { ...current, sessionId: at(current.sessionId) },
    entries,
    memories,
    allTime,
  };
}

async function expectSame(pair: Pair, rooms: readonly string[], probe: string[]) {
  const a = await snapshot(pair.sqlite.store, rooms, probe);
  const b = await snapshot(pair.pg.store, rooms, probe);
  expect(b).toEqual(a);
  return a;
}

/** Ids of the messages that are de-duplicated (joins are not). */
function msgIds(events: readonly StreamEvent[]): string[] {
  return events.flatMap((e) => ('msgId' in e && e.type !== 'join' ? [e.msgId] : []));
}

describe('PostgreSQL and SQLite profiles give the same answers', { timeout: 180_000 }, () => {
  it('through an evening: a crash and a resume, a reset, a disconnect, another LIVE to its end', async () => {
    const dir = tempDir();
    const roomA = '7400000000000000777';
    const eventsA = generated({
      seed: 7,
      durationSec: 240,
      intensity: 0.6,
      audience: 1500,
      roomId: roomA,
      streamerId: '7100000000000000042',
    });
    const demo = shipped('demo.ndjson');
    const roomB = (demo[0] as ConnectedEvent).roomId;
    const rooms = [roomA, roomB];
    const probe = [...msgIds(eventsA).slice(0, 200), ...msgIds(demo).slice(0, 200), 'never-sent'];
    let pair = await openPair('evening', dir);
    expect(await both(pair, (d) => d.takeCharge())).toBe(0);

    // The first half, then the process dies without a word.
    const half = Math.floor(eventsA.length / 2);
    await play(pair, eventsA.slice(0, half));
    const beforeCrash = await expectSame(pair, rooms, probe);
    expect(beforeCrash.entries).toHaveLength(1);
    expect(beforeCrash.entries[0]!.endedAt).toBeNull();
    expect(beforeCrash.memories[0]!.total).toBeGreaterThan(1000);
    pair.sqlite.kill();
    pair.pg.kill();
    pair.sqlite.store.close();
    pair.pg.store.close();

    // A new process takes charge: the entry ends at its last save, then the same LIVE is
    // resumed, and TikTok re-sends the last 3,000 events it already sent.
    pair = await reopenPair('evening', dir);
    expect(await both(pair, (d) => d.takeCharge())).toBe(1);
    clock += 5000;
    const interrupted = await expectSame(pair, rooms, probe);
    expect(interrupted.entries[0]!.endReason).toBe('interrupted');
    expect(interrupted.allTime.viewers.length).toBeGreaterThan(0); // folded when closed
    await play(pair, [eventsA[0]!, ...eventsA.slice(half - 3000)]);
    expect(pair.pg.lookups.found).toBeGreaterThan(0);
    expect(pair.pg.lookups).toEqual(pair.sqlite.lookups);
    await expectSame(pair, rooms, probe);

    // A reset during the LIVE: a second entry of the same broadcast.
    const last = eventsA[eventsA.length - 1]!.at;
    clock = last;
    await both(pair, (d) => d.reset(last));
    await play(
      pair,
      generated({
        seed: 8,
        endStream: false,
        durationSec: 30,
        roomId: roomA,
        streamerId: '7100000000000000042',
        startAt: last + 1,
      }).slice(1),
    );
    clock += 1000;
    await both(pair, (d) => d.end('disconnected', clock));
    const afterA = await expectSame(pair, rooms, probe);
    expect(afterA.entries.map((e) => e.endReason)).toEqual(['disconnected', 'reset']);
    expect(afterA.current?.sessionId).toBe(0);

    // Another LIVE, the one the repository ships, to its end.
    await play(pair, demo);
    clock += 1000;
    await both(pair, (d) => d.end('disconnected', clock));
    const evening = await expectSame(pair, rooms, probe);
    expect(evening.entries).toHaveLength(3);
    expect(evening.allTime.viewers.length).toBeGreaterThan(500);
    expect(evening.entries.every((e) => (e.gifts ?? []).length > 0)).toBe(true);
    expect(evening.memories[0]!.total).toBe(0); // the first broadcast is forgotten
    expect(evening.memories[1]!.total).toBeGreaterThan(10_000);
    expect(evening.memories[1]!.counted).toEqual(
      expect.arrayContaining(msgIds(demo).slice(0, 200)),
    );
    expect(evening.memories[1]!.counted).not.toContain('never-sent');

    // How it ended, learned later; then a reset while nothing is counting.
    const newest = (await pair.pg.store.listSessions())[0]!.id;
    const newestSqlite = (await pair.sqlite.store.listSessions())[0]!.id;
    clock += 1000;
    await pair.sqlite.store.settleEnd(newestSqlite, 'offline');
    await pair.pg.store.settleEnd(newest, 'offline');
    await both(pair, (d) => d.reset(clock));
    const idle = await expectSame(pair, rooms, probe);
    expect(idle.current?.stats).toEqual({
      viewers: 0,
      likes: 0,
      totalCoins: 0,
      followers: 0,
      shares: 0,
      gifts: 0,
    });
    expect(idle.entries[0]!.endReason).toBe('offline');

    // The neighbour's rows never showed: its own profile still has exactly its entry.
    const neighbour = await PgProfileStore.open(pool, 'neighbour', { now });
    expect(await neighbour.listSessions()).toHaveLength(1);
  });

  it('counts a broadcast killed halfway and resumed exactly once: totals as the recording says', async () => {
    const dir = tempDir();
    const generator = new RecordingGenerator({
      seed: 21,
      durationSec: 180,
      intensity: 0.5,
      audience: 800,
      roomId: '7400000000000000021',
    });
    const events = [...generator.events()];
    const ids = msgIds(events);
    let pair = await openPair('killed', dir);
    const cut = Math.floor(events.length * 0.6);
    await play(pair, events.slice(0, cut));
    pair.sqlite.kill();
    pair.pg.kill();

    // A second store on the same profile (another process); the first is simply dropped.
    pair = await reopenPair('killed', dir);
    expect(await both(pair, (d) => d.takeCharge())).toBe(1);
    // Every id saved before the kill is known to storage, none sent later.
    const saved = await pair.pg.store.countedMessages('7400000000000000021', ids.slice(0, 100));
    expect(saved.size).toBe(100);
    const unsent = await pair.pg.store.countedMessages('7400000000000000021', ids.slice(-100));
    expect(unsent.size).toBe(0);

    // Resumed with everything re-sent from the start: nothing counts twice.
    await play(pair, events);
    const end = events[events.length - 1]!.at + 1000;
    clock = end;
    await both(pair, (d) => d.end('disconnected', end));
    const final = await expectSame(pair, ['7400000000000000021'], ids.slice(-50));
    expect(final.entries).toHaveLength(1);
    expect(final.entries[0]!.stats).toEqual({
      ...generator.truth.stats,
      viewers: final.entries[0]!.stats.viewers,
    });
    expect(final.entries[0]!.peakViewers).toBe(generator.truth.peakViewers);
    expect(final.memories[0]!.counted).toHaveLength(50);
    const coins = new Map(final.entries[0]!.viewers.map((v) => [v.userId, v.coins]));
    for (const [user, expected] of generator.truth.coinsByUser) {
      if (expected > 0) expect(coins.get(user)).toBe(expected);
    }
  });

  it('keeps message ids that are not decimals, or above 2^63, under the same 64-bit keys', async () => {
    const dir = tempDir();
    const pair = await openPair('odd-ids', dir);
    const room = '7400000000000000555';
    const user = { id: 'not-a-number', handle: 'odd', nickname: 'Odd' };
    const odd = [
      'abc',
      'x-1',
      '9999999999999999999', // the largest 19-digit decimal: upper half above 2^31
      '18446744073709551615', // 20 digits: hashed
      '0',
      '1',
      '4294967295',
      '4294967296',
      '9223372036854775807',
      '9223372036854775808',
      'émoji 🎉',
      '',
    ].filter((id) => id !== '');
    const events: StreamEvent[] = [
      { type: 'connected', at: 1_000, streamer: 's', streamerId: '1', roomId: room },
      ...odd.map((msgId, i): StreamEvent => ({
        type: 'chat',
        at: 2_000 + i,
        msgId,
        user,
        text: 'hi',
      })),
    ];
    await play(pair, events);
    clock = 10_000;
    await both(pair, (d) => d.save(10_000));
    const seen = await expectSame(pair, [room], [...odd, 'abd', '9999999999999999998']);
    expect(seen.memories[0]!.counted).toEqual([...odd].sort());
    expect(seen.memories[0]!.total).toBe(odd.length);
    // A key's upper half above 2^31 is a negative bigint; read back it is the same half.
    expect(seen.memories[0]!.keys.some((half, i) => i % 2 === 0 && half >= 2 ** 31)).toBe(true);
    // Counting them again changes nothing.
    await play(
      pair,
      events.slice(1).map((e) => ({ ...e, at: e.at + 5_000 })),
    );
    clock = 20_000;
    await both(pair, (d) => d.save(20_000));
    const again = await expectSame(pair, [room], odd);
    expect(again.current?.stats).toEqual(seen.current?.stats);
  });

  it("the app itself (replays through StreamTracker and each engine's writer) saves the same", async () => {
    const dir = tempDir();
    const fixed = () => 1_800_000_000_000;
    const file = path.join(dir, 'engine.db');
    const sqliteStore = ProfileStore.open(file, { create: true, now: fixed });
    await profiles.create('app');
    const pgStore = await PgProfileStore.open(pool, 'app', { now: fixed });
    const sqlite: WritableProfile = {
      store: sqliteStore,
      writer: (_kind, events) => new InlineProgressWriter(sqliteStore, events),
    };
    const pg: WritableProfile = {
      store: pgStore,
      writer: (_kind, events) => new PgProgressWriter(pgStore, events),
    };
    const generator = new RecordingGenerator({
      seed: 31,
      durationSec: 120,
      intensity: 0.5,
      audience: 600,
      endStream: false,
      roomId: '7400000000000000031',
    });
    const lines = [...recordingLines(generator)];
    const firstPart = path.join(dir, 'first.ndjson');
    const whole = path.join(dir, 'whole.ndjson');
    fs.writeFileSync(firstPart, lines.slice(0, Math.floor(lines.length * 0.6)).join(''));
    fs.writeFileSync(whole, lines.join(''));
    const demo = fileURLToPath(new URL('../../recordings/demo.ndjson', import.meta.url));
    const replay = async (profile: WritableProfile, recording: string) =>
      runReplay({ profile, file: recording, speed: 0, saveIntervalMs: 20, logger: silentLogger });

    // Part of a LIVE, stopped; the whole LIVE again (the part already counted is re-sent);
    // then the shipped recording.
    for (const recording of [firstPart, whole, demo]) {
      const a = await replay(sqlite, recording);
      const b = await replay(pg, recording);
      expect(b.stats).toEqual(a.stats);
      expect(b.broadcast && { ...b.broadcast, sessionId: 0 }).toEqual(
        a.broadcast && { ...a.broadcast, sessionId: 0 },
      );
    }
    const rooms = ['7400000000000000031', (shipped('demo.ndjson')[0] as ConnectedEvent).roomId];
    const probe = [
      ...msgIds(lines.slice(0, 400).map((line) => parseEventLine(line) as StreamEvent)),
      'never-sent',
    ];
    const expected = await snapshot(sqliteStore, rooms, probe);
    expect(await snapshot(pgStore, rooms, probe)).toEqual(expected);
    expect(expected.entries).toHaveLength(2);
    expect(expected.memories[0]!.counted).toEqual([]); // another LIVE came after it
    expect(expected.memories[1]!.total).toBeGreaterThan(10_000);
    expect(expected.entries[1]!.stats).toEqual({
      ...generator.truth.stats,
      viewers: expected.entries[1]!.stats.viewers,
    });
    sqliteStore.close();
  });
});
