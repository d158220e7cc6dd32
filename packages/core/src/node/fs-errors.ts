import { TfbricksError } from '../errors';
import { echo } from '../echo';

/** What an errno means for the user, in words (`ENOENT` -> "does not exist"). */
export function describeErrno(code: string | undefined, access: 'read' | 'write' = 'read'): string | undefined {
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return access === 'read' ? 'is not readable (permission denied)' : 'is not writable (permission denied)';
    case 'EROFS':
      return 'is on a read-only file system';
    case 'ELOOP':
      return 'is a symlink loop';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'has a path component that is not a directory';
    case 'EEXIST':
      return 'already exists';
    case 'ENOSPC':
      return 'cannot be written: the disk is full';
    case 'ENAMETOOLONG':
      return 'has a name that is too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'cannot be opened: too many open files';
    default:
      return undefined;
  }
}

/**
 * A file-system error as a {@link TfbricksError} naming the file and what is wrong in words;
 * errors tfbricks already made pass through. `what` names the file's role ("weights file").
 */
export function fsError(error: unknown, path: string, what: string, access: 'read' | 'write' = 'read', hint?: string): TfbricksError {
  if (error instanceof TfbricksError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const words = describeErrno(code, access) ?? `cannot be ${access === 'read' ? 'read' : 'written'} (${code ?? (error instanceof Error ? error.message : String(error))})`;
  return new TfbricksError('E_FILE', `${what} ${echo(path)} ${words}`, { usage: code !== undefined, hint, cause: error, details: { path, errno: code } });
}
