/** Choices several commands share: one list each, one rule for the class count. */

export const DATASETS = ['cifar10', 'cifar100'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const LABEL_MODES = ['fine', 'coarse'] as const;
export type LabelMode = (typeof LABEL_MODES)[number];

export const PROGRESS_MODES = ['auto', 'bar', 'epoch', 'none'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/**
 * Optimizer names `--optimizer` accepts: those of `createOptimizer` in @tfbricks/layers (a
 * test keeps the two lists equal; listed here so `--help` loads no tfjs).
 */
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad', 'adadelta', 'adamax'] as const;

/** CIFAR's class count: 10, or 100 fine / 20 coarse labels for CIFAR-100. */
export function classCount(dataset: DatasetName, labelMode: LabelMode): number {
  if (dataset === 'cifar10') return 10;
  return labelMode === 'coarse' ? 20 : 100;
}

/** The input shape of every CIFAR model. */
export const CIFAR_INPUT_SHAPE = [32, 32, 3];
