import { LivetallyError } from '../domain/errors.js';

/**
 * `--database URL` / LIVETALLY_DATABASE_URL: a PostgreSQL connection URL
 * (`postgres://user:password@host:5432/database`). Checked for its shape here; whether the
 * database answers is checked at start (see `openServiceDatabase`).
 */
export function parseDatabaseUrl(text: string, source = '--database'): string {
  const named = source === '--database-url' ? '--database' : source;
  const usage =
    'give a PostgreSQL URL such as postgres://livetally:PASSWORD@127.0.0.1:5432/livetally';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new LivetallyError('invalid_database_url', `${named} is not a URL: ${usage}`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new LivetallyError(
      'invalid_database_url',
      `${named} ${maskDatabaseUrl(text)} is not a PostgreSQL URL: ${usage}`,
    );
  }
  return text.trim();
}

/** The URL with its password (and any password parameter) replaced by ****, for output. */
export function maskDatabaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '****';
  }
  if (url.password) url.password = '****';
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|key|token/i.test(key)) url.searchParams.set(key, '****');
  }
  // URL escapes the stars in the userinfo part; show them as typed.
  return url.toString().replace(/%2A%2A%2A%2A/gi, '****');
}
