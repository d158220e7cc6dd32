import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Rng, usageError } from '@tfbricks/core';
import { imagesToTensor, labelsToOneHot, prepareSource, type PreparedSource } from './data';
import { modelImageShape, modelNumClasses } from './model-info';
import { lossFunction, regularizationLoss, type LossFn } from './step';
import type { DataSource, LossName } from './types';

export interface EvaluateOptions {
  batchSize?: number;
  loss?: LossName;
  /** Multiplies uint8 pixels (default 1/255, as in training). */
  rescale?: number;
  signal?: AbortSignal;
}

export interface EvaluateResult {
  /** Mean loss over the records plus the model's regularisation losses (Keras semantics). */
  loss: number;
  accuracy: number;
  /** Accuracy per true class (NaN for a class with no records). */
  perClassAccuracy: number[];
  /** `confusionMatrix[true][predicted]` counts. */
  confusionMatrix: number[][];
  count: number;
}

const NO_SHUFFLE = new Rng(1).state();

/** Sums over a prepared source, read back once at the end (no per-batch sync). */
export async function evaluateSums(
  model: tfl.LayersModel,
  source: PreparedSource,
  options: { batchSize: number; lossFn: LossFn; numClasses: number; rescale: number; confusion: boolean },
): Promise<{ loss: number; accuracy: number; confusion: number[][] | null; count: number }> {
  const { numClasses } = options;
  let lossSum: tf.Scalar = tf.scalar(0);
  let correct: tf.Scalar = tf.scalar(0);
  let confusion: tf.Tensor2D | null = options.confusion ? tf.zeros([numClasses, numClasses]) : null;
  let count = 0;
  try {
    for (const batch of source.batches({ batchSize: options.batchSize, shuffle: false, shuffleState: NO_SHUFFLE, skip: 0 })) {
      const prev = { lossSum, correct, confusion };
      const next = tf.tidy(() => {
        const xs = imagesToTensor(batch, source.imageShape, options.rescale);
        const ys = labelsToOneHot(batch.labels, numClasses);
        const pred = model.apply(xs, { training: false }) as tf.Tensor2D;
        const l = tf.add(prev.lossSum, tf.sum(options.lossFn(ys, pred))) as tf.Scalar;
        const predicted = tf.argMax(pred, -1);
        const truth = tf.tensor1d(Int32Array.from(batch.labels), 'int32');
        const c = tf.add(prev.correct, tf.sum(tf.cast(tf.equal(predicted, truth), 'float32'))) as tf.Scalar;
        const m = prev.confusion
          ? (tf.add(prev.confusion, tf.matMul(ys, tf.cast(tf.oneHot(predicted, numClasses), 'float32'), true, false)) as tf.Tensor2D)
          : undefined;
        return m ? [l, c, m] : [l, c];
      }) as tf.Tensor[];
      tf.dispose([prev.lossSum, prev.correct]);
      if (prev.confusion) prev.confusion.dispose();
      lossSum = next[0] as tf.Scalar;
      correct = next[1] as tf.Scalar;
      confusion = (next[2] as tf.Tensor2D | undefined) ?? null;
      count += batch.size;
    }
    const reg = tf.tidy(() => regularizationLoss(model) ?? tf.scalar(0));
    const regValue = (await reg.data())[0];
    reg.dispose();
    const loss = (await lossSum.data())[0] / count + regValue;
    const accuracy = (await correct.data())[0] / count;
    let matrix: number[][] | null = null;
    if (confusion) {
      const flat = await confusion.data();
      matrix = [];
      for (let t = 0; t < numClasses; t++) matrix.push(Array.from(flat.subarray(t * numClasses, (t + 1) * numClasses), (v) => Math.round(v)));
    }
    return { loss, accuracy, confusion: matrix, count };
  } finally {
    tf.dispose([lossSum, correct]);
    if (confusion) confusion.dispose();
  }
}

/**
 * Evaluate a classifier on a source: loss, accuracy, per-class accuracy and the
 * confusion matrix, accumulated on the device and read back once.
 */
export async function evaluate(model: tfl.LayersModel, source: DataSource, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw usageError('E_EVALUATE_OPTIONS', `option "batchSize" must be an integer >= 1, got ${JSON.stringify(options.batchSize)}`);
  }
  const rescale = options.rescale ?? 1 / 255;
  const numClasses = modelNumClasses(model);
  const prepared = await prepareSource(source, 'source', modelImageShape(model), numClasses, options.signal);
  const r = await evaluateSums(model, prepared, { batchSize, lossFn: lossFunction(options.loss), numClasses, rescale, confusion: true });
  const matrix = r.confusion!;
  const perClassAccuracy = matrix.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? Number.NaN : row[t] / total;
  });
  return { loss: r.loss, accuracy: r.accuracy, perClassAccuracy, confusionMatrix: matrix, count: r.count };
}

/**
 * Class probabilities for uint8 NHWC images (`[count, numClasses]`, row-major), computed in
 * batches. `images` holds `count × height × width × channels` bytes.
 */
export async function predict(
  model: tfl.LayersModel,
  images: Uint8Array,
  options: { batchSize?: number; rescale?: number } = {},
): Promise<{ probabilities: Float32Array; count: number; numClasses: number }> {
  const shape = modelImageShape(model);
  const numClasses = modelNumClasses(model);
  const pixels = shape[0] * shape[1] * shape[2];
  if (!(images instanceof Uint8Array) || images.length === 0 || images.length % pixels !== 0) {
    throw usageError(
      'E_PREDICT_INPUT',
      `predict: images must be a non-empty Uint8Array whose length is a multiple of ${shape.join('×')} = ${pixels}, got ${images instanceof Uint8Array ? images.length + ' bytes' : typeof images}`,
    );
  }
  const batchSize = options.batchSize ?? 32;
  const rescale = options.rescale ?? 1 / 255;
  const count = images.length / pixels;
  const out = new Float32Array(count * numClasses);
  const pending: Promise<void>[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const probs = tf.tidy(() => {
      const xs = imagesToTensor({ images: images.subarray(start * pixels, (start + size) * pixels), labels: new Uint8Array(size), size }, shape, rescale);
      return model.apply(xs, { training: false }) as tf.Tensor;
    });
    pending.push(
      probs.data().then((d) => {
        out.set(d as Float32Array, start * numClasses);
        probs.dispose();
      }),
    );
  }
  await Promise.all(pending);
  return { probabilities: out, count, numClasses };
}
