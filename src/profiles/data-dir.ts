import envPaths from 'env-paths';
import path from 'node:path';

/**
 * Where livetally keeps its data: `--data-dir`, else `LIVETALLY_DATA_DIR`, else the OS data
 * directory (Linux ~/.local/share/livetally, macOS ~/Library/Application Support/livetally,
 * Windows %LOCALAPPDATA%\livetally\Data).
 */
export function resolveDataDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const chosen = flag ?? nonEmpty(env['LIVETALLY_DATA_DIR']);
  return path.resolve(chosen ?? envPaths('livetally', { suffix: '' }).data);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
