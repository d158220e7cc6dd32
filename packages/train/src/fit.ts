import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Rng, TfbricksError, usageError, type JsonValue, type RngState } from '@tfbricks/core';
import { createOptimizer } from '@tfbricks/layers';
import { imagesToTensor, labelsToOneHot, prepareSource } from './data';
import { findDropoutLayers, saveDropoutSeeds, seedDropoutLayers } from './dropout';
import { evaluateSums } from './evaluate';
import { getLearningRate, setLearningRate } from './learning-rate';
import { SeedPurpose, deriveSeed } from './seeds';
import { modelImageShape, modelNumClasses } from './model-info';
import { lossFunction, metricKeys, trainStep } from './step';
import type {
  BatchEnd,
  Callback,
  EpochLogs,
  FitOptions,
  FitResult,
  History,
  StopReason,
  TrainingContext,
  TrainingParams,
  TrainingPosition,
} from './types';

const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

function checkInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw usageError('E_FIT_OPTIONS', `option "${name}" must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function emptyHistory(): History {
  return { epoch: [], history: {} };
}

function cloneHistory(h: History): History {
  return { epoch: [...h.epoch], history: Object.fromEntries(Object.entries(h.history).map(([k, v]) => [k, [...v]])) };
}

/**
 * Train `options.model` Keras-style: shuffled batches from `train` (uint8 → float ×
 * `rescale` → `augmentation`), one optimizer step per batch, validation on `validation`
 * after every epoch, and callbacks around it. Every random draw derives from `seed`, so
 * the same options give the same weights, and a run resumed by `BackupAndRestore` ends
 * exactly where an uninterrupted one does. Nothing is read back from the device per batch
 * unless a callback asks for batch logs.
 */
export async function fit(options: FitOptions): Promise<FitResult> {
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
  const seed = options.seed >>> 0;
  const rescale = options.rescale ?? 1 / 255;
  if (typeof rescale !== 'number' || !Number.isFinite(rescale) || rescale <= 0) {
    throw usageError('E_FIT_OPTIONS', `option "rescale" must be a finite number > 0, got ${JSON.stringify(rescale)}`);
  }
  const shuffle = options.shuffle ?? true;
  // Callbacks that save the run (those with `restore`, i.e. BackupAndRestore) run after the
  // others in every hook, so they capture learning-rate changes and callback state of this step.
  const callbacks = [...(options.callbacks ?? [])].sort((a, b) => Number(!!a?.restore) - Number(!!b?.restore));
  const stateKeys = new Set<string>();
  for (const cb of callbacks) {
    if (!cb || typeof cb !== 'object') throw usageError('E_FIT_OPTIONS', `option "callbacks" contains ${String(cb)}; expected callback objects`);
    if (cb.stateKey !== undefined) {
      if (stateKeys.has(cb.stateKey)) {
        throw usageError('E_FIT_OPTIONS', `two callbacks share stateKey "${cb.stateKey}"`, 'give each stateful callback a distinct stateKey option');
      }
      stateKeys.add(cb.stateKey);
    }
  }
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
    // Keep the model usable with model.evaluate()/save afterwards, like a compiled Keras model.
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: withAcc ? ['accuracy'] : [] });
  }

  const train = await prepareSource(options.train, 'train', imageShape, numClasses, options.signal);
  const validation =
    options.validation === undefined ? undefined : await prepareSource(options.validation, 'validation', imageShape, numClasses, options.signal);
  const steps = Math.ceil(train.count / batchSize);
  const params: TrainingParams = {
    epochs,
    initialEpoch,
    batchSize,
    steps,
    samples: train.count,
    seed,
    numClasses,
    hasValidation: validation !== undefined,
    rescale,
    metrics: ['loss', ...metrics, ...(validation ? ['val_loss', ...metrics.map((m) => `val_${m}`)] : [])],
  };

  const freshShuffleState = (epoch: number): RngState => new Rng(deriveSeed(seed, SeedPurpose.shuffle, epoch)).state();

  // Mutable run state behind the context.
  let epoch = initialEpoch;
  let step = 0;
  let history = emptyHistory();
  let shuffleState = freshShuffleState(epoch);
  const tensorCounts: number[] = [];
  const sumKeys = ['loss', ...metrics];
  let sums: Record<string, tf.Scalar> = {};
  let count = 0;
  /** Logs of the epoch whose end hooks are running (the epoch counts as done for captures). */
  let endingLogs: EpochLogs | null = null;

  const ctx: TrainingContext = {
    model,
    optimizer,
    params,
    get epoch() {
      return epoch;
    },
    get step() {
      return step;
    },
    get globalStep() {
      return epoch * steps + step;
    },
    get history() {
      return history;
    },
    stopTraining: false,
    stopReason: 'completed' as StopReason,
    getLearningRate: () => getLearningRate(optimizer),
    setLearningRate: (lr: number) => setLearningRate(optimizer, lr),
    async capturePosition(): Promise<TrainingPosition> {
      const states: Record<string, JsonValue> = {};
      for (const cb of callbacks) if (cb.stateKey !== undefined && cb.getState) states[cb.stateKey] = await cb.getState();
      if (endingLogs) {
        const h = cloneHistory(history);
        h.epoch.push(epoch);
        for (const [k, v] of Object.entries(endingLogs)) (h.history[k] ??= []).push(v);
        return {
          epoch: epoch + 1,
          step: 0,
          globalStep: (epoch + 1) * steps,
          seed,
          batchSize,
          samples: train.count,
          shuffleState: freshShuffleState(epoch + 1),
          partial: { sums: {}, count: 0 },
          history: h,
          learningRate: getLearningRate(optimizer),
          callbacks: states,
        };
      }
      const partialSums: Record<string, number> = {};
      if (step > 0) for (const k of sumKeys) partialSums[k] = sums[k] ? (await sums[k].data())[0] : 0;
      return {
        epoch,
        step,
        globalStep: epoch * steps + step,
        seed,
        batchSize,
        samples: train.count,
        shuffleState: step > 0 ? shuffleState : freshShuffleState(epoch),
        partial: { sums: partialSums, count: step > 0 ? count : 0 },
        history: cloneHistory(history),
        learningRate: getLearningRate(optimizer),
        callbacks: states,
      };
    },
    tensorCounts,
  };

  const dropoutLayers = options.deterministicDropout === false ? [] : findDropoutLayers(model);
  const restoreDropoutSeeds = saveDropoutSeeds(dropoutLayers);
  const resetSums = (initial: Record<string, number>) => {
    for (const k of Object.keys(sums)) sums[k].dispose();
    sums = {};
    for (const k of sumKeys) sums[k] = tf.scalar(initial[k] ?? 0);
  };

  try {
    // Resume from a previous run when a callback (BackupAndRestore) has a saved position.
    let resumed: TrainingPosition | undefined;
    for (const cb of callbacks) {
      if (!cb.restore) continue;
      const position = await cb.restore(ctx);
      if (position && !resumed) resumed = position;
    }
    if (resumed) {
      if (resumed.seed !== seed) {
        throw new TfbricksError('E_RESUME_SEED', `the backup was made with seed ${resumed.seed} but this run uses seed ${seed}`, {
          usage: true,
          hint: 'resume with the same seed, or delete the backup directory to start over',
        });
      }
      for (const [what, saved, now] of [
        ['batch size', resumed.batchSize, batchSize],
        ['number of training records', resumed.samples, train.count],
      ] as const) {
        if (saved !== undefined && saved !== now) {
          throw new TfbricksError('E_RESUME_MISMATCH', `the backup was made with ${what} ${saved} but this run has ${now}`, {
            usage: true,
            hint: 'resume with the same data and batch size, or delete the backup directory to start over',
          });
        }
      }
      if (resumed.step >= steps) {
        throw new TfbricksError('E_RESUME_MISMATCH', `the backup is at batch ${resumed.step} of an epoch that has ${steps} batches`, {
          usage: true,
          hint: 'delete the backup directory to start over',
        });
      }
      epoch = resumed.epoch;
      step = resumed.step;
      history = cloneHistory(resumed.history);
      shuffleState = resumed.shuffleState;
      count = resumed.partial.count;
      if (resumed.learningRate !== null && getLearningRate(optimizer) !== null) setLearningRate(optimizer, resumed.learningRate);
      for (const cb of callbacks) {
        if (cb.stateKey !== undefined && cb.setState && resumed.callbacks[cb.stateKey] !== undefined) cb.setState(resumed.callbacks[cb.stateKey]);
      }
    }
    resetSums(resumed?.partial.sums ?? {});

    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);

    const aborted = () => options.signal?.aborted === true;
    if (aborted()) {
      ctx.stopTraining = true;
      ctx.stopReason = 'signal';
    }
    while (epoch < epochs && !ctx.stopTraining) {
      tensorCounts.push(tf.memory().numTensors);
      if (step === 0) shuffleState = freshShuffleState(epoch);
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);

      for (const batch of train.batches({ batchSize, shuffle, shuffleState, skip: step })) {
        if (dropoutLayers.length) seedDropoutLayers(dropoutLayers, seed, epoch, step);
        const xs = tf.tidy(() => {
          const raw = imagesToTensor(batch, imageShape, rescale);
          if (!options.augmentation) return raw;
          return options.augmentation.apply(raw, { seed: deriveSeed(seed, SeedPurpose.augment, epoch, step) });
        });
        const ys = labelsToOneHot(batch.labels, numClasses);
        const result = trainStep(model, optimizer, lossFn, withAcc, xs, ys);
        const old = sums;
        sums = tf.tidy(() => {
          const next: Record<string, tf.Scalar> = { loss: tf.add(old.loss, tf.mul(result.loss, batch.size)) };
          if (withAcc && result.acc) next.acc = tf.add(old.acc, tf.mul(result.acc, batch.size));
          return next;
        });
        for (const k of Object.keys(old)) old[k].dispose();
        count += batch.size;

        const globalStep = epoch * steps + step;
        const info: BatchEnd = { batch: step, size: batch.size, globalStep };
        if (callbacks.some((cb) => cb.needsBatchLogs?.(globalStep) === true)) {
          const logs: Record<string, number> = { loss: (await result.loss.data())[0] };
          if (result.acc) logs.acc = (await result.acc.data())[0];
          info.logs = logs;
        }
        if (callbacks.some((cb) => cb.needsBatchInputs?.(globalStep) === true)) info.inputs = xs;
        step++;
        try {
          for (const cb of callbacks) await cb.onBatchEnd?.(info, ctx);
        } finally {
          tf.dispose([xs, ys, result.loss]);
          if (result.acc) result.acc.dispose();
        }
        if (!ctx.stopTraining && aborted()) {
          ctx.stopTraining = true;
          ctx.stopReason = 'signal';
        }
        if (ctx.stopTraining) break;
        await yieldToEventLoop();
      }
      if (step < steps) {
        // Stopped inside the epoch (NaN, signal): no epoch-end logs or checkpoints.
        break;
      }

      const logs: EpochLogs = {};
      for (const k of sumKeys) logs[k] = (await sums[k].data())[0] / count;
      if (validation) {
        const v = await evaluateSums(model, validation, { batchSize: validationBatchSize, lossFn, numClasses, rescale, confusion: false });
        logs.val_loss = v.loss;
        if (withAcc) logs.val_acc = v.accuracy;
      }
      endingLogs = logs;
      try {
        for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
      } finally {
        endingLogs = null;
      }
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      epoch++;
      step = 0;
      count = 0;
      resetSums({});
      if (!ctx.stopTraining && aborted()) {
        ctx.stopTraining = true;
        ctx.stopReason = 'signal';
      }
    }
    if (!ctx.stopTraining) ctx.stopReason = 'completed';
    // A custom callback that only sets stopTraining (Keras' model.stop_training) stopped early.
    else if (ctx.stopReason === 'completed') ctx.stopReason = 'early-stopping';
    // Backups first here: they save state that other callbacks release in their onTrainEnd.
    for (const cb of [...callbacks.filter((c) => c.restore), ...callbacks.filter((c) => !c.restore)]) await cb.onTrainEnd?.(ctx);
    return { history: cloneHistory(history), stopReason: ctx.stopReason, epochsCompleted: epoch };
  } finally {
    for (const k of Object.keys(sums)) sums[k].dispose();
    sums = {};
    restoreDropoutSeeds();
  }
}
