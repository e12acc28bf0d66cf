import { afterEach, describe, expect, it } from 'vitest';
import { connectAtStart } from '../../src/app/connect-at-start.js';
import { LiveService } from '../../src/app/live-service.js';
import { silentLogger } from '../../src/app/logger.js';
import type { SourceFactory } from '../../src/app/source-factory.js';
import { chooseStartConnection } from '../../src/app/start-connection.js';
import { Workspace } from '../../src/app/workspace.js';
import { LivetallyError } from '../../src/domain/errors.js';
import type { SessionRecord } from '../../src/domain/history.js';
import type { Source, SourceEnd, SourceSink } from '../../src/sources/source.js';
import { connected, like } from '../helpers/events.js';
import { tempDir } from '../helpers/temp-dir.js';

function entry(id: number, endReason: string | null, streamer = 'alice'): SessionRecord {
  return {
    id,
    streamer,
    streamerId: '1',
    roomId: `room-${id}`,
    // Start times in any order: the last connection is the entry made last.
    startedAt: 1_000_000 - id,
    endedAt: endReason === null ? null : 2_000_000,
    endReason,
    stats: { viewers: 0, likes: 0, totalCoins: 0, followers: 0, shares: 0, gifts: 0 },
    peakViewers: 0,
    updatedAt: 2_000_000,
  };
}

describe('whom livetally start connects to by itself', () => {
  it.each<[string, string | null, boolean]>([
    ['stopped (Ctrl+C, SIGTERM)', 'stopped', true],
    ['interrupted (a crash found later)', 'interrupted', true],
    ['still open (a crash not yet noticed)', null, true],
    ['disconnected (Disconnect, or the recording ran out)', 'disconnected', false],
    ['ended (the LIVE ended)', 'ended', false],
    ['reset', 'reset', false],
    ['imported', 'imported', false],
  ])('last connection %s → resume: %s', (_name, endReason, resumes) => {
    const sessions = [entry(1, 'disconnected', 'old'), entry(2, endReason)];
    const choice = chooseStartConnection({ resume: true, sessions });
    expect(choice).toEqual(
      resumes ? { streamer: 'alice', reason: 'resume', sessionId: 2 } : undefined,
    );
  });

  it('looks at the entry made last, not the one dated last', () => {
    const sessions = [entry(3, 'disconnected', 'carol'), entry(2, 'stopped'), entry(1, 'stopped')];
    expect(chooseStartConnection({ resume: true, sessions })).toBeUndefined();
  });

  it('--no-resume, --streamer and --demo', () => {
    const sessions = [entry(1, 'stopped')];
    expect(chooseStartConnection({ resume: false, sessions })).toBeUndefined();
    expect(chooseStartConnection({ resume: true, streamer: 'bob', sessions })).toEqual({
      streamer: 'bob',
      reason: 'streamer',
    });
    expect(chooseStartConnection({ resume: false, streamer: 'bob', sessions })).toMatchObject({
      streamer: 'bob',
    });
    expect(chooseStartConnection({ resume: true, demo: 'demo_streamer', sessions })).toEqual({
      streamer: 'demo_streamer',
      reason: 'demo',
    });
    // The demo plays only with --demo: never resumed without it (it would go to TikTok).
    const demo = [entry(1, 'stopped', 'demo_streamer')];
    expect(
      chooseStartConnection({ resume: true, notResumable: ['demo_streamer'], sessions: demo }),
    ).toBeUndefined();
    expect(chooseStartConnection({ resume: true, sessions: [] })).toBeUndefined();
  });
});

/** A source that plays the given events, then stays connected until stopped. */
function playing(events: ReturnType<typeof like>[]): Source {
  let stop = () => {};
  return {
    async run(sink: SourceSink): Promise<SourceEnd> {
      await sink.connected(connected(), () => Date.now());
      for (const e of events) sink.event(e);
      await new Promise<void>((resolve) => (stop = resolve));
      return { reason: 'stopped' };
    },
    stop: () => stop(),
  };
}

/** A source that fails before connecting, as TikTok does for an offline streamer. */
function failing(code: string): Source {
  return {
    run: () => Promise.reject(new LivetallyError(code, `@alice: ${code}`)),
    stop: () => {},
  };
}

/** A source still trying to connect when stopped. */
function neverConnecting(): Source {
  let stop = () => {};
  return {
    async run(): Promise<SourceEnd> {
      await new Promise<void>((resolve) => (stop = resolve));
      return { reason: 'stopped' };
    },
    stop: () => stop(),
  };
}

const workspaces: Workspace[] = [];
afterEach(() => {
  for (const workspace of workspaces.splice(0)) workspace.release();
});

function service(dataDir: string, source: () => Source): Promise<LiveService> {
  const workspace = new Workspace(dataDir, silentLogger);
  workspace.lockForWriting('test');
  workspaces.push(workspace);
  const sources: SourceFactory = async () => ({ source: source(), kind: 'tiktok' });
  return LiveService.open({ workspace, sources, logger: silentLogger, saveIntervalMs: 100 });
}

/** A profile whose last connection was cut by a stop: alice, 5 likes counted. */
async function cutShort(dataDir: string): Promise<void> {
  const first = await service(dataDir, () => playing([like({ count: 5 })]));
  await first.connect('alice');
  await first.shutdown(); // SIGTERM, Ctrl+C
  workspaces.pop()?.release();
}

async function resumeWith(dataDir: string, source: () => Source) {
  const next = await service(dataDir, source);
  const choice = chooseStartConnection({ resume: true, sessions: await next.sessions() });
  expect(choice).toMatchObject({ streamer: 'alice', reason: 'resume' });
  return { next, choice: choice! };
}

describe('a resume that never reaches the broadcast', () => {
  it('finds the LIVE over: the entry counts as ended, and the next start stays put', async () => {
    const data = tempDir();
    await cutShort(data);
    const { next, choice } = await resumeWith(data, () => failing('user_offline'));
    await connectAtStart(next, choice, silentLogger);
    expect(await next.sessions()).toMatchObject([{ endReason: 'ended', stats: { likes: 5 } }]);
    expect(
      chooseStartConnection({ resume: true, sessions: await next.sessions() }),
    ).toBeUndefined();
    await next.shutdown();
  });

  it('is called off with Disconnect: the entry counts as disconnected', async () => {
    const data = tempDir();
    await cutShort(data);
    const { next, choice } = await resumeWith(data, neverConnecting);
    const starting = connectAtStart(next, choice, silentLogger);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const asked = Date.now();
    await next.disconnect();
    // Not held up by the connect still waiting (up to 10 s) for its first outcome.
    expect(Date.now() - asked).toBeLessThan(5000);
    await starting;
    expect(await next.sessions()).toMatchObject([{ endReason: 'disconnected' }]);
    expect(
      chooseStartConnection({ resume: true, sessions: await next.sessions() }),
    ).toBeUndefined();
    await next.shutdown();
  });

  it('fails for a reason a later start may not have (the network): tried again next time', async () => {
    const data = tempDir();
    await cutShort(data);
    const { next, choice } = await resumeWith(data, () => failing('tiktok_unreachable'));
    await connectAtStart(next, choice, silentLogger);
    expect(await next.sessions()).toMatchObject([{ endReason: 'stopped' }]);
    expect(chooseStartConnection({ resume: true, sessions: await next.sessions() })).toMatchObject({
      reason: 'resume',
    });
    await next.shutdown();
  });
});
