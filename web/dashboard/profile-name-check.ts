// The profile name rules of DESIGN.md, explained as the streamer types. The server has the
// final word; this only says early, and precisely, what it would refuse.

export const PROFILE_NAME_RULES =
  "1–64 characters: letters A–Z, digits, '.', '_' or '-'; not starting with '.' or '-'.";

const ALLOWED = /[A-Za-z0-9._-]/;

/** Why `name` cannot be created, or null when it can. */
export function profileNameProblem(name: string, existing: readonly string[]): string | null {
  if (name.length === 0) return 'Type a name for the new profile.';
  const length = [...name].length;
  if (length > 64) return `Too long: ${length} characters, at most 64.`;
  const refused = [...new Set([...name].filter((c) => !ALLOWED.test(c)))];
  if (refused.length > 0) {
    const shown = refused.map((c) => (c === ' ' ? 'spaces' : `"${c}"`)).join(', ');
    return `Not allowed: ${shown}. Use letters A–Z, digits, '.', '_' or '-'.`;
  }
  if (name.startsWith('.') || name.startsWith('-')) return "Cannot start with '.' or '-'.";
  const taken = existing.find((p) => p.toLowerCase() === name.toLowerCase());
  if (taken !== undefined) return `A profile named "${taken}" already exists.`;
  return null;
}
