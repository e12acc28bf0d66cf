import type { ClientBase } from 'pg';
import type { GiftTypeDelta } from '../../domain/broadcast-tally.js';
import { LEADERBOARD_METRICS } from '../../domain/history.js';

/**
 * Keeps a profile's all-time tables in step with its entries, on PostgreSQL: the work of
 * SQLite's `HistoryFolds` (src/storage/sqlite-history-folds.ts, the reference for every
 * rule) and `ViewerTop`. Each function takes a client already inside the caller's
 * transaction (the one that ends, reopens or saves the entry) and runs a handful of
 * statements whatever the number of viewers: never one per row.
 */

/** How many of the folded top viewers per metric are kept (the API's largest limit). */
export const TOP_KEPT = 100;

/**
 * Adds an ended entry's viewers to the all-time totals; does nothing the second time.
 * Returns whether it folded.
 */
export async function foldSession(
  client: ClientBase,
  profileId: number,
  sessionId: number,
): Promise<boolean> {
  // Claiming the entry (folded 0 → 1) locks its row: two folds of it cannot both proceed.
  const claimed = await client.query(
    `UPDATE sessions SET folded = 1 WHERE profile_id = $1 AND id = $2 AND folded = 0
     RETURNING id`,
    [profileId, sessionId],
  );
  if (claimed.rowCount === 0) return false;
  // Then the profile's state row: folds, unfolds and imports of one profile change its
  // totals one after another (the next one's statements see this one's committed rows).
  const before = (await bump(client, profileId)) - 1;
  await client.query(
    `INSERT INTO viewer_totals (profile_id, user_id, handle, nickname, coins, gifts, likes,
                                comments, shares, follows, sessions, first_seen, last_seen)
     SELECT profile_id, user_id, handle, nickname, coins, gifts, likes, comments, shares,
            follows, 1, first_seen, last_seen
       FROM session_viewers WHERE profile_id = $1 AND session_id = $2
     ON CONFLICT (profile_id, user_id) DO UPDATE SET
       handle = CASE WHEN excluded.handle <> ''
                      AND excluded.last_seen >= coalesce(viewer_totals.last_seen, excluded.last_seen)
                THEN excluded.handle ELSE viewer_totals.handle END,
       nickname = CASE WHEN excluded.nickname <> ''
                        AND excluded.last_seen >= coalesce(viewer_totals.last_seen, excluded.last_seen)
                  THEN excluded.nickname ELSE viewer_totals.nickname END,
       coins = viewer_totals.coins + excluded.coins,
       gifts = viewer_totals.gifts + excluded.gifts,
       likes = viewer_totals.likes + excluded.likes,
       comments = viewer_totals.comments + excluded.comments,
       shares = viewer_totals.shares + excluded.shares,
       follows = viewer_totals.follows + excluded.follows,
       sessions = viewer_totals.sessions + 1,
       first_seen = least(coalesce(viewer_totals.first_seen, excluded.first_seen), excluded.first_seen),
       last_seen = greatest(coalesce(viewer_totals.last_seen, excluded.last_seen), excluded.last_seen)`,
    [profileId, sessionId],
  );
  // The statement's own inserts are not visible to its UPDATE: the count adds them.
  await client.query(
    `WITH added AS (
       INSERT INTO session_gifters (profile_id, session_id, user_id, started_at)
       SELECT sv.profile_id, sv.session_id, sv.user_id, s.started_at
         FROM session_viewers sv
         JOIN sessions s ON s.profile_id = sv.profile_id AND s.id = sv.session_id
        WHERE sv.profile_id = $1 AND sv.session_id = $2 AND sv.gifts > 0
       ON CONFLICT DO NOTHING
       RETURNING 1)
     UPDATE sessions
        SET gifters = (SELECT count(*) FROM added)
                    + (SELECT count(*) FROM session_gifters WHERE profile_id = $1 AND session_id = $2)
      WHERE profile_id = $1 AND id = $2`,
    [profileId, sessionId],
  );
  await mergeTop(client, profileId, sessionId, before);
  return true;
}

/** Takes a reopened entry's viewers out of the all-time totals again. */
export async function unfoldSession(
  client: ClientBase,
  profileId: number,
  sessionId: number,
): Promise<boolean> {
  const claimed = await client.query(
    `UPDATE sessions SET folded = 0, gifters = NULL
      WHERE profile_id = $1 AND id = $2 AND folded = 1
     RETURNING id`,
    [profileId, sessionId],
  );
  if (claimed.rowCount === 0) return false;
  // The profile's state row first, as a fold takes it: folds and unfolds of one profile
  // then change viewer_totals one after another, never locking rows in opposite orders.
  await bump(client, profileId);
  await client.query(
    `UPDATE viewer_totals vt
        SET coins = vt.coins - sv.coins, gifts = vt.gifts - sv.gifts,
            likes = vt.likes - sv.likes, comments = vt.comments - sv.comments,
            shares = vt.shares - sv.shares, follows = vt.follows - sv.follows,
            sessions = vt.sessions - 1
       FROM session_viewers sv
      WHERE sv.profile_id = $1 AND sv.session_id = $2
        AND vt.profile_id = $1 AND vt.user_id = sv.user_id`,
    [profileId, sessionId],
  );
  await client.query('DELETE FROM session_gifters WHERE profile_id = $1 AND session_id = $2', [
    profileId,
    sessionId,
  ]);
  return true;
}

/**
 * Folds every ended entry of the profile not folded yet (closed after a crash, say), oldest
 * first. Returns how many.
 */
export async function foldEnded(client: ClientBase, profileId: number): Promise<number> {
  const { rows } = await client.query<{ id: number | string }>(
    `SELECT id FROM sessions WHERE profile_id = $1 AND folded = 0 AND ended_at IS NOT NULL
      ORDER BY id`,
    [profileId],
  );
  for (const row of rows) await foldSession(client, profileId, Number(row.id));
  return rows.length;
}

/** Adds one save's gift counts to the entry's gift breakdown, in one statement. */
export async function addGifts(
  client: ClientBase,
  profileId: number,
  sessionId: number,
  gifts: readonly GiftTypeDelta[],
): Promise<void> {
  if (gifts.length === 0) return;
  // One row per gift type: a type twice in one save adds up as two saves would (names and
  // diamonds: the later wins, an empty name never replaces one).
  const byId = new Map<string, GiftTypeDelta>();
  for (const g of gifts) {
    const known = byId.get(g.giftId);
    if (!known) {
      byId.set(g.giftId, { ...g });
      continue;
    }
    if (g.giftName !== '') known.giftName = g.giftName;
    known.diamonds = g.diamonds;
    known.count += g.count;
    known.coins += g.coins;
  }
  const list = [...byId.values()];
  await client.query(
    `INSERT INTO session_gifts (profile_id, session_id, gift_id, gift_name, diamonds, count, coins)
     SELECT $1::bigint, $2::bigint, g.gift_id, g.gift_name, g.diamonds, g.count, g.coins
       FROM unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[])
            AS g (gift_id, gift_name, diamonds, count, coins)
     ON CONFLICT (profile_id, session_id, gift_id) DO UPDATE SET
       gift_name = CASE WHEN excluded.gift_name <> '' THEN excluded.gift_name
                   ELSE session_gifts.gift_name END,
       diamonds = excluded.diamonds,
       count = session_gifts.count + excluded.count,
       coins = session_gifts.coins + excluded.coins`,
    [
      profileId,
      sessionId,
      list.map((g) => g.giftId),
      list.map((g) => g.giftName),
      list.map((g) => g.diamonds),
      list.map((g) => g.count),
      list.map((g) => g.coins),
    ],
  );
}

/** The profile's viewer_totals changed: a new state number (locks the profile's row). */
export async function bump(client: ClientBase, profileId: number): Promise<number> {
  const { rows } = await client.query<{ folds: number | string }>(
    `INSERT INTO history_state (profile_id, folds) VALUES ($1, 1)
     ON CONFLICT (profile_id) DO UPDATE SET folds = history_state.folds + 1
     RETURNING folds`,
    [profileId],
  );
  return Number(rows[0]!.folds);
}

/**
 * The value of the metric named by the SQL expression `metric` in a row of `alias`
 * (SQL is only ever built from the fixed metric list).
 */
export function metricValue(metric: string, alias: string): string {
  return `CASE ${metric} ${LEADERBOARD_METRICS.map((name) => `WHEN '${name}' THEN ${alias}.${name}`).join(' ')} END`;
}

const METRIC_ROWS = LEADERBOARD_METRICS.map((metric) => `('${metric}')`).join(', ');

/**
 * After `sessionId` was folded and the state moved from `before` on: every metric's top list
 * that was valid before becomes its old members merged with the entry's viewers (totals only
 * grew, so nobody else can have passed them: exact); the others are rebuilt from
 * viewer_totals. One statement for the five lists.
 */
async function mergeTop(
  client: ClientBase,
  profileId: number,
  sessionId: number,
  before: number,
): Promise<void> {
  await client.query(
    `WITH m (metric) AS (VALUES ${METRIC_ROWS}),
     plan AS (
       SELECT m.metric, coalesce(s.folds = $3, false) AS merge
         FROM m LEFT JOIN viewer_top_state s ON s.profile_id = $1 AND s.metric = m.metric
     ),
     candidates AS (
       SELECT p.metric, t.user_id
         FROM plan p JOIN viewer_top t ON t.profile_id = $1 AND t.metric = p.metric
        WHERE p.merge
       UNION
       SELECT p.metric, sv.user_id
         FROM plan p JOIN session_viewers sv ON sv.profile_id = $1 AND sv.session_id = $2
        WHERE p.merge
       UNION
       SELECT p.metric, scan.user_id
         FROM plan p CROSS JOIN LATERAL (
           SELECT vt.user_id FROM viewer_totals vt
            WHERE NOT p.merge AND vt.profile_id = $1 AND ${metricValue('p.metric', 'vt')} > 0
            ORDER BY ${metricValue('p.metric', 'vt')} DESC, vt.user_id COLLATE "C"
            LIMIT ${TOP_KEPT}) AS scan
     ),
     ranked AS (
       SELECT c.metric, c.user_id,
              row_number() OVER (PARTITION BY c.metric
                                 ORDER BY ${metricValue('c.metric', 'vt')} DESC,
                                          c.user_id COLLATE "C") - 1 AS position
         FROM candidates c
         JOIN viewer_totals vt ON vt.profile_id = $1 AND vt.user_id = c.user_id
        WHERE ${metricValue('c.metric', 'vt')} > 0
     ),
     kept AS (SELECT * FROM ranked WHERE position < ${TOP_KEPT}),
     written AS (
       INSERT INTO viewer_top (profile_id, metric, position, user_id)
       SELECT $1::bigint, metric, position, user_id FROM kept
       ON CONFLICT (profile_id, metric, position) DO UPDATE SET user_id = excluded.user_id
       RETURNING 1
     ),
     dropped AS (
       DELETE FROM viewer_top t
        WHERE t.profile_id = $1
          AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.metric = t.metric AND k.position = t.position)
       RETURNING 1
     )
     INSERT INTO viewer_top_state (profile_id, metric, folds)
     SELECT $1::bigint, metric, $3::bigint + 1 FROM m
     ON CONFLICT (profile_id, metric) DO UPDATE SET folds = excluded.folds`,
    [profileId, sessionId, before],
  );
}
