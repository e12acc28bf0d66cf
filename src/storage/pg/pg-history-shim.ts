/**
 * SHIM — stands in for HISTORY's files (branch pg-history) until they are merged:
 * `pg-history-folds.ts` (foldSession, foldEnded, unfoldSession, addGifts), `pg-history.ts`
 * (PgHistory) and `pg-goal-repository.ts` (PgGoalRepository), with the signatures agreed in
 * the hosted-mode brief. The folds do nothing here, and the history questions and goals
 * answer `not_available`. On merge: point the imports of pg-profile-store.ts at HISTORY's
 * files and delete this one.
 */
import type { GiftTypeDelta } from '../../domain/broadcast-tally.js';
import { LivetallyError } from '../../domain/errors.js';
import type { GoalRepository } from '../goal-repository.js';
import type { HistoryRepository } from '../history-repository.js';
import type { PgClient, PgPool } from './pg-database.js';

export async function foldSession(
  _client: PgClient,
  _profileId: number,
  _sessionId: number,
): Promise<void> {}

export async function foldEnded(_client: PgClient, _profileId: number): Promise<number> {
  return 0;
}

export async function unfoldSession(
  _client: PgClient,
  _profileId: number,
  _sessionId: number,
): Promise<void> {}

export async function addGifts(
  _client: PgClient,
  _profileId: number,
  _sessionId: number,
  _gifts: readonly GiftTypeDelta[],
): Promise<void> {}

function notYet(): Promise<never> {
  return Promise.reject(
    new LivetallyError('not_available', 'this is not available for PostgreSQL profiles yet'),
  );
}

export class PgHistory implements HistoryRepository {
  constructor(
    readonly pool: PgPool,
    readonly profileId: number,
    readonly now: () => number,
  ) {}
  summary = notYet;
  leaderboard = notYet;
  viewer = notYet;
  allViewers = notYet;
  recap = notYet;
  giftBreakdown = notYet;
  importHistory = notYet;
}

export class PgGoalRepository implements GoalRepository {
  constructor(
    readonly pool: PgPool,
    readonly profileId: number,
    readonly now: () => number,
  ) {}
  list = notYet;
  get = notYet;
  create = notYet;
  update = notYet;
  remove = notYet;
}
