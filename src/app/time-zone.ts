import { canonicalTimeZone, parseTimeZone } from '../domain/calendar.js';

/**
 * The time zone that dates are shown and grouped in: `--tz`, else `LIVETALLY_TZ`, else the
 * machine's own zone (UTC if the runtime cannot tell). A zone that is not an IANA name is
 * refused with a clear message, whichever of the two it came from.
 */
export function resolveTimeZone(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) return parseTimeZone(flag);
  const fromEnv = env['LIVETALLY_TZ'];
  if (fromEnv !== undefined && fromEnv !== '') return parseTimeZone(fromEnv);
  return machineTimeZone();
}

export function machineTimeZone(): string {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (zone && canonicalTimeZone(zone)) || 'UTC';
}
