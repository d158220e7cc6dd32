import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { usageError } from '@tfbricks/core';
import type { LossName, MetricName } from './types';

export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** The per-sample loss for a loss name; labels are one-hot in both cases. */
export function lossFunction(name: LossName | undefined): LossFn {
  switch (name ?? 'categoricalCrossentropy') {
    case 'categoricalCrossentropy':
    case 'sparseCategoricalCrossentropy':
      // Keras semantics (clip to [eps, 1-eps], renormalise); labels are one-hot here, so the
      // sparse variant has the same value.
      return (yTrue, yPred) => tfl.metrics.categoricalCrossentropy(yTrue, yPred);
    default:
      throw usageError(
        'E_FIT_OPTIONS',
        `option "loss" is "${String(name)}"; allowed: categoricalCrossentropy, sparseCategoricalCrossentropy`,
      );
  }
}

/** Normalised metric keys (`accuracy` → `acc`, tfjs' history key). */
export function metricKeys(metrics: MetricName[] | undefined): string[] {
  const keys: string[] = [];
  for (const m of metrics ?? ['accuracy']) {
    if (m !== 'accuracy' && m !== 'acc') {
      throw usageError('E_FIT_OPTIONS', `option "metrics" contains "${String(m)}"; allowed: accuracy (logged as acc)`);
    }
    if (!keys.includes('acc')) keys.push('acc');
  }
  return keys;
}

/** Mean categorical accuracy of a batch (scalar). */
export function accuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.mean(tfl.metrics.categoricalAccuracy(yTrue, yPred)) as tf.Scalar;
}

/** Sum of the model's regularisation losses, or null when it has none. */
export function regularizationLoss(model: tfl.LayersModel): tf.Scalar | null {
  const losses = model.calculateLosses();
  if (losses.length === 0) return null;
  let total = losses[0];
  for (let i = 1; i < losses.length; i++) total = tf.add(total, losses[i]);
  return total;
}

export interface StepResult {
  /** Mean loss of the batch (including regularisation), like Keras' batch `loss`. */
  loss: tf.Scalar;
  /** Mean accuracy of the batch, when `acc` is a metric. */
  acc: tf.Scalar | null;
}

/**
 * One optimizer step on a batch, as tfjs-layers' own train function does it: forward
 * pass in training mode, mean loss + regularisation, metric on the same outputs,
 * `optimizer.minimize` over the trainable weights. Returns on-device scalars; nothing
 * is read back.
 */
export function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  lossFn: LossFn,
  withAccuracy: boolean,
  xs: tf.Tensor,
  ys: tf.Tensor,
): StepResult {
  const out = tf.tidy(() => {
    let acc: tf.Scalar | null = null;
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = optimizer.minimize(
      () => {
        const pred = model.apply(xs, { training: true }) as tf.Tensor;
        let total = tf.mean(lossFn(ys, pred)) as tf.Scalar;
        if (withAccuracy) acc = tf.keep(accuracy(ys, pred));
        const reg = regularizationLoss(model);
        if (reg) total = tf.add(total, reg);
        return total;
      },
      true,
      variables,
    ) as tf.Scalar;
    return acc ? [loss, acc] : [loss];
  }) as tf.Scalar[];
  return { loss: out[0], acc: out[1] ?? null };
}
