import { describe, expect, it } from 'vitest';
import { isValidProfileName } from '../../src/profiles/profile-name.js';
import type { ConnectionView } from '../../src/shared/api-types.js';
import { describeConnection } from '../../web/dashboard/connection-words.js';
import { profileNameProblem } from '../../web/dashboard/profile-name-check.js';
import { formatCount, formatDuration } from '../../web/shared/format.js';

const idle: ConnectionView = {
  state: 'disconnected',
  streamer: null,
  roomId: null,
  error: null,
  retryInMs: null,
  source: null,
  lastEnd: null,
};

describe('profile names as the streamer types them', () => {
  const names = [
    '',
    'a',
    'default',
    'Gaming_2',
    'my.profile-1',
    '_x',
    '.hidden',
    '-dash',
    'with space',
    'ümlaut',
    'a/b',
    'x'.repeat(64),
    'x'.repeat(65),
    '9lives',
  ];

  it('refuses exactly what the server refuses, and says why', () => {
    for (const name of names) {
      expect(profileNameProblem(name, []) === null, name).toBe(isValidProfileName(name));
    }
    expect(profileNameProblem('.hidden', [])).toBe("Cannot start with '.' or '-'.");
    expect(profileNameProblem('a b/c', [])).toContain('Not allowed: spaces, "/"');
    expect(profileNameProblem('x'.repeat(65), [])).toBe('Too long: 65 characters, at most 64.');
  });

  it('knows names are unique without regard to case', () => {
    expect(profileNameProblem('GAMING', ['default', 'gaming'])).toBe(
      'A profile named "gaming" already exists.',
    );
  });
});

describe('the connection in words', () => {
  it('says connecting, live, reconnecting, ended and error', () => {
    expect(describeConnection(idle, null).word).toBe('Not connected');
    expect(
      describeConnection(
        { ...idle, state: 'connecting', streamer: 'alice', source: 'tiktok' },
        null,
      ),
    ).toMatchObject({ word: 'Connecting', detail: 'Connecting to @alice…' });
    expect(
      describeConnection(
        { ...idle, state: 'connected', streamer: 'alice', source: 'tiktok' },
        null,
      ),
    ).toMatchObject({ word: 'Live', detail: 'Counting @alice.' });
    const retry = describeConnection(
      {
        ...idle,
        state: 'reconnecting',
        streamer: 'alice',
        retryInMs: 4200,
        error: { code: 'rate_limited', message: 'TikTok is rate limiting; waiting' },
        source: 'tiktok',
      },
      null,
    );
    expect(retry).toMatchObject({
      word: 'Reconnecting',
      error: 'TikTok is rate limiting; waiting',
    });
    expect(retry.detail).toContain('in 5 s');
    const ended = { ...idle, lastEnd: { reason: 'ended' as const, streamer: 'alice', at: 1 } };
    expect(describeConnection(ended, 'tiktok')).toMatchObject({
      word: 'Ended',
      detail: "@alice's LIVE has ended. The numbers are saved in this profile.",
    });
    const ranOut = {
      ...idle,
      lastEnd: { reason: 'disconnected' as const, streamer: 'bob', at: 1 },
    };
    expect(describeConnection(ranOut, 'replay')).toMatchObject({
      word: 'Ended',
      detail: 'The recording of @bob has finished. The numbers are saved in this profile.',
    });
    expect(describeConnection(ranOut, null)).toMatchObject({ word: 'Not connected' });
    const stopped = { ...idle, lastEnd: { reason: 'stopped' as const, streamer: 'bob', at: 1 } };
    expect(describeConnection(stopped, 'tiktok')).toMatchObject({ word: 'Not connected' });
    expect(
      describeConnection(
        { ...idle, error: { code: 'offline', message: '@alice is not LIVE right now' } },
        null,
      ),
    ).toEqual({
      state: 'error',
      word: 'Error',
      detail: 'Could not stay connected.',
      error: '@alice is not LIVE right now',
    });
  });
});

describe('numbers and durations', () => {
  it('writes counts with Latin digits whatever the locale', () => {
    expect(formatCount(1234567).replace(/\D/g, '')).toBe('1234567');
    expect(formatCount(0)).toBe('0');
  });

  it('writes running times like a clock', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(2 * 86_400_000 + 3_723_000)).toBe('2 d 1:02:03');
    expect(formatDuration(-5000)).toBe('0:00');
  });
});
