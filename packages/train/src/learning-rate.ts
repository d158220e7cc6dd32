import type { Optimizer } from '@tensorflow/tfjs-core';
import { usageError } from '@tfbricks/core';

/**
 * Reads and changes an optimizer's learning rate. tfjs' built-in optimizers keep it in a
 * `learningRate` field read on every step (SGD/Momentum also cache it in a scalar, which
 * `setLearningRate` refreshes). Returns null for optimizers without one.
 */
export function getLearningRate(optimizer: Optimizer): number | null {
  const lr = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  return typeof lr === 'number' && Number.isFinite(lr) ? lr : null;
}

export function setLearningRate(optimizer: Optimizer, lr: number): void {
  if (!Number.isFinite(lr) || lr < 0) {
    throw usageError('E_LEARNING_RATE', `learning rate must be a finite number >= 0, got ${lr}`);
  }
  const o = optimizer as unknown as { learningRate?: unknown; setLearningRate?: (lr: number) => void };
  if (typeof o.learningRate !== 'number') {
    throw usageError('E_LEARNING_RATE', `optimizer ${optimizer.getClassName()} has no numeric learningRate to change`);
  }
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
