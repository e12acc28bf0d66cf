import fs from 'node:fs';
import path from 'node:path';
import { LivetallyError } from '../domain/errors.js';
import { assertProfileName, DEFAULT_PROFILE, isValidProfileName } from './profile-name.js';

export interface ProfileFile {
  name: string;
  file: string;
  sizeBytes: number;
  modifiedAt: string;
  /** The same time in whole milliseconds since 1970. */
  modifiedAtMs: number;
}

const SETTINGS_FILE = 'livetally.json';
const PROFILES_DIR = 'user_configs';
/** SQLite's side files, and the note that the file was checked (storage/checked-stamp). */
const SIDE_FILES = ['-wal', '-shm', '-journal', '-checked'];

interface Settings {
  activeProfile?: string;
}

/**
 * The profiles on disk: every `*.db` in `<dataDir>/user_configs/` is one, whoever put it
 * there. Names are unique without regard to case. The active profile's name lives in
 * `<dataDir>/livetally.json`, never inside a profile file. No SQL here.
 */
export class ProfileDirectory {
  readonly profilesDir: string;
  private readonly settingsFile: string;

  constructor(readonly dataDir: string) {
    this.profilesDir = path.join(dataDir, PROFILES_DIR);
    this.settingsFile = path.join(dataDir, SETTINGS_FILE);
  }

  /** Creates the folders, readable by their owner only. */
  ensure(): void {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.profilesDir, { recursive: true, mode: 0o700 });
  }

  list(): ProfileFile[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.profilesDir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const profiles: ProfileFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.db')) continue;
      const name = entry.name.slice(0, -3);
      if (!isValidProfileName(name)) continue;
      const file = path.join(this.profilesDir, entry.name);
      const stat = fs.statSync(file);
      profiles.push({
        name,
        file,
        sizeBytes: stat.size,
        modifiedAt: stat.mtime.toISOString(),
        modifiedAtMs: stat.mtime.getTime(),
      });
    }
    return profiles.sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
  }

  /** The profile's name as it is on disk, matched without regard to case. */
  find(name: string): string | undefined {
    if (!isValidProfileName(name)) return undefined;
    const wanted = name.toLowerCase();
    return this.list().find((p) => p.name.toLowerCase() === wanted)?.name;
  }

  /** The existing profile's on-disk name, or a not-found error. */
  resolve(name: string): string {
    assertProfileName(name);
    const found = this.find(name);
    if (!found) {
      this.assertUsablePath(name); // a folder or a link in its place: say so
      throw new LivetallyError('profile_not_found', `there is no profile named "${name}"`);
    }
    return found;
  }

  fileFor(name: string): string {
    return path.join(this.profilesDir, `${assertProfileName(name)}.db`);
  }

  /**
   * Checks a new profile name: valid, not taken by any profile whatever its case, and its
   * file's place free (see `assertUsablePath`).
   */
  assertAvailable(name: string): void {
    assertProfileName(name);
    const taken = this.find(name);
    if (taken) {
      throw new LivetallyError('profile_exists', `a profile named "${taken}" already exists`);
    }
    this.assertUsablePath(name);
  }

  /**
   * Refuses a profile whose `<name>.db` (in any case) is something other than a regular
   * file: a folder, a device, or a symbolic link. A link is never followed: livetally
   * would write wherever it points (WAL files, upgrades, deletion), possibly far outside
   * the data directory. Such an entry is not a profile and is never listed, opened or
   * deleted; its name stays taken until it is moved away.
   */
  assertUsablePath(name: string): void {
    const wanted = `${name.toLowerCase()}.db`;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.profilesDir, { withFileTypes: true });
    } catch {
      return; // no folder yet: nothing in the way
    }
    const blocker = entries.find((e) => e.name.toLowerCase() === wanted && !e.isFile());
    if (!blocker) return;
    const what = blocker.isSymbolicLink()
      ? 'a symbolic link (livetally does not follow links for profiles; put the file itself there)'
      : blocker.isDirectory()
        ? 'a folder, not a profile file'
        : 'not a regular file';
    throw new LivetallyError(
      'profile_path_taken',
      `cannot use profile "${name}": ${path.join(this.profilesDir, blocker.name)} is ${what}; move it away or choose another name`,
    );
  }

  /** Deletes a profile's file and its WAL/SHM files. Refuses the active profile. */
  delete(name: string): void {
    const found = this.resolve(name);
    if (found.toLowerCase() === this.activeName().toLowerCase()) {
      throw new LivetallyError(
        'profile_active',
        `"${found}" is the active profile; switch to another profile before deleting it`,
      );
    }
    const file = this.fileFor(found);
    fs.rmSync(file, { force: true });
    for (const suffix of SIDE_FILES) fs.rmSync(file + suffix, { force: true });
  }

  /** The active profile's name as recorded (it may not exist yet: `default` on first use). */
  activeName(): string {
    const recorded = this.readSettings().activeProfile;
    if (recorded && isValidProfileName(recorded)) return this.find(recorded) ?? recorded;
    return DEFAULT_PROFILE;
  }

  setActiveName(name: string): void {
    this.writeSettings({ ...this.readSettings(), activeProfile: assertProfileName(name) });
  }

  private readSettings(): Settings {
    let text: string;
    try {
      text = fs.readFileSync(this.settingsFile, 'utf8');
    } catch {
      return {};
    }
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null) return {};
      const active = (value as Record<string, unknown>)['activeProfile'];
      return typeof active === 'string' ? { activeProfile: active } : {};
    } catch {
      return {}; // a damaged settings file only loses the choice of active profile
    }
  }

  private writeSettings(settings: Settings): void {
    this.ensure();
    const temp = `${this.settingsFile}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temp, this.settingsFile);
  }
}
