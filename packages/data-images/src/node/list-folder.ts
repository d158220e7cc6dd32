import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type BadImageFile, type ImageFileEntry, type ImageFolderListing, type ListFolderOptions, TfbricksError, usageError } from '@tfbricks/core';
import { comparePython, hasImageExtension, sortedPython } from '../python-order';

interface WalkResult {
  /** `(root, files)` pairs as os.walk yields them. */
  roots: { root: string; files: string[] }[];
  bad: BadImageFile[];
}

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'EIO';
}

function readDir(dir: string, bad: BadImageFile[]): Dirent[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = errno(error);
    bad.push({
      path: dir,
      code: code === 'EACCES' || code === 'EPERM' ? 'no-permission' : code === 'ELOOP' ? 'symlink-loop' : 'unreadable',
      reason: `cannot list folder (${code})`,
    });
    return undefined;
  }
}

/** `is_dir()` of os.scandir (follows links); false for broken links. */
function isDir(path: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `os.walk(top, followlinks)`: folders that cannot be listed are reported (os.walk skips
 * them silently) and a linked folder that leads back to one of its ancestors is reported
 * as a loop instead of being walked forever.
 */
function walk(top: string, followLinks: boolean): WalkResult {
  const roots: WalkResult['roots'] = [];
  const bad: BadImageFile[] = [];
  const visit = (dir: string, ancestors: Set<string>) => {
    const entries = readDir(dir, bad);
    if (!entries) return;
    const files: string[] = [];
    const dirs: { path: string; link: boolean }[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (isDir(path, entry)) dirs.push({ path, link: entry.isSymbolicLink() });
      else files.push(entry.name);
    }
    roots.push({ root: dir, files });
    for (const sub of dirs) {
      if (sub.link && !followLinks) continue;
      let real: string;
      try {
        real = realpathSync(sub.path);
      } catch (error) {
        bad.push({ path: sub.path, code: errno(error) === 'ELOOP' ? 'symlink-loop' : 'unreadable', reason: `cannot resolve folder (${errno(error)})` });
        continue;
      }
      if (ancestors.has(real)) {
        bad.push({ path: sub.path, code: 'symlink-loop', reason: `link back to ${real}, which is already being walked (not followed)` });
        continue;
      }
      visit(sub.path, new Set([...ancestors, real]));
    }
  };
  let real: string;
  try {
    real = realpathSync(top);
  } catch (error) {
    bad.push({ path: top, code: errno(error) === 'ELOOP' ? 'symlink-loop' : 'unreadable', reason: `cannot resolve folder (${errno(error)})` });
    return { roots, bad };
  }
  visit(top, new Set([real]));
  return { roots, bad };
}

/** The class subfolders Keras would use: sorted names of folders (Keras 3 skips hidden ones). */
function classFolders(directory: string, style: ListFolderOptions['style'], bad: BadImageFile[]): string[] {
  const entries = readDir(directory, bad);
  if (!entries) return [];
  return sortedPython(entries.filter((e) => isDir(join(directory, e.name), e)).map((e) => e.name)).filter((name) => style !== 'keras3' || !name.startsWith('.'));
}

/**
 * List a folder of class subfolders exactly as Keras does: classes in sorted order (or as
 * given), then for each class the files of `sorted(os.walk(...), key=root)` with each
 * root's file names sorted, keeping Keras' image extensions. Every file is stat'ed (size
 * and mtime for the cache); files that cannot be stat'ed (broken links) are reported.
 */
export function listImageFolder(directory: string, options: ListFolderOptions): ImageFolderListing {
  let info;
  try {
    info = statSync(directory);
  } catch (error) {
    throw usageError('E_IMAGE_FOLDER', `image folder ${JSON.stringify(directory)} cannot be read (${errno(error)})`, 'pass a folder of class subfolders holding images');
  }
  if (!info.isDirectory()) throw usageError('E_IMAGE_FOLDER', `image folder ${JSON.stringify(directory)} is not a folder`, 'pass a folder of class subfolders holding images');
  const bad: BadImageFile[] = [];
  const infer = options.inferLabels !== false;
  const found = infer ? classFolders(directory, options.style, bad) : [''];
  if (infer && bad.some((b) => b.path === directory)) {
    throw new TfbricksError('E_IMAGE_FOLDER', `image folder ${JSON.stringify(directory)} cannot be listed (${bad[0].reason})`, {
      hint: 'check the folder permissions',
      usage: true,
    });
  }
  let classNames = found;
  if (infer && options.classes !== undefined) {
    const missing = options.classes.filter((c) => !found.includes(c));
    if (missing.length) {
      throw usageError(
        'E_IMAGE_CLASSES',
        `classes ${JSON.stringify(missing)} are not subfolders of ${JSON.stringify(directory)}`,
        `allowed: a subset of ${JSON.stringify(found)}`,
      );
    }
    classNames = [...options.classes];
  }
  const files: ImageFileEntry[] = [];
  classNames.forEach((name, classIndex) => {
    const top = name === '' ? directory : join(directory, name);
    const { roots, bad: walkBad } = walk(top, options.followLinks === true);
    bad.push(...walkBad);
    roots.sort((a, b) => comparePython(a.root, b.root));
    for (const { root, files: names } of roots) {
      for (const fname of sortedPython(names)) {
        if (!hasImageExtension(fname, options.style)) continue;
        const path = join(root, fname);
        try {
          const st = statSync(path);
          files.push({ path, relativePath: name === '' ? relative(top, path) : join(name, relative(top, path)), classIndex, size: st.size, mtimeMs: st.mtimeMs });
        } catch (error) {
          bad.push({ path, code: errno(error) === 'ELOOP' ? 'symlink-loop' : 'unreadable', reason: `cannot be read (${errno(error)})` });
        }
      }
    }
  });
  return { classNames: infer ? classNames : [], files, bad };
}
