import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where decoded images are cached: `$TFBRICKS_HOME/images` when set, otherwise the
 * platform cache folder + `tfbricks/images` (the same rule as data-cifar's `datasets`).
 */
export function defaultImageCacheDir(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TFBRICKS_HOME) return join(env.TFBRICKS_HOME, 'images');
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'tfbricks', 'Cache', 'images');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'tfbricks', 'images');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'tfbricks', 'images');
}
