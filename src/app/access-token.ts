import fs from 'node:fs';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';

/** Where the access token is kept, in the data directory (owner-only, like everything there). */
export const TOKEN_FILE = 'access-token';

/** Shorter tokens can be guessed; longer ones do not fit in a URL comfortably. */
export const TOKEN_LENGTH = { min: 16, max: 256 } as const;

/**
 * What is wrong with a token, if anything. It travels in URLs (`?token=`) and headers, so:
 * printable, no spaces, 16–256 characters.
 */
export function tokenProblem(token: string): string | undefined {
  if (token.length < TOKEN_LENGTH.min) {
    return `is too short (${token.length} characters; at least ${TOKEN_LENGTH.min} are needed)`;
  }
  if (token.length > TOKEN_LENGTH.max)
    return `is too long (at most ${TOKEN_LENGTH.max} characters)`;
  if (!/^[\x21-\x7e]+$/.test(token)) {
    return 'may only hold printable characters without spaces (it travels in URLs)';
  }
  return undefined;
}

/** A token given by `--token` or `LIVETALLY_TOKEN`; refused (bad usage) when unusable. */
export function checkGivenToken(token: string, source: string): string {
  const problem = tokenProblem(token);
  if (problem) {
    throw new LivetallyError(
      'invalid_token',
      `${source} ${problem}; leave it out to use the token livetally keeps (\`livetally token\` shows it)`,
    );
  }
  return token;
}

/**
 * The token kept in `<dataDir>/access-token`, so OBS URLs with `?token=` survive restarts.
 * Generated once, replaced only by `livetally token --rotate`.
 */
export class TokenFile {
  readonly file: string;

  constructor(
    readonly dataDir: string,
    private readonly generate: () => string,
  ) {
    this.file = path.join(dataDir, TOKEN_FILE);
  }

  /** The kept token, or undefined when there is none yet. Refuses a damaged or short one. */
  read(): string | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new LivetallyError(
        'token_unreadable',
        `cannot read the access token in ${this.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    const token = text.trim();
    const problem = tokenProblem(token);
    if (problem) {
      throw new LivetallyError(
        'bad_token_file',
        `the access token in ${this.file} ${problem}: run \`livetally token --rotate\` to make a new one`,
      );
    }
    return token;
  }

  /** The kept token; one is generated and kept first if there is none. */
  readOrCreate(): { token: string; created: boolean } {
    const existing = this.read();
    if (existing) return { token: existing, created: false };
    return { token: this.write(this.generate()), created: true };
  }

  /** Replaces the kept token with a new one. */
  rotate(): string {
    return this.write(this.generate());
  }

  private write(token: string): string {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    // Written aside and renamed, so a reader never sees half a token.
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${token}\n`, { mode: 0o600 });
    fs.renameSync(temp, this.file);
    return token;
  }
}
