import type { TallyChanges } from '../domain/broadcast-tally.js';
import type {
  BroadcastLink,
  EndReason,
  RoomMemory,
  SavedCurrent,
  SessionPoint,
  SessionRecord,
  ViewerTotals,
} from '../domain/history.js';
import type { GoalRepository } from './goal-repository.js';
import type { HistoryRepository } from './history-repository.js';
import type { NewSession } from './profile-store.js';

/** A value now (SQLite answers at once) or later (PostgreSQL answers over the network). */
export type Awaitable<T> = T | Promise<T>;

/**
 * Everything the tracker, the service and the history pages need from where one profile is
 * kept, for any storage engine. `ProfileStore` (a SQLite file) answers synchronously;
 * `PgProfileStore` (a profile in a PostgreSQL database) answers with promises. Callers
 * always `await`. The rules behind each method are the same on both engines: see the
 * SQLite implementation's comments, which are the reference.
 */
export interface ProfileStorage {
  /** What the profile is called where it is kept (a file path, or `pg:<name>`). */
  readonly file: string;
  readonly readonly: boolean;
  readonly goals: GoalRepository;
  readonly history: HistoryRepository;

  loadCurrent(): Awaitable<SavedCurrent | null>;
  resetStreamStats(): Awaitable<void>;
  startSession(session: NewSession): Awaitable<number>;
  closeInterrupted(): Awaitable<number>;
  resumeSession(sessionId: number): Awaitable<void>;
  endSession(sessionId: number, endedAt: number, reason: EndReason): Awaitable<void>;
  settleEnd(sessionId: number, reason: string): Awaitable<void>;
  saveProgress(link: BroadcastLink, changes: TallyChanges): Awaitable<void>;
  loadRoomMemory(roomId: string): Awaitable<RoomMemory>;
  loadMessageKeys(roomId: string, add: (hi: number, lo: number) => void): Promise<number>;
  countedMessages(roomId: string, ids: readonly string[]): Promise<Set<string>>;
  lastSampleAt(sessionId: number): Awaitable<number | undefined>;
  listSessions(): Awaitable<SessionRecord[]>;
  getSession(id: number): Awaitable<SessionRecord | null>;
  sessionSeries(id: number): Awaitable<SessionPoint[]>;
  sessionViewers(id: number): Awaitable<ViewerTotals[]>;
  close(): Awaitable<void>;
}
