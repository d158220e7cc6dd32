import { describe, expect, it } from 'vitest';
import { isTfbricksError } from '@tfbricks/core';
import { parseSweepSpec, parseSweepText } from './sweep-file';

const ok = { base: { model: 'tiny', epochs: 2 }, space: { lr: [0.001, 0.01], 'batch-size': [32, 64] } };

function failure(value: unknown): { message: string; exitCode: number } {
  try {
    parseSweepSpec(value, 's.json');
  } catch (error) {
    if (!isTfbricksError(error)) throw error;
    return { message: error.message, exitCode: error.exitCode };
  }
  throw new Error('expected a failure');
}

describe('sweep file validation', () => {
  it('fills defaults: grid over every point, val_acc maximised, seed 0, no early stopping', () => {
    const spec = parseSweepSpec(ok, 's.json');
    expect(spec).toEqual({ base: ok.base, space: ok.space, method: 'grid', trials: 4, seed: 0, objective: 'val_acc', mode: 'max', earlyStopping: null });
    expect(parseSweepSpec({ ...ok, objective: 'val_loss' }, 's.json').mode).toBe('min');
  });

  it('reads ranges for random search and the early-stopping rules', () => {
    const spec = parseSweepSpec(
      { space: { lr: { min: 1e-4, max: 1e-1, log: true }, 'batch-size': { min: 8, max: 64, integer: true } }, method: 'random', trials: 5, seed: 3, 'early-stopping': { rule: 'asha', 'reduction-factor': 2 } },
      's.json',
    );
    expect(spec.space.lr).toEqual({ min: 1e-4, max: 1e-1, log: true, integer: false });
    expect(spec.earlyStopping).toEqual({ rule: 'asha', minEpochs: 1, reductionFactor: 2 });
    expect(parseSweepSpec({ ...ok, 'early-stopping': { rule: 'median' } }, 's.json').earlyStopping).toEqual({ rule: 'median', graceEpochs: 1, minTrials: 3 });
  });

  it.each([
    [{ ...ok, metod: 'grid' }, 'metod: "grid"'],
    [{ ...ok, method: 'bayes' }, 'method: "bayes" (allowed: grid, random)'],
    [{ ...ok, space: {} }, 'space: {}'],
    [{ ...ok, space: { lr: [] } }, 'space.lr: []'],
    [{ ...ok, space: { lr: [0.1, null] } }, 'space.lr[1]: null'],
    [{ ...ok, space: { lr: { min: 0.1, max: 1 } } }, 'space.lr: {"min":0.1,"max":1} (allowed: a list of values with "method": "grid"'],
    [{ ...ok, method: 'random', trials: 2, space: { lr: { min: 0, max: 1, log: true } } }, 'space.lr.min: 0 (allowed: a number > 0 with "log": true)'],
    [{ ...ok, method: 'random', space: { lr: [1] } }, 'trials: missing'],
    [{ ...ok, trials: 5 }, 'trials: 5 (allowed: an integer from 1 to 4)'],
    [{ ...ok, base: { epochs: 2 }, space: { epochs: [1, 2] } }, 'space.epochs: [1,2] (allowed: a flag that is not also set in base'],
    [{ ...ok, base: { Epochs: 2 } }, 'base.Epochs: 2'],
    [{ ...ok, objective: 'acc' }, 'objective: "acc" (allowed: val_acc, val_loss)'],
    [{ ...ok, 'early-stopping': { rule: 'median', patience: 2 } }, 'early-stopping.patience: 2 (allowed: rule, grace-epochs, min-trials)'],
    [{ ...ok, space: { a: Array(101).fill(1), b: Array(101).fill(1) } }, 'space: "10201 grid points" (allowed: at most 10000 grid points)'],
  ])('names the key of a bad value: %j', (value, expected) => {
    const { message, exitCode } = failure(value);
    expect(message).toContain('invalid sweep file s.json: ');
    expect(message).toContain(expected);
    expect(exitCode).toBe(2);
  });

  it('rejects text that is not JSON, naming the file', () => {
    expect(() => parseSweepText('{"base": ', 'broken.json')).toThrow(/invalid sweep file broken\.json: not valid JSON/);
  });

  it('asks the flag validator about every value the sweep can give each flag', () => {
    const seen: string[] = [];
    parseSweepSpec({ base: { epochs: 2 }, space: { lr: [0.1, 0.2], x: { min: 1, max: 9 } }, method: 'random', trials: 3 }, 's.json', (flags, where) => {
      seen.push(`${where} ${JSON.stringify(flags)}`);
    });
    expect(seen).toEqual([
      'base {"epochs":2,"lr":0.1,"x":1}',
      'space.lr[0] {"epochs":2,"lr":0.1,"x":1}',
      'space.lr[1] {"epochs":2,"lr":0.2,"x":1}',
      'space.x.min {"epochs":2,"lr":0.1,"x":1}',
      'space.x.max {"epochs":2,"lr":0.1,"x":9}',
    ]);
  });
});
