import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { usageError, type Augmentation } from '@tfbricks/core';
import { createOptimizer } from '@tfbricks/layers';
import { modelImageShape, modelNumClasses } from './model-info';
import { lossFunction, metricKeys, type LossFn } from './step';
import type { Callback, FitOptions } from './types';

/** {@link FitOptions} checked, with every default filled in. */
export interface FitSettings {
  model: tfl.LayersModel;
  optimizer: tf.Optimizer;
  epochs: number;
  initialEpoch: number;
  batchSize: number;
  validationBatchSize: number;
  /** The seed as an unsigned 32-bit integer. */
  seed: number;
  rescale: number;
  shuffle: boolean;
  augmentation: Augmentation | undefined;
  callbacks: Callback[];
  imageShape: [number, number, number];
  numClasses: number;
  lossFn: LossFn;
  /** Metric keys besides `loss` (`acc`). */
  metrics: string[];
  withAcc: boolean;
  deterministicDropout: boolean;
}

function checkInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw usageError('E_FIT_OPTIONS', `option "${name}" must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkCallbacks(callbacks: Callback[]): void {
  const stateKeys = new Set<string>();
  for (const cb of callbacks) {
    if (!cb || typeof cb !== 'object') throw usageError('E_FIT_OPTIONS', `option "callbacks" contains ${String(cb)}; expected callback objects`);
    if (cb.stateKey === undefined) continue;
    if (stateKeys.has(cb.stateKey)) {
      throw usageError('E_FIT_OPTIONS', `two callbacks share stateKey "${cb.stateKey}"`, 'give each stateful callback a distinct stateKey option');
    }
    stateKeys.add(cb.stateKey);
  }
}

/**
 * Check `fit`'s options (each bad value is a usage error naming the option, the value and
 * what is allowed) and fill in Keras' defaults. Compiles the model with the optimizer when it
 * is not the model's own, so `model.evaluate()` and saving work afterwards, as after Keras' fit.
 */
export function resolveFitOptions(options: FitOptions): FitSettings {
  if (!options || typeof options !== 'object') throw usageError('E_FIT_OPTIONS', 'fit() needs an options object');
  const { model } = options;
  if (!model || typeof (model as { apply?: unknown }).apply !== 'function' || !Array.isArray((model as { inputs?: unknown }).inputs)) {
    throw usageError('E_FIT_OPTIONS', 'option "model" must be a tf.LayersModel (e.g. from buildModel())');
  }
  const epochs = checkInteger(options.epochs, 'epochs', 1);
  const initialEpoch = checkInteger(options.initialEpoch ?? 0, 'initialEpoch', 0);
  if (initialEpoch >= epochs) {
    throw usageError('E_FIT_OPTIONS', `option "initialEpoch" (${initialEpoch}) must be below "epochs" (${epochs})`);
  }
  const batchSize = checkInteger(options.batchSize ?? 32, 'batchSize', 1);
  const validationBatchSize = checkInteger(options.validationBatchSize ?? batchSize, 'validationBatchSize', 1);
  if (typeof options.seed !== 'number' || !Number.isInteger(options.seed)) {
    throw usageError('E_FIT_OPTIONS', `option "seed" must be an integer, got ${JSON.stringify(options.seed)}`, 'pass any fixed integer, e.g. seed: 1');
  }
  const rescale = options.rescale ?? 1 / 255;
  if (typeof rescale !== 'number' || !Number.isFinite(rescale) || rescale <= 0) {
    throw usageError('E_FIT_OPTIONS', `option "rescale" must be a finite number > 0, got ${JSON.stringify(rescale)}`);
  }
  const callbacks = [...(options.callbacks ?? [])];
  checkCallbacks(callbacks);
  if (options.augmentation !== undefined && typeof options.augmentation?.apply !== 'function') {
    throw usageError('E_FIT_OPTIONS', 'option "augmentation" must implement apply(images, {seed})');
  }

  const imageShape = modelImageShape(model);
  const outClasses = modelNumClasses(model);
  const numClasses = options.numClasses ?? outClasses;
  if (numClasses !== outClasses) {
    throw usageError('E_FIT_OPTIONS', `option "numClasses" is ${numClasses} but the model outputs ${outClasses} classes`);
  }
  const lossFn = lossFunction(options.loss);
  const metrics = metricKeys(options.metrics);
  const withAcc = metrics.includes('acc');

  const optimizer: tf.Optimizer = options.optimizer ?? (model.optimizer as tf.Optimizer | undefined) ?? createOptimizer('adam', { learningRate: 1e-3 });
  if (model.optimizer !== optimizer) {
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: withAcc ? ['accuracy'] : [] });
  }
  return {
    model,
    optimizer,
    epochs,
    initialEpoch,
    batchSize,
    validationBatchSize,
    seed: options.seed >>> 0,
    rescale,
    shuffle: options.shuffle ?? true,
    augmentation: options.augmentation,
    callbacks,
    imageShape,
    numClasses,
    lossFn,
    metrics,
    withAcc,
    deterministicDropout: options.deterministicDropout !== false,
  };
}
