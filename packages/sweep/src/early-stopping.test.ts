import { describe, expect, it } from 'vitest';
import { decideStop } from './early-stopping';

const median = { rule: 'median', graceEpochs: 1, minTrials: 2 } as const;
const asha = { rule: 'asha', minEpochs: 1, reductionFactor: 2 } as const;

describe('median stopping', () => {
  it('stops a trial whose best so far is worse than the median of the others at the same epoch', () => {
    const others = [
      [0.2, 0.4],
      [0.3, 0.5],
      [0.1, 0.3],
    ];
    expect(decideStop(median, 'max', [0.1, 0.2], others, 'val_acc')).toEqual({ stop: true, reason: 'val_acc 0.2 is worse than the median 0.4 of 3 trial(s) at epoch 2' });
    expect(decideStop(median, 'max', [0.1, 0.45], others).stop).toBe(false);
    // within the grace period, and with too few peers at this epoch
    expect(decideStop(median, 'max', [0.0], others).stop).toBe(false);
    expect(decideStop(median, 'max', [0.0, 0.0, 0.0], others).stop).toBe(false);
  });

  it('minimises a loss', () => {
    expect(decideStop(median, 'min', [2.0, 1.9], [[2.0, 1.5], [2.1, 1.6]]).stop).toBe(true);
    expect(decideStop(median, 'min', [2.0, 1.4], [[2.0, 1.5], [2.1, 1.6]]).stop).toBe(false);
  });
});

describe('ASHA-style successive halving', () => {
  it('at each rung (1, 2, 4, … epochs) keeps the top 1/factor of the trials that reached it', () => {
    const others = [[0.5], [0.4], [0.3]];
    expect(decideStop(asha, 'max', [0.45], others).stop).toBe(false);
    expect(decideStop(asha, 'max', [0.35], others)).toEqual({ stop: true, reason: 'objective 0.35 is not in the top 2 of 4 trial(s) at rung epoch 1' });
    // epoch 3 is no rung
    expect(decideStop(asha, 'max', [0.9, 0.9, 0.0], [[1, 1, 1]]).stop).toBe(false);
    // the first trial at a rung always goes on
    expect(decideStop(asha, 'max', [0.1], []).stop).toBe(false);
  });
});

it('no rule, no stop', () => {
  expect(decideStop(null, 'max', [0], [[1]]).stop).toBe(false);
});
