import { EventEmitter } from 'node:events';
import type { PgBus } from '../../storage/pg/pg-bus.js';
import { PgClaims, type ClaimsOwner } from '../../storage/pg/pg-claims.js';
import type { PgServiceState, WantedConnection } from '../../storage/pg/pg-service-state.js';
import type { Logger } from '../logger.js';

/** What the claim loop has a process do with the LIVEs it claims (the fleet, in hosted mode). */
export interface CountingTarget {
  /**
   * Opens the profile and connects it to the streamer; resolves once connecting is under
   * way. Throws when there is nothing to connect to (no such recording, …).
   */
  start(profile: string, streamer: string): Promise<void>;
  /**
   * Ends the counting (final save) and closes the profile: `disconnected` when it is no
   * longer wanted (the history entry ends as after a Disconnect), `stopped` when this
   * process stops (the entry is resumed by whoever takes the LIVE over).
   */
  stop(profile: string, why: 'disconnected' | 'stopped'): Promise<void>;
  /**
   * Stops counting at once and saves nothing more: the claim is gone, so another process
   * may count the profile already. Whatever was not saved yet is counted again by the next
   * owner, which replays it from where the last save left off.
   */
  abandon(profile: string): Promise<void>;
  /** Whether the profile still counts here (false once its connection ended by itself). */
  isCounting(profile: string): boolean;
}

interface LoopEvents {
  /** This process now counts the profile. */
  claimed: [WantedConnection];
  /** This process let the profile go (its counting stopped first). */
  released: [WantedConnection];
  /** A claimed connection could not start; its wanted row was removed. */
  failed: [WantedConnection, Error];
}

export interface ClaimLoopOptions {
  url: string;
  owner: ClaimsOwner;
  state: PgServiceState;
  bus: PgBus;
  target: CountingTarget;
  logger: Logger;
  /** How often every process looks for LIVEs nobody counts (default 2 s). */
  periodMs?: number;
}

interface Owned {
  wanted: WantedConnection;
  /** The change under way for this profile (start, stop, restart), if any. */
  busy: Promise<void> | undefined;
}

/** Default look period: a dead owner's LIVEs are taken over within about this long. */
export const CLAIM_PERIOD_MS = 2000;

/**
 * Decides which LIVEs this process counts, from the desired state in the database
 * (`wanted_connections`) and PostgreSQL's locks (`PgClaims`), every `periodMs` and at
 * once when the desired state changes anywhere (`livetally_wanted`):
 *
 * - a wanted profile nobody holds is claimed, up to this process's fair share of the
 *   wanted LIVEs (their number divided by the number of processes, rounded up), so a
 *   service spreads its LIVEs; a process never hands over what it holds to even out.
 * - a held profile no longer wanted (a disconnect, anywhere) is stopped, then let go;
 *   one wanted with another streamer (or connected again since) is restarted.
 * - a connection that ends by itself (the LIVE ended, a recording ran out) removes its
 *   wanted row, as a disconnect would, and its claim goes.
 * - the claims connection failing means the locks are gone: every LIVE stops at once and
 *   saves nothing, and the loop connects and claims again.
 */
export class ClaimLoop extends EventEmitter<LoopEvents> {
  private readonly owned = new Map<number, Owned>();
  private readonly periodMs: number;
  private claims: PgClaims | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private lastFailure = '';
  private readonly onBus = (channel: string) => {
    if (channel === 'livetally_wanted') this.soon();
  };
  private readonly onReconnected = () => this.soon();

  constructor(private readonly options: ClaimLoopOptions) {
    super();
    this.periodMs = options.periodMs ?? CLAIM_PERIOD_MS;
  }

  /** Starts looking (at once, then every period). */
  start(): void {
    this.options.bus.on('message', this.onBus);
    this.options.bus.on('reconnected', this.onReconnected);
    this.soon();
  }

  /** Profiles this process counts now, by id. */
  get counting(): WantedConnection[] {
    return [...this.owned.values()].map((o) => o.wanted);
  }

  /** The server process of the claims connection, while there is one (for fencing). */
  get backendPid(): number | undefined {
    return this.claims?.isOpen ? this.claims.backendPid : undefined;
  }

  /** Whether this process holds the profile's claim. */
  holds(profileId: number): boolean {
    return this.owned.has(profileId);
  }

  /**
   * The profile's connection ended by itself: it is no longer wanted (unless wanted again
   * meanwhile) and its claim goes.
   */
  ended(profileId: number): void {
    // Stopping: the connections end because this process stops, not by themselves.
    if (this.closed) return;
    const owned = this.owned.get(profileId);
    if (!owned || owned.busy) return;
    this.change(owned, async () => {
      await this.options.state.unwantIf(owned.wanted).catch(() => undefined);
      await this.let(owned, false);
    });
  }

  /**
   * A clean stop: every LIVE this process counts stops and saves, then the claims are
   * released together (their wanted rows stay) and the others are told to look at once.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.options.bus.off('message', this.onBus);
    this.options.bus.off('reconnected', this.onReconnected);
    await this.ticking?.catch(() => undefined);
    await Promise.all(
      [...this.owned.values()].map(async (owned) => {
        await owned.busy?.catch(() => undefined);
        await this.options.target.stop(owned.wanted.profile, 'stopped').catch((error: unknown) => {
          this.options.logger.error(`profile "${owned.wanted.profile}": ${String(error)}`);
        });
      }),
    );
    const released = this.counting;
    this.owned.clear();
    await this.claims?.close();
    this.claims = undefined;
    // The others take over now rather than at their next look.
    if (released.length > 0) await this.options.state.poke().catch(() => undefined);
  }

  /** A look as soon as the current one (if any) ends. */
  private soon(): void {
    if (this.closed) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ticking = this.tick()
      .catch((error: unknown) => this.failedLook(error))
      .finally(() => {
        this.ticking = undefined;
        if (this.closed) return;
        if (this.again) {
          this.again = false;
          this.soon();
        } else {
          this.timer = setTimeout(() => this.soon(), this.periodMs);
        }
      });
  }

  private failedLook(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // Once per kind of failure, not every two seconds while the database is away.
    if (message !== this.lastFailure) {
      this.options.logger.warn(`hosted mode: could not look for LIVEs to count: ${message}`);
      this.lastFailure = message;
    }
  }

  private async tick(): Promise<void> {
    const claims = await this.ensureClaims();
    await claims.check();
    const wanted = await this.options.state.wanted();
    if (this.closed || claims !== this.claims) return;
    const byId = new Map(wanted.map((w) => [w.profileId, w]));
    for (const owned of this.owned.values()) {
      if (owned.busy) continue;
      const now = byId.get(owned.wanted.profileId);
      if (!now) {
        this.change(owned, () => this.let(owned, true));
      } else if (!this.options.target.isCounting(owned.wanted.profile)) {
        // Ended by itself while a change was under way (see `ended`).
        this.change(owned, async () => {
          await this.options.state.unwantIf(owned.wanted).catch(() => undefined);
          await this.let(owned, false);
        });
      } else if (now.streamer !== owned.wanted.streamer || now.wantedAt !== owned.wanted.wantedAt) {
        this.change(owned, async () => {
          await this.options.target.stop(owned.wanted.profile, 'disconnected');
          owned.wanted = now;
          await this.begin(owned);
        });
      }
    }
    const unheld = wanted.filter((w) => !this.owned.has(w.profileId));
    if (unheld.length === 0) return;
    const share = Math.ceil(wanted.length / (await claims.processCount()));
    for (const w of unheld) {
      if (this.closed || claims !== this.claims || this.owned.size >= share) return;
      if (!(await claims.tryClaim(w.profileId))) continue;
      if (this.closed || claims !== this.claims) return;
      const owned: Owned = { wanted: w, busy: undefined };
      this.owned.set(w.profileId, owned);
      this.lastFailure = '';
      this.change(owned, () => this.begin(owned));
    }
  }

  private async begin(owned: Owned): Promise<void> {
    const { wanted } = owned;
    try {
      await this.options.target.start(wanted.profile, wanted.streamer);
      this.options.logger.info(
        `hosted mode: counting profile "${wanted.profile}" (@${wanted.streamer}) here`,
      );
      this.emit('claimed', wanted);
    } catch (error) {
      // Nothing to connect to: the connect is answered with this error, as in one process.
      this.emit('failed', wanted, error instanceof Error ? error : new Error(String(error)));
      await this.options.state.unwantIf(wanted).catch(() => undefined);
      await this.let(owned, false);
    }
  }

  /** Stops counting the profile (if `stop`) and lets go of its claim. */
  private async let(owned: Owned, stop: boolean): Promise<void> {
    if (stop) await this.options.target.stop(owned.wanted.profile, 'disconnected');
    if (this.owned.get(owned.wanted.profileId) !== owned) return;
    this.owned.delete(owned.wanted.profileId);
    await this.claims?.release(owned.wanted.profileId).catch(() => undefined);
    this.emit('released', owned.wanted);
  }

  /** Runs one change of a held profile at a time; the next look sees it settled. */
  private change(owned: Owned, work: () => Promise<void>): void {
    const run = work()
      .catch((error: unknown) => {
        this.options.logger.error(`profile "${owned.wanted.profile}": ${String(error)}`);
      })
      .finally(() => {
        if (owned.busy === run) owned.busy = undefined;
      });
    owned.busy = run;
  }

  private async ensureClaims(): Promise<PgClaims> {
    if (this.claims?.isOpen) return this.claims;
    const claims = await PgClaims.connect(this.options.url, this.options.owner);
    if (this.closed) {
      await claims.close();
      throw new Error('stopping');
    }
    claims.once('lost', (error) => this.lost(claims, error));
    this.claims = claims;
    return claims;
  }

  /** The locks went with the claims connection: stop everything at once, claim again. */
  private lost(claims: PgClaims, error: Error): void {
    if (this.claims !== claims) return;
    this.claims = undefined;
    const gone = [...this.owned.values()];
    this.owned.clear();
    if (this.closed) return;
    this.options.logger.warn(
      `hosted mode: lost the claims connection (${error.message}); ` +
        `stopped counting ${gone.length} LIVE(s), another process takes them over`,
    );
    // At once, even in the middle of a start: not one more event may be counted here.
    for (const owned of gone) {
      this.options.target.abandon(owned.wanted.profile).then(
        () => this.emit('released', owned.wanted),
        (e: unknown) =>
          this.options.logger.error(`profile "${owned.wanted.profile}": ${String(e)}`),
      );
    }
    this.soon();
  }
}
