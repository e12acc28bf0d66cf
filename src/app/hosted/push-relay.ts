import { EventEmitter } from 'node:events';
import type { Activity } from '../../domain/broadcast-tally.js';
import type { ConnectionView, GoalsPush, StatsView } from '../../shared/api-types.js';
import { MAX_NOTIFY_BYTES, notify, type PgBus } from '../../storage/pg/pg-bus.js';
import type { PgPool } from '../../storage/pg/pg-database.js';
import type { Logger } from '../logger.js';

/**
 * One message on `livetally_push`: what the process counting a profile pushes to its own
 * pages, for the pages connected to every other process of the service. JSON, under
 * PostgreSQL's 8000-byte limit (activities that do not fit go in messages of their own;
 * goals that do not fit are sent as a bare "goals changed" and read from the database).
 */
export type PushMessage = { o: string; p: string; s: number } & (
  | { k: 'stats'; v: StatsView; a?: Activity[] }
  | { k: 'activity'; a: Activity[] }
  | { k: 'connection'; v: ConnectionView }
  | { k: 'goals'; v?: GoalsPush }
  /** The owner let the profile go: what is kept in the database is what there is. */
  | { k: 'released' }
  /** Asks whichever process counts the profile to reset its stats (request id `r`). */
  | { k: 'reset'; r: string }
  /** The reset `r` was made, or failed with `e`. */
  | { k: 'reset-done'; r: string; e?: { code: string; message: string } }
);

/** What the owner of a profile shows, as its pushes say. */
export interface RemoteView {
  owner: string;
  seq: number;
  view: StatsView;
  goals: GoalsPush | undefined;
}

/** Stats of one profile are pushed to the other processes at most this often. */
export const REMOTE_STATS_INTERVAL_MS = 250;

/** What the publisher reads from the profiles this process counts. */
export interface LocalViews {
  view(profile: string): StatsView;
  goalsNow(profile: string): GoalsPush | undefined;
  /** Asks for one `stats` notice at the profile's next change. */
  armStats(profile: string): void;
}

interface Pending {
  timer: NodeJS.Timeout | undefined;
  activity: Activity[];
  last: number;
}

/**
 * Publishes the pushes of the profiles this process counts, paced (stats at most every
 * `REMOTE_STATS_INTERVAL_MS` per profile; a connection change at once). Sends are queued in
 * order on the pool; a failed send is logged and dropped — the next one carries the whole
 * view again.
 */
export class PushPublisher {
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private sending: Promise<void> = Promise.resolve();
  private closed = false;
  private failures = 0;

  constructor(
    private readonly pool: PgPool,
    private readonly processId: string,
    private readonly local: LocalViews,
    private readonly logger: Logger,
  ) {}

  /** The profile's stats changed (or its storage status): push soon. */
  stats(profile: string): void {
    this.schedule(this.slot(profile), profile);
  }

  activity(profile: string, activity: Activity): void {
    const slot = this.slot(profile);
    if (slot.activity.length >= 200) slot.activity.shift();
    slot.activity.push(activity);
    this.schedule(slot, profile);
  }

  connection(profile: string, view: ConnectionView): void {
    this.send({ o: this.processId, p: profile, s: ++this.seq, k: 'connection', v: view });
    this.stats(profile);
  }

  goals(profile: string): void {
    const goals = this.local.goalsNow(profile);
    this.send({ o: this.processId, p: profile, s: ++this.seq, k: 'goals', v: goals });
  }

  /** This process stopped counting the profile: its last view, then "released". */
  released(profile: string, last?: StatsView): void {
    const slot = this.pending.get(key(profile));
    if (slot?.timer) clearTimeout(slot.timer);
    this.pending.delete(key(profile));
    if (last) this.send({ o: this.processId, p: profile, s: ++this.seq, k: 'stats', v: last });
    this.send({ o: this.processId, p: profile, s: ++this.seq, k: 'released' });
  }

  /** Stops the timers; what is queued is still sent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.pending.values()) if (slot.timer) clearTimeout(slot.timer);
    this.pending.clear();
    await this.sending;
  }

  private slot(profile: string): Pending {
    let slot = this.pending.get(key(profile));
    if (!slot) {
      slot = { timer: undefined, activity: [], last: 0 };
      this.pending.set(key(profile), slot);
    }
    return slot;
  }

  private schedule(slot: Pending, profile: string): void {
    if (slot.timer || this.closed) return;
    const wait = Math.max(0, slot.last + REMOTE_STATS_INTERVAL_MS - Date.now());
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      slot.last = Date.now();
      this.flush(slot, profile);
    }, wait);
  }

  private flush(slot: Pending, profile: string): void {
    let view: StatsView;
    try {
      view = this.local.view(profile);
      this.local.armStats(profile);
    } catch {
      return; // no longer counted here
    }
    const activity = slot.activity;
    slot.activity = [];
    const base = { o: this.processId, p: profile };
    const whole: PushMessage = { ...base, s: ++this.seq, k: 'stats', v: view, a: activity };
    if (fits(whole)) {
      this.send(whole);
      return;
    }
    this.send({ ...base, s: ++this.seq, k: 'stats', v: view });
    // Activities in as many messages as they need; one that cannot fit at all is dropped.
    let batch: Activity[] = [];
    for (const item of activity) {
      const next = [...batch, item];
      if (fits({ ...base, s: 0, k: 'activity', a: next })) {
        batch = next;
        continue;
      }
      if (batch.length > 0) this.send({ ...base, s: ++this.seq, k: 'activity', a: batch });
      batch = fits({ ...base, s: 0, k: 'activity', a: [item] }) ? [item] : [];
    }
    if (batch.length > 0) this.send({ ...base, s: ++this.seq, k: 'activity', a: batch });
  }

  private send(message: PushMessage): void {
    let text = JSON.stringify(message);
    if (Buffer.byteLength(text) > MAX_NOTIFY_BYTES && message.k === 'goals') {
      text = JSON.stringify({ ...message, v: undefined }); // read from the database instead
    }
    if (Buffer.byteLength(text) > MAX_NOTIFY_BYTES) return;
    this.sending = this.sending.then(() =>
      notify(this.pool, 'livetally_push', text).then(
        () => {
          this.failures = 0;
        },
        (error: unknown) => {
          if (this.failures++ === 0) {
            this.logger.warn(
              `hosted mode: could not push to the other processes: ${String(error)}`,
            );
          }
        },
      ),
    );
  }
}

function fits(message: PushMessage): boolean {
  return Buffer.byteLength(JSON.stringify(message)) <= MAX_NOTIFY_BYTES;
}

interface RemoteEvents {
  stats: [string];
  connection: [string, ConnectionView];
  activity: [string, Activity];
  goals: [string];
  /** The owner let the profile go: its view is forgotten. */
  released: [string];
}

/**
 * The latest pushes of profiles counted by other processes, as they arrive on the bus,
 * turned back into the events this process's pages already follow.
 */
export class RemoteViews extends EventEmitter<RemoteEvents> {
  private readonly views = new Map<string, RemoteView>();
  private readonly onMessage = (channel: string, payload: string) => {
    if (channel === 'livetally_push') this.receive(payload);
  };

  constructor(
    private readonly bus: PgBus,
    private readonly processId: string,
    /** Profiles counted here: whatever another process says about them is stale. */
    private readonly countsHere: (profile: string) => boolean,
  ) {
    super();
    this.setMaxListeners(0);
    bus.on('message', this.onMessage);
  }

  get(profile: string): RemoteView | undefined {
    return this.views.get(key(profile));
  }

  /** Forgets a profile's view (this process now counts it, or it was deleted). */
  forget(profile: string): void {
    this.views.delete(key(profile));
  }

  close(): void {
    this.bus.off('message', this.onMessage);
    this.views.clear();
  }

  private receive(payload: string): void {
    let message: PushMessage;
    try {
      message = JSON.parse(payload) as PushMessage;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null || typeof message.p !== 'string') return;
    if (message.o === this.processId || this.countsHere(message.p)) return;
    const k = key(message.p);
    const known = this.views.get(k);
    // Another owner's messages replace the last one's; one owner's are taken in order.
    if (known && known.owner === message.o && message.s <= known.seq) return;
    switch (message.k) {
      case 'stats': {
        this.views.set(k, {
          owner: message.o,
          seq: message.s,
          view: message.v,
          goals: known?.goals,
        });
        for (const item of message.a ?? []) this.emit('activity', message.p, item);
        this.emit('stats', message.p);
        break;
      }
      case 'activity':
        for (const item of message.a) this.emit('activity', message.p, item);
        break;
      case 'connection': {
        if (known)
          this.views.set(k, {
            ...known,
            owner: message.o,
            seq: message.s,
            view: { ...known.view, connection: message.v },
          });
        this.emit('connection', message.p, message.v);
        break;
      }
      case 'goals': {
        if (known)
          this.views.set(k, { ...known, owner: message.o, seq: message.s, goals: message.v });
        this.emit('goals', message.p);
        break;
      }
      case 'released':
        if (known && known.owner !== message.o) return; // a new owner's view stays
        this.views.delete(k);
        this.emit('released', message.p);
        this.emit('stats', message.p);
        break;
    }
  }
}

function key(name: string): string {
  return name.toLowerCase();
}
