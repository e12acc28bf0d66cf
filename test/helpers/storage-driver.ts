import {
  BroadcastTally,
  DEFAULT_TALLY_OPTIONS,
  type TallyOptions,
  type TallySeed,
} from '../../src/domain/broadcast-tally.js';
import type { BroadcastEvent, ConnectedEvent, StreamEvent } from '../../src/domain/events.js';
import { liveEndReason, type BroadcastLink, type EndReason } from '../../src/domain/history.js';
import { MessageDedupe } from '../../src/domain/message-dedupe.js';
import { zeroStats } from '../../src/domain/stats.js';
import type { ProfileStorage } from '../../src/storage/profile-storage.js';

/**
 * StreamTracker's persistence rules (connect, resume, save, reset, disconnect, look-ups of
 * message ids only storage can judge), step by step over any `ProfileStorage`, every call
 * awaited — so the same events drive a SQLite and a PostgreSQL profile through the same
 * calls in the same order. The clock is the events' own (`at`): saves happen every
 * `saveEveryMs` of stream time, which makes every run of a recording the same.
 */
export class StorageDriver {
  private tally: BroadcastTally | undefined;
  private link: BroadcastLink | undefined;
  private endReason: EndReason | undefined;
  private lastSaveAt = 0;
  /** Message ids storage was asked about, and how many it said were counted already. */
  lookups = { asked: 0, found: 0 };

  constructor(
    readonly store: ProfileStorage,
    private readonly options: TallyOptions = DEFAULT_TALLY_OPTIONS,
    private readonly saveEveryMs = 1000,
  ) {}

  get sessionId(): number | undefined {
    return this.link?.sessionId;
  }

  get stats() {
    return this.tally?.stats;
  }

  /** What the tracker does when it takes charge of the profile. */
  async takeCharge(): Promise<number> {
    return this.store.closeInterrupted();
  }

  async play(events: readonly StreamEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type === 'connected') await this.connected(event);
      else await this.event(event);
    }
  }

  async connected(event: ConnectedEvent): Promise<void> {
    if (this.tally && this.link) {
      if (this.link.roomId === event.roomId && this.link.streamerId === event.streamerId) return;
      await this.end('ended', event.at);
    }
    await this.begin(event);
  }

  async event(event: BroadcastEvent): Promise<void> {
    const tally = this.tally;
    const link = this.link;
    if (!tally || !link) return;
    const now = event.at;
    if (tally.apply(event, now) === 'lookup') {
      const id = (event as { msgId: string }).msgId;
      const found = await this.store.countedMessages(link.roomId, [id]);
      this.lookups.asked += 1;
      if (found.has(id)) this.lookups.found += 1;
      tally.apply(event, now, found.has(id));
    }
    if (event.type === 'streamEnd') this.endReason = liveEndReason(event.reason);
    if (now - this.lastSaveAt >= this.saveEveryMs) await this.save(now);
  }

  /** One save of everything changed (the tracker's flush), awaited. */
  async save(now: number): Promise<void> {
    const tally = this.tally;
    const link = this.link;
    if (!tally || !link) return;
    this.lastSaveAt = now;
    tally.tick(now);
    if (!tally.hasChanges) return;
    const changes = tally.drainChanges(now);
    await this.store.saveProgress(link, changes);
    tally.commitMessages(changes.messageMark);
  }

  /** The tracker's reset while counting: a new entry of the same broadcast. */
  async reset(now: number): Promise<void> {
    const tally = this.tally;
    const link = this.link;
    if (!tally || !link) {
      await this.store.resetStreamStats();
      return;
    }
    await this.save(now);
    await this.store.endSession(link.sessionId, now, 'reset');
    tally.reset(now);
    const sessionId = await this.store.startSession({
      ...link,
      startedAt: now,
      likeBase: tally.room.likeBase,
    });
    this.link = { ...link, sessionId };
    this.endReason = undefined;
  }

  async end(reason: EndReason, now: number): Promise<void> {
    const tally = this.tally;
    const link = this.link;
    if (!tally || !link) return;
    tally.closeStreaks(now);
    await this.save(now);
    this.tally = undefined;
    this.link = undefined;
    await this.store.endSession(link.sessionId, now, this.endReason ?? reason);
  }

  /** The process dies: nothing more is saved, nothing is ended. */
  kill(): void {
    this.tally = undefined;
    this.link = undefined;
  }

  private async begin(event: ConnectedEvent): Promise<void> {
    const store = this.store;
    const saved = await store.loadCurrent();
    const link = { streamer: event.streamer, streamerId: event.streamerId, roomId: event.roomId };
    let seed: TallySeed | undefined;
    let sessionId: number;
    let startedAt = event.at;
    if (saved && saved.streamerId === event.streamerId && saved.roomId === event.roomId) {
      const { legacyMessageIds, ...memory } = await store.loadRoomMemory(event.roomId);
      const messages = new MessageDedupe(this.options.dedupe);
      await store.loadMessageKeys(event.roomId, (hi, lo) => messages.rememberStored(hi, lo));
      for (const id of legacyMessageIds) messages.rememberUnsaved(id);
      const session = saved.sessionId != null ? await store.getSession(saved.sessionId) : null;
      if (session && session.roomId === event.roomId) {
        await store.resumeSession(session.id);
        sessionId = session.id;
        startedAt = session.startedAt;
        const peakViewers = Math.max(saved.peakViewers, session.peakViewers);
        const lastSampleAt = await store.lastSampleAt(session.id);
        seed = { stats: saved.stats, peakViewers, ...memory, messages, lastSampleAt };
      } else {
        sessionId = await store.startSession({ ...link, startedAt });
        seed = { stats: zeroStats(), peakViewers: 0, ...memory, messages };
      }
    } else {
      sessionId = await store.startSession({ ...link, startedAt });
    }
    this.link = { ...link, sessionId };
    this.endReason = undefined;
    this.lastSaveAt = event.at;
    this.tally = new BroadcastTally(this.options, seed);
  }
}
