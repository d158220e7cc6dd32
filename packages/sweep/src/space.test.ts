import { describe, expect, it } from 'vitest';
import { planTrials } from './space';
import { parseSweepSpec } from './sweep-file';

describe('trial generation', () => {
  it('grid: every point once, the last key varying fastest, ids in order', () => {
    const trials = planTrials(parseSweepSpec({ space: { lr: [0.1, 0.01], 'batch-size': [8, 16, 32] } }, 's'));
    expect(trials.map((t) => t.id)).toEqual(['t000', 't001', 't002', 't003', 't004', 't005']);
    expect(trials.map((t) => `${t.params.lr}/${t.params['batch-size']}`)).toEqual(['0.1/8', '0.1/16', '0.1/32', '0.01/8', '0.01/16', '0.01/32']);
    expect(planTrials(parseSweepSpec({ space: { lr: [1, 2, 3] }, trials: 2 }, 's'))).toHaveLength(2);
  });

  it('random: seeded (the same seed, the same trials; another seed, others), within the ranges', () => {
    const file = (seed: number) => ({ space: { lr: { min: 1e-5, max: 1e-1, log: true }, bs: { min: 8, max: 64, integer: true }, opt: ['adam', 'sgd'] }, method: 'random', trials: 200, seed });
    const a = planTrials(parseSweepSpec(file(7), 's'));
    expect(planTrials(parseSweepSpec(file(7), 's'))).toEqual(a);
    expect(planTrials(parseSweepSpec(file(8), 's'))).not.toEqual(a);
    const lrs = a.map((t) => t.params.lr as number);
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-5);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-1);
    // log-uniform: about a quarter of the draws in each decade
    const below1e3 = lrs.filter((v) => v < 1e-3).length;
    expect(below1e3).toBeGreaterThan(70);
    expect(below1e3).toBeLessThan(130);
    const bs = a.map((t) => t.params.bs as number);
    expect(bs.every((v) => Number.isInteger(v) && v >= 8 && v <= 64)).toBe(true);
    expect(new Set(a.map((t) => t.params.opt))).toEqual(new Set(['adam', 'sgd']));
  });
});
