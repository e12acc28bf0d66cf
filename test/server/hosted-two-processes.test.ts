import { io } from 'socket.io-client';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { RecordingTruth } from '../../src/sources/replay/recording-generator.js';
import type { ConnectionView, StatsResponse, StatsView } from '../../src/shared/api-types.js';
import { claimHolders } from '../../src/storage/pg/pg-claims.js';
import { api, cleanUp, folder, quietRecording } from '../e2e/support/livetally.js';
import { freshDatabase } from '../helpers/postgres-cluster.js';
import { eventually, startServer, type RunningServer } from '../helpers/process.js';

// Issue 13, "what must show": two real `livetally start --database URL` processes on one
// PostgreSQL database are one service. Four profiles watch four recordings; the process
// that counts two of them is killed outright mid-stream; the other takes them over and
// every profile ends with exactly the recording's totals — the generator's own ground
// truth, decided apart from any output. All along, a sampler reads PostgreSQL's lock
// table every ~100 ms: a LIVE held by two processes at once, or wanted and held by none
// for 15 s or more, fails the test.

afterAll(cleanUp);

const SPEED = '10';
/** Stream seconds of each recording's busy part (~9,000 messages: inside the dedupe window). */
const BUSY_SEC = 60;
const PROFILES = ['anna', 'ben', 'carla', 'dmitri'] as const;

interface Sample {
  at: number;
  /** Backend pids holding each profile's claim (by profile id). */
  holders: Map<number, number[]>;
  wanted: Set<number>;
}

/** Reads pg_locks and the desired state every ~100 ms until stopped. */
function sampler(url: string) {
  const client = new pg.Client({ connectionString: url });
  const samples: Sample[] = [];
  let stop = false;
  const done = (async () => {
    await client.connect();
    try {
      while (!stop) {
        const holders = new Map<number, number[]>();
        for (const h of await claimHolders(client)) {
          holders.set(h.profileId, [...(holders.get(h.profileId) ?? []), h.backendPid]);
        }
        const { rows } = await client.query<{ id: string }>(
          'SELECT profile_id::text AS id FROM wanted_connections',
        );
        samples.push({ at: Date.now(), holders, wanted: new Set(rows.map((r) => Number(r.id))) });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await client.end();
    }
  })();
  return {
    samples,
    async stop() {
      stop = true;
      await done;
    },
  };
}

/** The longest time a wanted profile was held by nobody, per profile id. */
function longestUnowned(samples: Sample[]): Map<number, number> {
  const since = new Map<number, number>();
  const longest = new Map<number, number>();
  for (const s of samples) {
    for (const id of s.wanted) {
      if ((s.holders.get(id) ?? []).length === 0) {
        if (!since.has(id)) since.set(id, s.at);
        longest.set(id, Math.max(longest.get(id) ?? 0, s.at - since.get(id)!));
      } else {
        since.delete(id);
      }
    }
  }
  return longest;
}

async function statsOf(server: RunningServer, profile: string): Promise<StatsResponse> {
  return api<StatsResponse>(server, 'GET', `/api/profiles/${profile}/stats`);
}

describe('hosted mode: two processes on one PostgreSQL database', () => {
  it('a killed process loses its LIVEs to the other, which finishes them with exact totals; one counter per LIVE at every moment', async () => {
    const url = await freshDatabase(inject('pgUrl'), 'hosted_two');
    const dataDir = folder();
    const replayDir = folder();
    const truths = new Map<string, RecordingTruth>();
    PROFILES.forEach((profile, i) => {
      truths.set(profile, quietRecording(replayDir, `live_${profile}`, 1300 + i, BUSY_SEC));
    });
    const args = ['--data-dir', dataDir, 'start', '--port', '0', '--database', url];
    args.push('--replay-dir', replayDir, '--speed', SPEED);
    // Both processes share the data dir (it holds only the access token in hosted mode).
    const [one, two] = await Promise.all([startServer(args), startServer(args)]);
    const servers = [one, two];
    // The password-less test URL is printed as given; a password would be masked.
    expect(one.output.stderr + two.output.stderr).not.toMatch(/unexpected error/);

    const watch = sampler(url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      // Any process answers any call: create on one, connect through both.
      for (const profile of PROFILES) {
        await api(one, 'POST', '/api/profiles', { body: { name: profile } });
      }
      const ids = new Map<string, number>();
      for (const r of (
        await db.query<{ id: string; name: string }>('SELECT id::text, name FROM profiles')
      ).rows) {
        ids.set(r.name, Number(r.id));
      }
      const connectedAt = Date.now();
      await Promise.all(
        PROFILES.map((profile, i) =>
          api<ConnectionView>(servers[i % 2]!, 'POST', `/api/profiles/${profile}/connection`, {
            body: { streamer: `live_${profile}` },
          }),
        ),
      );

      // Each process takes its fair share: two LIVEs each.
      const pidOf = async (server: RunningServer) => {
        const { rows } = await db.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1',
          [`livetally claims %:${server.child.pid}:%`],
        );
        return rows[0]?.pid;
      };
      const split = await eventually(async () => {
        const holders = await claimHolders(db);
        const [a, b] = [await pidOf(one), await pidOf(two)];
        const ofOne = holders.filter((h) => h.backendPid === a).map((h) => h.profileId);
        const ofTwo = holders.filter((h) => h.backendPid === b).map((h) => h.profileId);
        return ofOne.length === 2 && ofTwo.length === 2 ? { ofOne, ofTwo } : undefined;
      }, 15_000);
      const nameOf = (id: number) => [...ids].find(([, v]) => v === id)![0];
      const victim = one;
      const survivor = two;
      const victimsProfiles = split.ofOne.map(nameOf);

      // A page on the survivor follows a profile the victim counts: it gets its pushes.
      const followed = victimsProfiles[0]!;
      const socket = io(`${survivor.url}profile`, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        query: { profile: followed },
      });
      const pushes: StatsView[] = [];
      socket.on('stats', (view: StatsView) => pushes.push(view));
      try {
        await eventually(async () => {
          const last = pushes.at(-1);
          return last && last.connection.state === 'connected' && last.stats.likes > 0
            ? true
            : undefined;
        }, 15_000);
        const seen = pushes.length;

        // Mid-stream: the victim's LIVEs have counted and saved part of their recordings.
        for (const profile of victimsProfiles) {
          await eventually(async () => {
            const now = await statsOf(survivor, profile);
            return now.saved && now.saved.stats.likes > 0 ? true : undefined;
          }, 15_000);
          const now = await statsOf(victim, profile);
          expect(now.stats, `${profile} is not played out yet`).not.toEqual(
            truths.get(profile)!.stats,
          );
        }
        const killedAt = Date.now();
        victim.child.kill('SIGKILL');
        await victim.exited;

        // The survivor takes both over well within 15 s…
        await eventually(async () => {
          const b = await pidOf(survivor);
          const holders = await claimHolders(db);
          return holders.length === 4 && holders.every((h) => h.backendPid === b)
            ? true
            : undefined;
        }, 15_000);
        const takeoverMs = Date.now() - killedAt;
        // …and every profile ends with exactly the recording's totals.
        for (const profile of PROFILES) {
          const truth = truths.get(profile)!;
          const final = await eventually(async () => {
            const now = await statsOf(survivor, profile);
            return JSON.stringify(now.saved?.stats) === JSON.stringify(truth.stats)
              ? now
              : undefined;
          }, 60_000).catch(async () => {
            const now = await statsOf(survivor, profile);
            expect({ profile, live: now.stats, saved: now.saved?.stats }).toEqual({
              profile,
              live: truth.stats,
              saved: truth.stats,
            });
            throw new Error('unreachable');
          });
          expect(final.stats, profile).toEqual(truth.stats);
          expect(final.connection.state, profile).toBe('connected');
        }
        // The follower on the survivor kept getting pushes through the takeover.
        expect(pushes.length).toBeGreaterThan(seen);
        expect(pushes.at(-1)!.stats).toEqual(truths.get(followed)!.stats);

        await watch.stop();
        const { samples } = watch;
        const doubles = samples.filter((s) => [...s.holders.values()].some((h) => h.length > 1));
        expect(doubles, 'a LIVE held by two processes at once').toEqual([]);
        const unowned = longestUnowned(samples.filter((s) => s.at >= connectedAt));
        for (const [id, ms] of unowned) expect(ms, `${nameOf(id)} unowned`).toBeLessThan(15_000);
        expect(samples.length).toBeGreaterThan(50);
        console.log(
          `hosted two-process test: takeover after SIGKILL in ${takeoverMs} ms; ` +
            `longest unowned ${Math.max(0, ...unowned.values())} ms; ${samples.length} samples`,
        );
      } finally {
        socket.close();
      }
      // A clean stop of the last process leaves the LIVEs wanted (for the next start).
      expect(await survivor.child.kill('SIGINT')).toBe(true);
      expect(await survivor.exited).toBe(0);
      const wanted = await db.query('SELECT count(*)::int AS n FROM wanted_connections');
      expect(wanted.rows[0]).toEqual({ n: 4 });
      expect(await claimHolders(db)).toEqual([]);
    } finally {
      await watch.stop().catch(() => undefined);
      await db.end();
    }
  }, 180_000);
});
