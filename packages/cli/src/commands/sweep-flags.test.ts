import { describe, expect, it } from 'vitest';
import { absolutePaths, trainArgv } from './sweep-flags';

describe('sweep-file flags become train arguments', () => {
  it('values, true and false (the --no- form)', () => {
    expect(trainArgv({ model: 'tiny', lr: 0.001, 'batch-size': 8, augment: false, 'horizontal-flip': true, 'validation-split': 1e-1 })).toEqual([
      '--model',
      'tiny',
      '--lr',
      '0.001',
      '--batch-size',
      '8',
      '--no-augment',
      '--horizontal-flip',
      '--validation-split',
      '0.1',
    ]);
  });

  it('names the key of an unknown flag, a flag the sweep sets itself, and a value of the wrong kind', () => {
    expect(() => trainArgv({ 'learning-rate': 0.1 }, 's.json')).toThrow(/^invalid sweep file s\.json: base\.learning-rate: unknown train flag "learning-rate" \(allowed: model, .*\blr\b/);
    expect(() => trainArgv({ 'run-dir': 'x' }, 's.json')).toThrow('invalid sweep file s.json: base.run-dir: "x" (allowed: not this flag, set by the sweep');
    expect(() => trainArgv({ lr: true }, 's.json', 'space.lr[2]')).toThrow(/^invalid sweep file s\.json: space\.lr\[2\]: true \(allowed: learning rate/);
    expect(() => trainArgv({ augment: 'yes' }, 's.json')).toThrow('invalid sweep file s.json: base.augment: "yes" (allowed: true or false)');
  });

  it('resolves data-dir and model files against the sweep file directory, not zoo names', () => {
    expect(absolutePaths({ base: { 'data-dir': 'data', model: 'tiny' }, space: { model: ['specs/a.json', 'tiny'] } }, '/sweeps')).toEqual({
      base: { 'data-dir': '/sweeps/data', model: 'tiny' },
      space: { model: ['/sweeps/specs/a.json', 'tiny'] },
    });
  });
});
