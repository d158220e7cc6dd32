import { optimizerNames } from '@tfbricks/layers';

/** Optimizer names `--optimizer` accepts (those of `createOptimizer` in @tfbricks/layers, Keras' update rules and defaults). */
export const OPTIMIZERS: readonly string[] = optimizerNames;
