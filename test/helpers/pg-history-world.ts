import type Database from 'better-sqlite3';
import type { PgPool } from '../../src/storage/pg/pg-database.js';
import { inTransaction } from '../../src/storage/pg/pg-database.js';
import {
  addGifts,
  foldEnded,
  foldSession,
  unfoldSession,
} from '../../src/storage/pg/pg-history-folds.js';
import type { SessionGiftRow, SessionRow } from '../../src/storage/rows.js';

/**
 * Puts a world that was replayed into a SQLite profile file into a PostgreSQL profile,
 * WITHOUT the tracker: the per-entry rows the tracker saved (sessions, session_viewers,
 * session_samples) are copied as they are, with the same ids, and everything history keeps
 * beyond them is made by the PostgreSQL code under test — each save's gift counts through
 * `addGifts` (in two saves, to add up), the all-time tables through `foldEnded` /
 * `foldSession` / `unfoldSession`. Entries that SQLite's import made (`imported`) are left
 * out: the test imports the same file through `PgHistory.importHistory`.
 *
 * `idOffset` moves every entry id (another profile's copy of the same world).
 */
export async function copyEntriesToPg(
  sqlite: Database.Database,
  pool: PgPool,
  profileId: number,
  options: { idOffset?: number; resumed?: number[] } = {},
): Promise<number[]> {
  const offset = options.idOffset ?? 0;
  const sessions = (
    sqlite
      .prepare("SELECT * FROM sessions WHERE end_reason IS NOT 'imported' ORDER BY id")
      .all() as SessionRow[]
  ).map((s) => ({ ...s, id: s.id + offset, folded: 0, gifters: null, profile_id: profileId }));
  const ids = sessions.map((s) => s.id - offset);
  const inList = `(${ids.join(',')})`;
  const viewers = sqlite
    .prepare(`SELECT * FROM session_viewers WHERE session_id IN ${inList}`)
    .all() as { session_id: number }[];
  const samples = sqlite
    .prepare(`SELECT * FROM session_samples WHERE session_id IN ${inList}`)
    .all() as { session_id: number }[];
  const gifts = sqlite
    .prepare(`SELECT * FROM session_gifts WHERE session_id IN ${inList} ORDER BY session_id`)
    .all() as SessionGiftRow[];
  const owned = <T extends { session_id: number }>(rows: T[]) =>
    JSON.stringify(
      rows.map((r) => ({ ...r, session_id: r.session_id + offset, profile_id: profileId })),
    );
  await pool.query(
    'INSERT INTO sessions SELECT * FROM json_populate_recordset(null::sessions, $1)',
    [JSON.stringify(sessions)],
  );
  await pool.query(
    'INSERT INTO session_viewers SELECT * FROM json_populate_recordset(null::session_viewers, $1)',
    [owned(viewers)],
  );
  await pool.query(
    'INSERT INTO session_samples SELECT * FROM json_populate_recordset(null::session_samples, $1)',
    [owned(samples)],
  );
  // The identity goes on after the copied ids, as SQLite's row ids would.
  await pool.query(
    "SELECT setval(pg_get_serial_sequence('sessions', 'id'), (SELECT max(id) FROM sessions))",
  );

  // Gift counts as saves would add them: a first part, then the rest.
  for (const id of ids) {
    const types = gifts.filter((g) => g.session_id === id);
    if (types.length === 0) continue;
    const first = types.map((g) => ({
      giftId: g.gift_id,
      giftName: g.gift_name,
      diamonds: g.diamonds,
      count: Math.floor(g.count / 2),
      coins: Math.floor(g.count / 2) * g.diamonds,
    }));
    const rest = types.map((g, i) => ({
      giftId: g.gift_id,
      giftName: i === 0 ? '' : g.gift_name, // an empty name never replaces one
      diamonds: g.diamonds,
      count: g.count - first[i]!.count,
      coins: g.coins - first[i]!.coins,
    }));
    await inTransaction(pool, (client) => addGifts(client, profileId, id + offset, first));
    await inTransaction(pool, (client) => addGifts(client, profileId, id + offset, rest));
  }

  // Every entry ended: folded, oldest first. A broadcast that was resumed is taken out of
  // the totals again and folded once more, as a resume and its end do.
  await inTransaction(pool, (client) => foldEnded(client, profileId));
  for (const id of options.resumed ?? []) {
    await inTransaction(pool, (client) => unfoldSession(client, profileId, id + offset));
    await inTransaction(pool, (client) => foldSession(client, profileId, id + offset));
  }
  return ids.map((id) => id + offset);
}
