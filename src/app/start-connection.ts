import type { SessionRecord } from '../domain/history.js';

/**
 * End reasons after which a profile connects again by itself at start: the connection
 * was cut by a stop (Ctrl+C, SIGTERM, a closed terminal) or found cut by a crash
 * (`interrupted`). An entry with no end at all is a crash not yet noticed. Everything else
 * was meant: `disconnected` (a Disconnect, a recording that ran out), `ended` (the LIVE
 * ended), `reset`, `imported`.
 */
const RESUME_AFTER = new Set(['stopped', 'interrupted']);

export interface StartConnection {
  streamer: string;
  /** Why: `--demo`, `--streamer`/LIVETALLY_STREAMER, or resuming the last connection. */
  reason: 'demo' | 'streamer' | 'resume';
  /** When resuming: the history entry whose connection is picked up again. */
  sessionId?: number;
}

export interface StartConnectionInput {
  /** `--streamer NAME` (or LIVETALLY_STREAMER), already checked. */
  streamer?: string;
  /** False with `--no-resume`. */
  resume: boolean;
  /** The demo streamer, when `--demo` plays the bundled recording. */
  demo?: string;
  /** Streamers that only a flag of this start can serve (the demo's): never resumed without it. */
  notResumable?: readonly string[];
  /** The profile's history (any order). */
  sessions: readonly SessionRecord[];
}

/** Whom `livetally start` connects to by itself, if anyone. */
export function chooseStartConnection(input: StartConnectionInput): StartConnection | undefined {
  if (input.demo) return { streamer: input.demo, reason: 'demo' };
  if (input.streamer) return { streamer: input.streamer, reason: 'streamer' };
  if (!input.resume) return undefined;
  const last = lastConnection(input.sessions);
  if (!last || !wasCutShort(last)) return undefined;
  const lower = last.streamer.toLowerCase();
  if (input.notResumable?.some((s) => s.toLowerCase() === lower)) return undefined;
  return { streamer: last.streamer, reason: 'resume', sessionId: last.id };
}

/** The history entry of the profile's last connection: the one started last. */
export function lastConnection(sessions: readonly SessionRecord[]): SessionRecord | undefined {
  let last: SessionRecord | undefined;
  // By id, not by start time: a replayed recording may be dated long ago.
  for (const s of sessions) if (!last || s.id > last.id) last = s;
  return last;
}

/** Its connection ended without anyone meaning it to. */
export function wasCutShort(session: SessionRecord): boolean {
  if (session.endedAt === null) return true;
  return session.endReason !== null && RESUME_AFTER.has(session.endReason);
}
