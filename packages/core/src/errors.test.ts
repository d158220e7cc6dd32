import { describe, expect, it } from 'vitest';
import { TfbricksError, errorMessage, isTfbricksError, usageError } from './errors';

describe('TfbricksError', () => {
  it('carries code, hint, usage flag and exit code', () => {
    const e = usageError('E_USAGE', '--epochs must be a positive integer, got "-1"', 'pass e.g. --epochs 10');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('E_USAGE');
    expect(e.exitCode).toBe(2);
    expect(e.format()).toBe('--epochs must be a positive integer, got "-1"\nhint: pass e.g. --epochs 10');
    const r = new TfbricksError('E_IO', 'disk full', { cause: new Error('ENOSPC') });
    expect(r.exitCode).toBe(1);
    expect(r.format()).toBe('disk full');
    expect((r.cause as Error).message).toBe('ENOSPC');
  });

  it('is recognised structurally across module copies', () => {
    const foreign = Object.assign(new Error('x'), { name: 'TfbricksError', code: 'E_X' });
    expect(isTfbricksError(foreign)).toBe(true);
    expect(isTfbricksError(new Error('x'))).toBe(false);
    expect(errorMessage('plain')).toBe('plain');
  });
});
