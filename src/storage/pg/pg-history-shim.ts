/**
 * SHIM — pg-profile-store.ts imports HISTORY's pieces from here. On branch pg-history this
 * file only re-exports the real ones (so PgProfileStore folds, answers history questions
 * and keeps goals for real). On merge: point the imports of pg-profile-store.ts at these
 * files and delete this one.
 */
export { addGifts, foldEnded, foldSession, unfoldSession } from './pg-history-folds.js';
export { PgHistory } from './pg-history.js';
export { PgGoalRepository } from './pg-goal-repository.js';
