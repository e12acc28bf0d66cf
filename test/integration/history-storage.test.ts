import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TallyChanges } from '../../src/domain/broadcast-tally.js';
import type { BroadcastLink } from '../../src/domain/history.js';
import { VIEWER_FIELDS } from '../../src/domain/viewer-ledger.js';
import { MIGRATIONS } from '../../src/storage/migrations/index.js';
import { ProfileStore } from '../../src/storage/profile-store.js';
import { tempDir } from '../helpers/temp-dir.js';

// The all-time tables kept beside the entries: folded when an entry ends, unfolded when it is
// reopened, folded for files written before they existed — never touched by ordinary saves.

const T0 = Date.UTC(2026, 2, 1, 19);
const ZERO = { viewers: 0, likes: 0, totalCoins: 0, followers: 0, shares: 0, gifts: 0 };

interface Delta {
  id: string;
  coins?: number;
  gifts?: number;
  likes?: number;
  comments?: number;
  at?: number;
}

function changes(viewers: Delta[], extra: Partial<TallyChanges> = {}): TallyChanges {
  const numbers = new Float64Array(viewers.length * VIEWER_FIELDS.length);
  viewers.forEach((v, i) => {
    const at = v.at ?? T0;
    numbers.set(
      [v.coins ?? 0, v.gifts ?? 0, v.likes ?? 0, v.comments ?? 0, 0, 0, at, at],
      i * VIEWER_FIELDS.length,
    );
  });
  return {
    stats: ZERO,
    peakViewers: 0,
    viewers: {
      userIds: viewers.map((v) => v.id),
      handles: viewers.map((v) => `h${v.id}`),
      nicknames: viewers.map((v) => `N${v.id}`),
      numbers,
    },
    newFollowers: [],
    messageKeys: new Uint32Array(0),
    messageMark: 0,
    streaks: { upserts: [], removed: [] },
    samples: [],
    room: { likeBase: 0, roomTotalMax: 0, viewersAt: null },
    at: T0,
    gifts: [],
    ...extra,
  };
}

function start(store: ProfileStore, roomId: string, startedAt: number): BroadcastLink {
  const link = { streamer: 'alice', streamerId: '1', roomId };
  return { ...link, sessionId: store.startSession({ ...link, startedAt }) };
}

function foldedRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM viewer_totals').pluck().get() as number;
  } finally {
    db.close();
  }
}

const coinsBoard = (store: ProfileStore) =>
  store.history
    .leaderboard({ metric: 'coins', scope: { kind: 'all' }, limit: 10 })
    .then((v) => v.map((x) => [x.userId, x.coins]));

describe('all-time viewer totals', () => {
  it('are folded when an entry ends, not by the saves during it', async () => {
    const file = path.join(tempDir(), 'p.db');
    const store = ProfileStore.open(file, { create: true });
    const link = start(store, 'room-1', T0);
    store.saveProgress(
      link,
      changes([
        { id: 'a', coins: 5, gifts: 5 },
        { id: 'b', likes: 3 },
      ]),
    );
    store.saveProgress(link, changes([{ id: 'a', coins: 10, gifts: 1 }]));
    expect(foldedRows(file)).toBe(0); // saves never write the all-time table
    // … yet all-time answers include the entry being counted.
    expect(await coinsBoard(store)).toEqual([['a', 15]]);
    store.endSession(link.sessionId, T0 + 60_000, 'ended');
    expect(foldedRows(file)).toBe(2);
    expect(await coinsBoard(store)).toEqual([['a', 15]]);
    // Ending it again (a second stop) folds nothing twice.
    store.endSession(link.sessionId, T0 + 60_000, 'stopped');
    expect(await coinsBoard(store)).toEqual([['a', 15]]);
    expect(await store.history.viewer('a')).toMatchObject({ coins: 15, gifts: 6, sessions: 1 });
    store.close();
  });

  it('take a resumed entry out and put it back whole when it ends again', async () => {
    const file = path.join(tempDir(), 'p.db');
    const store = ProfileStore.open(file, { create: true });
    const first = start(store, 'room-1', T0);
    store.saveProgress(first, changes([{ id: 'a', coins: 100, gifts: 1 }]));
    store.endSession(first.sessionId, T0 + 60_000, 'ended');
    const second = start(store, 'room-2', T0 + 3600_000);
    store.saveProgress(
      second,
      changes([
        { id: 'a', coins: 1, gifts: 1 },
        { id: 'b', coins: 50 },
      ]),
    );
    store.endSession(second.sessionId, T0 + 4000_000, 'disconnected');
    // The second broadcast goes on after a reconnect.
    store.resumeSession(second.sessionId);
    expect(await store.history.viewer('a')).toMatchObject({ coins: 101, sessions: 2 });
    store.saveProgress(
      second,
      changes([
        { id: 'b', coins: 25 },
        { id: 'c', coins: 7 },
      ]),
    );
    expect(await coinsBoard(store)).toEqual([
      ['a', 101],
      ['b', 75],
      ['c', 7],
    ]);
    store.endSession(second.sessionId, T0 + 5000_000, 'ended');
    expect(await coinsBoard(store)).toEqual([
      ['a', 101],
      ['b', 75],
      ['c', 7],
    ]);
    expect(await store.history.viewer('b')).toMatchObject({ coins: 75, sessions: 1 });
    store.close();
  });

  it('fold an entry left open by a crash when the next broadcast starts', async () => {
    const file = path.join(tempDir(), 'p.db');
    const store = ProfileStore.open(file, { create: true });
    const crashed = start(store, 'room-1', T0);
    store.saveProgress(crashed, changes([{ id: 'a', coins: 9 }]));
    start(store, 'room-2', T0 + 3600_000); // closes room-1 as interrupted
    expect(store.getSession(crashed.sessionId)!.endReason).toBe('interrupted');
    expect(foldedRows(file)).toBe(1);
    expect(await coinsBoard(store)).toEqual([['a', 9]]);
    store.close();
  });

  it('are built for a file written before they existed, and its open entry counted', async () => {
    const file = path.join(tempDir(), 'old.db');
    const db = new Database(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 2)) db.exec(m.sql);
    db.pragma('user_version = 2');
    const insert = db.prepare(
      `INSERT INTO sessions (id, streamer, room_id, started_at, ended_at, updated_at)
       VALUES (?, 'alice', ?, ?, ?, ?)`,
    );
    insert.run(1, 'r1', T0, T0 + 1000, T0 + 1000);
    insert.run(2, 'r2', T0 + 86_400_000, T0 + 86_401_000, T0 + 86_401_000);
    insert.run(3, 'r3', T0 + 2 * 86_400_000, null, T0 + 2 * 86_400_000 + 500);
    const viewer = db.prepare(
      `INSERT INTO session_viewers (session_id, user_id, handle, nickname, coins, gifts, likes,
                                    first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    viewer.run(1, 'a', 'old_handle', 'Old', 10, 1, 5, T0, T0 + 10);
    viewer.run(2, 'a', 'new_handle', 'New', 20, 2, 0, T0 + 86_400_000, T0 + 86_400_500);
    viewer.run(2, 'b', 'b', 'B', 0, 0, 7, T0 + 86_400_000, T0 + 86_400_000);
    viewer.run(3, 'a', '', '', 1, 1, 0, T0 + 2 * 86_400_000, T0 + 2 * 86_400_000);
    db.close();

    const store = ProfileStore.open(file); // migrates (after a backup)
    expect(await store.history.viewer('a')).toMatchObject({
      handle: 'new_handle',
      nickname: 'New',
      coins: 31,
      gifts: 4,
      likes: 5,
      sessions: 3,
      giftSessions: 3,
      firstSeen: T0,
      lastSeen: T0 + 2 * 86_400_000,
    });
    const summary = await store.history.summary({
      period: 'day',
      zone: 'UTC',
      start: -Infinity,
      end: Infinity,
    });
    expect(summary.map((b) => [b.start, b.sessions, b.gifters])).toEqual([
      ['2026-03-01', 1, 1],
      ['2026-03-02', 1, 1],
      ['2026-03-03', 1, 1],
    ]);
    expect((await store.history.recap(2))!.newGifters).toBe(0);
    expect((await store.history.recap(1))!.newGifters).toBe(1);
    store.close();
  });
});

describe('all-time leaderboards', () => {
  it('stay exact fold after fold, through a resume, for every metric (kept lists, not scans)', async () => {
    const file = path.join(tempDir(), 'p.db');
    const store = ProfileStore.open(file, { create: true });
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const truth = new Map<string, Record<'coins' | 'gifts' | 'likes' | 'comments', number>>();
    const metrics = ['coins', 'gifts', 'likes', 'comments'] as const;
    const check = async (when: string) => {
      for (const metric of metrics) {
        for (const limit of [7, 100]) {
          const expected = [...truth]
            .filter(([, t]) => t[metric] > 0)
            .sort(([a, x], [b, y]) => y[metric] - x[metric] || (a < b ? -1 : 1))
            .slice(0, limit)
            .map(([id, t]) => [id, t[metric]]);
          const board = await store.history.leaderboard({ metric, scope: { kind: 'all' }, limit });
          const got = board.map((v) => [v.userId, v[metric]]);
          expect(got, `${metric} top ${limit} ${when}`).toEqual(expected);
        }
      }
    };
    const links: BroadcastLink[] = [];
    for (let s = 0; s < 25; s++) {
      const link = start(store, `room-${s}`, T0 + s * 86_400_000);
      links.push(link);
      const deltas: Delta[] = [];
      for (let i = 0; i < 40; i++) {
        const id = `v${Math.floor(rand() * 160)}`;
        if (deltas.some((d) => d.id === id)) continue;
        const d = {
          id,
          coins: rand() < 0.3 ? Math.floor(rand() * 50) : 0,
          gifts: rand() < 0.3 ? Math.floor(rand() * 5) : 0,
          likes: Math.floor(rand() * 20),
          comments: rand() < 0.5 ? 1 : 0,
        };
        deltas.push(d);
        const t = truth.get(id) ?? { coins: 0, gifts: 0, likes: 0, comments: 0 };
        for (const m of metrics) t[m] += d[m];
        truth.set(id, t);
      }
      store.saveProgress(link, changes(deltas));
      store.endSession(link.sessionId, T0 + s * 86_400_000 + 60_000, 'ended');
      if (s === 12) {
        // The broadcast of day 10 goes on: out of the totals, more counted, back in.
        store.resumeSession(links[10]!.sessionId);
        await check('while day 10 is reopened');
        store.saveProgress(links[10]!, changes([{ id: 'v5', coins: 500, likes: 1 }]));
        const v5 = truth.get('v5') ?? { coins: 0, gifts: 0, likes: 0, comments: 0 };
        v5.coins += 500;
        v5.likes += 1;
        truth.set('v5', v5);
        store.endSession(links[10]!.sessionId, T0 + 11 * 86_400_000, 'ended');
      }
      await check(`after broadcast ${s}`);
    }
    // The lists are kept in the file: another connection reads them as they are.
    const reader = ProfileStore.open(file, { readonly: true });
    const board = await reader.history.leaderboard({
      metric: 'coins',
      scope: { kind: 'all' },
      limit: 7,
    });
    expect(board).toEqual(
      await store.history.leaderboard({ metric: 'coins', scope: { kind: 'all' }, limit: 7 }),
    );
    reader.close();
    store.close();
  });
});

describe('a broadcast in detail', () => {
  it('keeps per-gift totals from every save', async () => {
    const store = ProfileStore.open(path.join(tempDir(), 'p.db'), { create: true });
    const link = start(store, 'room-1', T0);
    const rose = { giftId: '5655', giftName: 'Rose', diamonds: 1 };
    const lion = { giftId: '6369', giftName: 'Lion', diamonds: 29999 };
    store.saveProgress(link, changes([], { gifts: [{ ...rose, count: 10, coins: 10 }] }));
    store.saveProgress(
      link,
      changes([], {
        gifts: [
          { ...rose, count: 5, coins: 5 },
          { ...lion, count: 1, coins: 29999 },
        ],
      }),
    );
    expect(await store.history.giftBreakdown(link.sessionId)).toEqual([
      { ...lion, count: 1, coins: 29999 },
      { ...rose, count: 15, coins: 15 },
    ]);
    store.close();
  });

  it('finds the best minute from samples labelled with the time their values were true', async () => {
    const store = ProfileStore.open(path.join(tempDir(), 'p.db'), { create: true });
    const link = start(store, 'room-1', T0);
    const sample = (seconds: number, totalCoins: number) => ({
      ...ZERO,
      t: T0 + seconds * 1000,
      totalCoins,
    });
    // Minute 0: 0 → 30; minute 1: 30 → 130 (the sample at 1:00 still belongs to minute 0);
    // minute 3 (after a quiet minute 2): 130 → 200.
    const samples = [
      sample(10, 5),
      sample(60, 30),
      sample(70, 100),
      sample(120, 130),
      sample(190, 140),
      sample(240, 200),
    ];
    store.saveProgress(link, changes([], { samples }));
    const recap = await store.history.recap(link.sessionId);
    expect(recap!.bestMinute).toEqual({ start: T0 + 60_000, coins: 100 });
    store.close();
  });
});
