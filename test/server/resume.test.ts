import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/domain/history.js';
import type { StatsValues } from '../../src/shared/api-types.js';
import { cliJson } from '../helpers/cli.js';
import { eventually, getStats, send, startServer, type RunningServer } from '../helpers/process.js';
import { generateRecording } from '../helpers/recordings.js';
import { socketTo } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

// Resume on start (README "Running it unattended"), with real `livetally start` processes
// playing recordings through --replay-dir. Expected totals are the generator's own ground
// truth: what one clean pass of the recording counts, decided apart from any output.
// (A resumed replay starts its file again from the beginning; de-duplication must make the
// re-sent part count once.)

const SPEED = '12';

function setup() {
  const data = tempDir();
  const replayDir = tempDir();
  // ~9,000 messages: inside the de-duplication window, so "exactly once" is exact.
  const alice = generateRecording(
    replayDir,
    { seed: 73, durationSec: 60, streamer: 'alice' },
    'alice.ndjson',
  );
  const bob = generateRecording(
    replayDir,
    { seed: 74, durationSec: 30, streamer: 'bob' },
    'bob.ndjson',
  );
  const args = ['--data-dir', data, 'start', '--port', '0', '--replay-dir', replayDir];
  return { data, alice: alice.truth, bob: bob.truth, args: [...args, '--speed', SPEED] };
}

/** Connects (or not), lets at least one save happen mid-stream, and returns what was saved. */
async function countSome(server: RunningServer, connect: boolean): Promise<StatsValues> {
  if (connect)
    expect(await send(server.url, 'POST', '/api/connection', { streamer: 'alice' })).toBe(200);
  const stats = await eventually(async () => {
    const now = await getStats(server.url);
    return now.saved && now.saved.stats.likes > 0 ? now : undefined;
  }, 20_000);
  expect(stats.connection.state).toBe('connected');
  return stats.saved!.stats;
}

/** Waits until the replay has played to its end (the recording ran out). */
async function untilPlayedOut(server: RunningServer) {
  return eventually(async () => {
    const now = await getStats(server.url);
    return now.connection.state === 'disconnected' && now.connection.lastEnd ? now : undefined;
  }, 60_000);
}

function sessions(data: string): SessionRecord[] {
  return cliJson<{ sessions: SessionRecord[] }>(['--data-dir', data, 'sessions']).sessions;
}

function savedStats(data: string): StatsValues {
  return cliJson<{ stats: StatsValues }>(['--data-dir', data, 'stats']).stats;
}

async function stop(server: RunningServer, signal: NodeJS.Signals): Promise<void> {
  server.child.kill(signal);
  const code = await server.exited;
  if (signal !== 'SIGKILL') expect(code).toBe(0);
}

describe('resume on start', () => {
  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'after %s mid-stream: reconnects with no click, shows the numbers at once, and counts exactly one clean pass',
    async (signal) => {
      const { data, alice, args } = setup();
      const first = await startServer(args);
      await countSome(first, true);
      await stop(first, signal);
      const atStop = savedStats(data);
      expect(atStop.likes).toBeGreaterThan(0);
      expect(atStop.likes).toBeLessThan(alice.stats.likes); // really mid-stream

      const second = await startServer(args); // nobody clicks Connect
      // At once: the connection is on its way and the numbers are the saved ones, not zero.
      const shown = await getStats(second.url);
      expect(shown.connection).toMatchObject({ streamer: 'alice', source: 'replay' });
      expect(['connecting', 'connected']).toContain(shown.connection.state);
      expect(shown.stats.likes).toBeGreaterThanOrEqual(atStop.likes);
      // … and so do the overlays: a new socket's first `stats`.
      const socket = socketTo(second.url);
      const pushed = await new Promise<StatsValues>((resolve) =>
        socket.once('stats', (view) => resolve(view.stats)),
      );
      socket.close();
      expect(pushed.likes).toBeGreaterThanOrEqual(atStop.likes);

      const end = await untilPlayedOut(second);
      expect(end.saved?.stats).toEqual(alice.stats);
      expect(second.output.stderr).toContain('resuming @alice');
      expect(second.output.stderr).toContain("continuing @alice's broadcast");
      await stop(second, 'SIGTERM');
      const history = sessions(data);
      expect(history).toHaveLength(1); // the same broadcast, continued
      expect(history[0]).toMatchObject({ streamer: 'alice', stats: alice.stats });
    },
    120_000,
  );

  it('not after an explicit Disconnect', async () => {
    const { data, args } = setup();
    const first = await startServer(args);
    await countSome(first, true);
    expect(await send(first.url, 'DELETE', '/api/connection')).toBe(200);
    await stop(first, 'SIGTERM');
    const before = savedStats(data);

    const second = await startServer(args);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time enough to have started
    const shown = await getStats(second.url);
    expect(shown.connection).toMatchObject({ state: 'disconnected', lastEnd: null });
    expect(second.output.stderr).not.toContain('resuming');
    await stop(second, 'SIGTERM');
    expect(savedStats(data)).toEqual(before);
    expect(sessions(data)).toMatchObject([{ endReason: 'disconnected' }]);
  }, 120_000);

  it('--no-resume stays disconnected; --streamer connects (and continues the broadcast)', async () => {
    const { data, alice, args } = setup();
    const first = await startServer(args);
    await countSome(first, true);
    await stop(first, 'SIGKILL');

    const quiet = await startServer([...args, '--no-resume']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await getStats(quiet.url)).connection.state).toBe('disconnected');
    expect(quiet.output.stderr).not.toContain('resuming');
    await stop(quiet, 'SIGTERM');

    const asked = await startServer([...args, '--streamer', '@alice']);
    expect(asked.output.stderr).not.toContain('resuming');
    const end = await untilPlayedOut(asked);
    expect(end.saved?.stats).toEqual(alice.stats);
    await stop(asked, 'SIGTERM');
    expect(sessions(data)).toHaveLength(1);
  }, 120_000);

  it('LIVETALLY_STREAMER wins over resuming', async () => {
    const { data, bob, args } = setup();
    const first = await startServer(args);
    await countSome(first, true);
    await stop(first, 'SIGKILL');

    const second = await startServer(args, { LIVETALLY_STREAMER: 'bob' });
    const end = await untilPlayedOut(second);
    expect(second.output.stderr).not.toContain('resuming');
    expect(end.saved).toMatchObject({ streamer: 'bob', stats: bob.stats });
    await stop(second, 'SIGTERM');
    expect(
      sessions(data)
        .map((s) => s.streamer)
        .sort(),
    ).toEqual(['alice', 'bob']);
  }, 120_000);
});
