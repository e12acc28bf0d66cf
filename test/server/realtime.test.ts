import { afterEach, describe, expect, it } from 'vitest';
import type { ActivityView, ConnectionView, StatsView } from '../../src/shared/api-types.js';
import { connected, follow, like, user } from '../helpers/events.js';
import { generateRecording, writeRecording } from '../helpers/recordings.js';
import {
  closeAllServers,
  socketTo,
  testServer,
  waitFor,
  type TestSocket,
} from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

afterEach(closeAllServers);

interface Received {
  stats: { at: number; view: StatsView }[];
  connection: ConnectionView[];
  profile: string[];
  activity: ActivityView[];
}

function record(socket: TestSocket): Received {
  const received: Received = { stats: [], connection: [], profile: [], activity: [] };
  socket.on('stats', (view) => received.stats.push({ at: Date.now(), view }));
  socket.on('connection', (view) => received.connection.push(view));
  socket.on('profile', (change) => received.profile.push(change.active));
  socket.on('activity', (activity) => received.activity.push(activity));
  return received;
}

async function serverWith(seed: number, durationSec: number, intensity = 1) {
  const replayDir = tempDir();
  const alice = generateRecording(
    replayDir,
    { seed, durationSec, intensity, streamer: 'alice' },
    'alice.ndjson',
  );
  const server = await testServer({ replayDir, saveIntervalMs: 200 });
  const url = await server.listen();
  return { server, url, alice };
}

describe('realtime', () => {
  it('sends the current stats and connection to a new socket at once', async () => {
    const { url } = await serverWith(41, 10);
    const socket = socketTo(url);
    const received = record(socket);
    await waitFor(() => received.stats.length > 0 && received.connection.length > 0, 3000);
    expect(received.stats[0]!.view).toMatchObject({ profile: 'default', stats: { likes: 0 } });
    expect(received.connection[0]).toMatchObject({ state: 'disconnected' });
    socket.close();
  });

  it('coalesces a burst into at most ten pushes a second, only when something changed', async () => {
    const { server, url, alice } = await serverWith(42, 900, 3); // ~100k events at full speed
    const sockets = [socketTo(url), socketTo(url), socketTo(url)];
    const all = sockets.map(record);
    await waitFor(() => all.every((r) => r.stats.length > 0));
    const started = Date.now();
    await server.service.connect('alice');
    await waitFor(() => server.service.connection.isIdle, 60_000);
    const elapsed = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const received of all) {
      const during = received.stats.filter((s) => s.at >= started);
      expect(during.length).toBeGreaterThan(1);
      // ≤ 10 per second of burst, plus the pushes that go with connection changes
      expect(during.length).toBeLessThanOrEqual(Math.ceil(elapsed * 10) + 4);
      const gaps = during.slice(1).map((s, i) => s.at - during[i]!.at);
      expect(gaps.filter((g) => g < 50).length).toBeLessThanOrEqual(4);
      expect(received.connection.map((c) => c.state)).toEqual([
        'disconnected',
        'connecting',
        'connected',
        'disconnected',
      ]);
    }
    const saved = await server.service.saved();
    expect(saved?.stats).toEqual(alice.truth.stats);
    // Quiet now: nothing changes, nothing is pushed.
    const count = all[0]!.stats.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(all[0]!.stats.length).toBe(count);
    for (const s of sockets) s.close();
  });

  it("tells every socket about a profile switch, then sends the new profile's numbers", async () => {
    const { server, url } = await serverWith(43, 30);
    await server.service.connect('alice');
    await waitFor(() => server.service.connection.isIdle);
    await server.service.createProfile('other');
    const socket = socketTo(url);
    const received = record(socket);
    await waitFor(() => received.stats.length > 0);
    expect((await server.service.saved())?.stats.likes).toBeGreaterThan(0);
    await server.service.activateProfile('other');
    await waitFor(
      () => received.profile.length > 0 && received.stats.at(-1)!.view.profile === 'other',
    );
    expect(received.profile).toEqual(['other']);
    expect(received.stats.at(-1)!.view.stats).toEqual({
      viewers: 0,
      likes: 0,
      totalCoins: 0,
      followers: 0,
      shares: 0,
      gifts: 0,
    });
    socket.close();
  });

  it('announces gifts at their end, follows and shares as activity', async () => {
    const replayDir = tempDir();
    const alice = generateRecording(
      replayDir,
      { seed: 44, durationSec: 40, streamer: 'alice' },
      'alice.ndjson',
    );
    const server = await testServer({ replayDir, speed: 10 }); // a busy LIVE, 10× real time
    const socket = socketTo(await server.listen());
    const received = record(socket);
    await waitFor(() => received.stats.length > 0);
    await server.service.connect('alice');
    await waitFor(() => server.service.connection.isIdle, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const of = (kind: string) => received.activity.filter((a) => a.kind === kind);
    expect(of('follow')).toHaveLength(alice.truth.stats.followers);
    expect(of('share')).toHaveLength(alice.truth.stats.shares);
    const gifts = of('gift') as Extract<ActivityView, { kind: 'gift' }>[];
    expect(gifts.length).toBeGreaterThan(0);
    expect(gifts.reduce((sum, g) => sum + g.coins, 0)).toBe(alice.truth.stats.totalCoins);
    expect(gifts.every((g) => g.count > 0 && g.coins === g.count * g.diamonds)).toBe(true);
    socket.close();
  });

  it('pushes an alert at once, not with the next (coalesced) stats push', async () => {
    const replayDir = tempDir();
    const start = connected({ streamer: 'alice' });
    // Counted at once (the first change after a quiet spell is pushed at once), then a
    // follow half a second later, in real time.
    writeRecording(replayDir, 'alice.ndjson', [
      start,
      like({ at: start.at, count: 3 }),
      follow(user(7), { at: start.at + 500 }),
    ]);
    // Stats at most every 20 s: an alert that waited for the next stats push would be late.
    const server = await testServer({ replayDir, speed: 1, realtime: { intervalMs: 20_000 } });
    const socket = socketTo(await server.listen());
    const received = record(socket);
    await waitFor(() => received.stats.length > 0);
    const connectedAt = Date.now();
    await server.service.connect('alice');
    await waitFor(() => received.activity.length > 0, 10_000);
    expect(Date.now() - connectedAt).toBeLessThan(10_000);
    expect(received.activity).toMatchObject([{ kind: 'follow', user: { id: 'u7' } }]);
    // The stats that include the follow are still being held back.
    expect(received.stats.at(-1)!.view.stats.followers).toBe(0);
    socket.close();
  });

  it('drops a client that falls behind instead of buffering for it', async () => {
    const { server, url } = await serverWith(45, 20);
    const socket = socketTo(url);
    record(socket);
    await waitFor(() => socket.connected);
    const serverSide = [...server.realtime.io.sockets.sockets.values()][0]!;
    // A stalled client: its transport cannot take more, packets pile up unsent.
    const conn = serverSide.conn as unknown as {
      writeBuffer: unknown[];
      transport: { writable: boolean };
    };
    conn.transport.writable = false;
    for (let i = 0; i < 100; i++) conn.writeBuffer.push({ type: 'noop', options: {} });
    let dropped = false;
    socket.on('disconnect', () => (dropped = true));
    await server.service.connect('alice'); // something changes: a push is due
    await waitFor(() => dropped, 3000);
    expect(server.realtime.clients).toBe(0);
  });
});
