import fs from 'node:fs';
import type { Workspace } from '../app/workspace.js';
import { LivetallyError } from '../domain/errors.js';
import { DEFAULT_PROFILE } from '../profiles/profile-name.js';

/**
 * A `--profile` that names no profile is refused before anything is locked or created
 * (a data directory, `user_configs/`, `default.db`). `default` may not exist yet: it is
 * made on first use.
 */
export function checkProfileExists(workspace: Workspace, profile: string | undefined): void {
  if (profile === undefined || profile.toLowerCase() === DEFAULT_PROFILE) return;
  workspace.profiles.resolve(profile);
}

/** `--replay-dir` must be a folder that exists: streamer X plays DIR/X.ndjson. */
export function checkReplayDir(dir: string | undefined): void {
  if (dir === undefined) return;
  let isFolder: boolean;
  try {
    isFolder = fs.statSync(dir).isDirectory();
  } catch {
    throw new LivetallyError('replay_dir_not_found', `--replay-dir ${dir} does not exist`);
  }
  if (!isFolder) {
    throw new LivetallyError(
      'replay_dir_not_found',
      `--replay-dir ${dir} is a file; give the folder that holds the recordings (X.ndjson for streamer X)`,
    );
  }
}
