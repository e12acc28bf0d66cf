/**
 * Makes outside text (a library error message, a sign-server payload) fit for a status
 * line or a log: one line, bounded, and without any of our secrets in it — whatever the
 * library or a server chose to echo back.
 */
export function redact(text: string, secrets: readonly (string | undefined)[], max = 200): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret) clean = clean.split(secret).join('[secret]');
  }
  clean = clean.replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}
