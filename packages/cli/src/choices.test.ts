import { optimizerNames } from '@tfbricks/layers';
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS, classCount } from './choices';

describe('choices', () => {
  it('lists exactly the optimizers @tfbricks/layers creates', () => {
    expect([...OPTIMIZERS].sort()).toEqual([...optimizerNames].sort());
  });

  it('counts CIFAR classes', () => {
    expect(classCount('cifar10', 'fine')).toBe(10);
    expect(classCount('cifar10', 'coarse')).toBe(10);
    expect(classCount('cifar100', 'fine')).toBe(100);
    expect(classCount('cifar100', 'coarse')).toBe(20);
  });
});
