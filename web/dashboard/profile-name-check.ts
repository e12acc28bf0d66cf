import { t } from '../shared/i18n.js';

// The profile name rules (src/profiles/profile-name.ts), explained as the streamer types. The server has the
// final word; this only says early, and precisely, what it would refuse.

export function profileNameRules(): string {
  return t('profiles.rules');
}

const ALLOWED = /[A-Za-z0-9._-]/;

/** Why `name` cannot be created, or null when it can. */
export function profileNameProblem(name: string, existing: readonly string[]): string | null {
  if (name.length === 0) return t('profiles.problem.empty');
  const length = [...name].length;
  if (length > 64) return t('profiles.problem.long', { length });
  const refused = [...new Set([...name].filter((c) => !ALLOWED.test(c)))];
  if (refused.length > 0) {
    const shown = refused
      .map((c) => (c === ' ' ? t('profiles.problem.spaces') : `"${c}"`))
      .join(', ');
    return t('profiles.problem.chars', { chars: shown });
  }
  if (name.startsWith('.') || name.startsWith('-')) return t('profiles.problem.start');
  const taken = existing.find((p) => p.toLowerCase() === name.toLowerCase());
  if (taken !== undefined) return t('profiles.problem.taken', { name: taken });
  return null;
}
