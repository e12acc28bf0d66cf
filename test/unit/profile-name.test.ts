import { describe, expect, it } from 'vitest';
import { assertProfileName, isValidProfileName } from '../../src/profiles/profile-name.js';

describe('profile names', () => {
  it.each(['default', 'Alice', 'stream_2', 'a', 'a.b-c_d', '0day', 'x'.repeat(64)])(
    'allows %s',
    (name) => expect(isValidProfileName(name)).toBe(true),
  );

  it.each([
    '',
    '.hidden',
    '-dash',
    'x'.repeat(65),
    'with space',
    'slash/name',
    '..',
    'back\\slash',
    'émile',
    'name.db\u0000',
    'CON:',
  ])('refuses %j with a message saying what is allowed', (name) => {
    expect(isValidProfileName(name)).toBe(false);
    expect(() => assertProfileName(name)).toThrow(/letters, digits, '\.', '_' and '-'/);
  });
});
