import { resolveTimeZone as resolveZoneName } from '../app/time-zone.js';

/**
 * How the command line shows times to people: local time in one format everywhere,
 * "2026-11-20 20:00:05 +01:00" (sortable, and the offset says which clock it is). The zone
 * is `--tz`, else LIVETALLY_TZ, else the machine's. JSON output keeps epoch milliseconds.
 */
export class TimeFormat {
  private readonly parts: Intl.DateTimeFormat;

  constructor(readonly zone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  }

  /** "2026-11-20 20:00:05 +01:00"; "—" for no time. */
  dateTime(ms: number | null): string {
    if (ms === null || !Number.isFinite(ms)) return '—';
    const p = this.fields(ms);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${offset(p, ms)}`;
  }

  /** "2026-11-20": the calendar day in this zone. */
  date(ms: number): string {
    const p = this.fields(ms);
    return `${p.year}-${p.month}-${p.day}`;
  }

  private fields(
    ms: number,
  ): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
    const out = { year: '', month: '', day: '', hour: '', minute: '', second: '' };
    for (const part of this.parts.formatToParts(ms)) {
      if (part.type in out) out[part.type as keyof typeof out] = part.value;
    }
    return out;
  }
}

/** The zone from `--tz`, LIVETALLY_TZ or the machine; an unknown name is a usage error. */
export function resolveTimeZone(flag: string | undefined, env: NodeJS.ProcessEnv): TimeFormat {
  return new TimeFormat(resolveZoneName(flag, env));
}

/** "3h05m" for an hour or more, "4m00s" below. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

function offset(
  p: Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>,
  ms: number,
): string {
  const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const minutes = Math.round((local - (ms - (ms % 1000))) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
