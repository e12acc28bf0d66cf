import { LivetallyError } from '../domain/errors.js';

const PROFILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

export const PROFILE_NAME_RULES =
  "1–64 characters: letters, digits, '.', '_' and '-', not starting with '.' or '-'";

export const DEFAULT_PROFILE = 'default';

export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}

/** Throws a message saying what is allowed; returns the name unchanged when valid. */
export function assertProfileName(name: string): string {
  if (!isValidProfileName(name)) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    throw new LivetallyError(
      'invalid_profile_name',
      `"${shown}" is not a valid profile name: use ${PROFILE_NAME_RULES}`,
    );
  }
  return name;
}
