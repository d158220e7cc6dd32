import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TfbricksError } from '@tfbricks/core';
import { CIFAR10_SPEC, CIFAR100_SPEC } from '@tfbricks/data-cifar';
import { invalid } from './values';

/** Default `--image-size` for a folder of class subfolders: Keras' `image_size=(256, 256)`. */
export const DEFAULT_IMAGE_SIZE: [number, number] = [256, 256];

/** Non-hidden subfolders, sorted: the classes Keras 3 would infer. */
export function classFolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && isDir(join(dir, e.name)))))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * True when `dir` is a folder of class subfolders rather than the CIFAR binary layout
 * (no CIFAR data file in it or in its `cifar-10-batches-bin`-style subfolder).
 */
export function isImageFolderLayout(dir: string): boolean {
  for (const spec of [CIFAR10_SPEC, CIFAR100_SPEC]) {
    const files = [...spec.files.train, ...spec.files.test];
    if (files.some((f) => existsSync(join(dir, f)) || existsSync(join(dir, spec.folder, f)))) return false;
  }
  return classFolders(dir).length > 0;
}

/** `--image-size <height>x<width>` (Keras' `image_size=(height, width)`); a single number is square. */
export function parseImageSize(flag: string, value: string): [number, number] {
  const m = /^(\d{1,5})(?:x(\d{1,5}))?$/.exec(value.trim());
  const size = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [];
  if (!m || size.some((v) => v < 1 || v > 4096)) invalid(flag, value, '<height>x<width> with sides from 1 to 4096, e.g. 64x64');
  return size as [number, number];
}

/** The class count of a folder, for shaping the zoo model (at least one class needed). */
export function requireClassFolders(flag: string, shown: string, dir: string): string[] {
  const classes = classFolders(dir);
  if (!classes.length) {
    throw new TfbricksError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(shown)} has no class subfolders (allowed: a folder of class subfolders holding images, or the CIFAR binary layout)`, { usage: true });
  }
  if (classes.length > 256) invalid(flag, shown, `a folder of at most 256 class subfolders (it has ${classes.length})`);
  return classes;
}

/** What `train` adds to its config for a folder of class subfolders. */
export interface FolderFlags {
  /** `[height, width]`; null for the CIFAR layout. */
  imageSize: [number, number] | null;
  skipBadImages: boolean;
  /** Classes found (shapes the zoo model), or null for CIFAR. */
  classes: string[] | null;
}

/**
 * `train`'s folder flags: `--data-dir` holding class subfolders switches to folder mode;
 * `--image-size` and `--skip-bad-images` are only meaningful there, and the CIFAR-only
 * flags are refused there, naming the flag.
 */
export function resolveFolderFlags(opts: Record<string, unknown>, dataDir: string | null): FolderFlags {
  const size = typeof opts.imageSize === 'string' ? opts.imageSize : undefined;
  const folder = dataDir !== null && isImageFolderLayout(dataDir);
  if (!folder) {
    if (size !== undefined) invalid('--image-size', size, 'only with --data-dir <folder of class subfolders>');
    if (opts.skipBadImages === true) invalid('--skip-bad-images', 'true', 'only with --data-dir <folder of class subfolders>');
    return { imageSize: null, skipBadImages: false, classes: null };
  }
  for (const [key, flag] of [['dataset', '--dataset'], ['labelMode', '--label-mode'], ['limitTrain', '--limit-train'], ['limitTest', '--limit-test']] as const) {
    if (typeof opts[key] === 'string') invalid(flag, opts[key] as string, 'only with CIFAR data (--data-dir is a folder of class subfolders)');
  }
  return {
    imageSize: size !== undefined ? parseImageSize('--image-size', size) : DEFAULT_IMAGE_SIZE,
    skipBadImages: opts.skipBadImages === true,
    classes: requireClassFolders('--data-dir', String(opts.dataDir), dataDir),
  };
}

/** `dataset <folder>`: the argument names an existing folder rather than an action. */
export function folderArgument(arg: string | undefined, cwd: string, actions: readonly string[]): string | undefined {
  if (arg === undefined || actions.includes(arg)) return undefined;
  const path = resolve(cwd, arg);
  return isDir(path) ? path : undefined;
}
