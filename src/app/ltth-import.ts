import { sanitizeCounter, type StreamStats } from '../domain/stats.js';
import type {
  HistoryImport,
  HistoryRepository,
  ImportedEntry,
  ImportedViewer,
} from '../storage/history-repository.js';
import {
  readLtthDatabase,
  type LtthSnapshot,
  type LtthStreamStatsRow,
  type LtthUserRow,
} from '../storage/ltth-source.js';

export const LTTH_SOURCE = 'ltth';

export interface LtthImportReport {
  fileName: string;
  /** False when this very file was imported before: nothing changed. */
  applied: boolean;
  importedAt: number;
  sessionId: number | null;
  viewers: number;
  viewersChanged: number;
  /** Rows left out: no usable user id. */
  skippedRows: number;
  /** Numbers that were negative, fractional, not numbers or absurdly large, made valid. */
  clampedValues: number;
  /** Timestamps that could not be read (left empty). */
  badTimestamps: number;
  notes: string[];
}

/** A file read and cleaned, ready to be applied to a profile. */
export interface PreparedLtthImport {
  batch: HistoryImport;
  report: Omit<LtthImportReport, 'applied' | 'importedAt' | 'sessionId' | 'viewersChanged'>;
}

/**
 * `livetally import ltth FILE`, first half: reads the helper's database (never writing to
 * it) and cleans its values, counting what had to be cleaned. Nothing is written anywhere
 * yet, so a file that cannot be imported leaves no trace.
 */
export async function prepareLtthImport(
  file: string,
  onProgress?: (message: string) => void,
): Promise<PreparedLtthImport> {
  const snapshot = await readLtthDatabase(file, {
    onProgress: onProgress
      ? (step, done, total) => {
          const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
          onProgress(step === 'copy' ? `reading the file: ${pct}%` : `reading viewers: ${pct}%`);
        }
      : undefined,
  });
  const cleaner = new Cleaner();
  const viewers: ImportedViewer[] = [];
  for (const row of snapshot.users) {
    const viewer = cleaner.viewer(row);
    if (viewer) viewers.push(viewer);
  }
  const entry = snapshot.streamStats
    ? cleaner.entry(snapshot.streamStats, streamerOf(snapshot), snapshot.modifiedAt)
    : null;
  return {
    batch: {
      source: LTTH_SOURCE,
      fileName: snapshot.fileName,
      contentHash: snapshot.contentHash,
      entry,
      viewers,
      onProgress: onProgress
        ? (done, total) =>
            onProgress(`saving viewers: ${Math.floor((done / Math.max(total, 1)) * 100)}%`)
        : undefined,
    },
    report: {
      fileName: snapshot.fileName,
      viewers: viewers.length,
      skippedRows: cleaner.skipped,
      clampedValues: cleaner.clamped,
      badTimestamps: cleaner.badTimestamps,
      notes: snapshot.notes,
    },
  };
}

/**
 * Second half: the helper's single `stream_stats` row becomes an `imported` history entry
 * and its `user_statistics` rows (summed over its streamers) all-time viewer totals. The
 * same file twice changes nothing; a newer copy of it replaces what the older one said.
 */
export async function applyLtthImport(
  prepared: PreparedLtthImport,
  repository: HistoryRepository,
): Promise<LtthImportReport> {
  const outcome = await repository.importHistory(prepared.batch);
  return {
    ...prepared.report,
    applied: outcome.applied,
    importedAt: outcome.importedAt,
    sessionId: outcome.sessionId,
    viewersChanged: outcome.viewersChanged,
  };
}

/** The streamer the helper watched, when its rows name exactly one. */
function streamerOf(snapshot: LtthSnapshot): string {
  const names = new Set<string>();
  for (const row of snapshot.users) {
    const name = text(row.streamer_id);
    if (name) names.add(name.replace(/^@/, ''));
    if (names.size > 1) return 'unknown';
  }
  return [...names][0] ?? 'unknown';
}

class Cleaner {
  skipped = 0;
  clamped = 0;
  badTimestamps = 0;

  viewer(row: LtthUserRow): ImportedViewer | null {
    const userId = text(row.user_id);
    if (!userId || userId.length > 128) {
      this.skipped++;
      return null;
    }
    const handle = text(row.unique_id) ?? text(row.username) ?? '';
    const nickname = text(row.username) ?? handle;
    const firstSeen = this.time(row.first_seen_at);
    const lastSeen = this.time(row.last_seen_at);
    const lastGiftAt = this.time(row.last_gift_at);
    const gifts = this.count(row.total_gifts_sent);
    const coins = this.count(row.total_coins_sent);
    return {
      userId,
      streamerKey: text(row.streamer_id) ?? '',
      handle: handle.replace(/^@/, '').slice(0, 64),
      nickname: nickname.slice(0, 128),
      coins,
      gifts,
      likes: this.count(row.total_likes),
      comments: this.count(row.total_comments),
      shares: this.count(row.total_shares),
      follows: this.count(row.total_follows),
      firstSeen: firstSeen ?? lastSeen,
      lastSeen: lastSeen ?? firstSeen,
      // Their first gift is somewhere between first seen and their last gift; the earliest
      // is the safe guess for "has sent a gift before".
      firstGiftAt: gifts > 0 || coins > 0 ? (firstSeen ?? lastGiftAt ?? null) : null,
    };
  }

  entry(row: LtthStreamStatsRow, streamer: string, fileTime: number): ImportedEntry | null {
    const stats: StreamStats = {
      viewers: this.count(row.viewers),
      likes: this.count(row.likes),
      totalCoins: this.count(row.total_coins),
      followers: this.count(row.followers),
      shares: this.count(row.shares),
      gifts: this.count(row.gifts),
    };
    if (Object.values(stats).every((n) => n === 0)) return null;
    const at = this.time(row.updated_at) ?? fileTime;
    return { key: `stream_stats@${String(row.updated_at ?? '')}`, streamer, at, stats };
  }

  private count(value: unknown): number {
    if (value === null || value === undefined) return 0;
    const number =
      typeof value === 'bigint'
        ? Number(value)
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : value;
    const clean = sanitizeCounter(number);
    if (clean !== number) this.clamped++;
    return clean;
  }

  /** LTTH writes SQLite's `CURRENT_TIMESTAMP` (UTC, "YYYY-MM-DD HH:MM:SS"); some rows ISO or epoch. */
  private time(value: unknown): number | null {
    if (value === null || value === undefined || value === '') return null;
    let ms: number;
    if (typeof value === 'number' || typeof value === 'bigint') {
      const n = Number(value);
      ms = n < 1e11 ? n * 1000 : n; // seconds or milliseconds since 1970
    } else if (typeof value === 'string') {
      const sqlite = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(value);
      ms = Date.parse(sqlite ? `${value.replace(' ', 'T')}Z` : value);
    } else {
      ms = NaN;
    }
    // Before TikTok LIVE existed or far in the future: not a real time.
    if (!Number.isFinite(ms) || ms < Date.UTC(2016, 0, 1) || ms > Date.UTC(2100, 0, 1)) {
      this.badTimestamps++;
      return null;
    }
    return Math.round(ms);
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  return undefined;
}
