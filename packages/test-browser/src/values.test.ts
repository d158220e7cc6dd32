import { describe, expect, it } from 'vitest';
import { lcgValues } from './values';

describe('lcgValues', () => {
  it('is deterministic, in [-1, 1), different per seed, and takes seed 0 as 1', () => {
    const a = lcgValues(1000, 7);
    expect(Array.from(a)).toEqual(Array.from(lcgValues(1000, 7)));
    expect(a.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(1.9);
    expect(Array.from(lcgValues(8, 8))).not.toEqual(Array.from(lcgValues(8, 7)));
    expect(Array.from(lcgValues(8, 0))).toEqual(Array.from(lcgValues(8, 1)));
  });
});
