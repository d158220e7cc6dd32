import * as tf from '@tensorflow/tfjs-core';
import { CallbackList } from './callback-list';
import { imagesToTensor, labelsToOneHot, prepareSource } from './data';
import { findDropoutLayers, saveDropoutSeeds, seedDropoutLayers } from './dropout';
import { evaluateSums } from './evaluate';
import { resolveFitOptions } from './fit-options';
import { RunState, cloneHistory } from './run-state';
import { SeedPurpose, deriveSeed } from './seeds';
import { trainStep } from './step';
import type { BatchEnd, EpochLogs, FitOptions, FitResult, TrainingContext, TrainingParams } from './types';

const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

function stopOnSignal(ctx: TrainingContext, signal: AbortSignal | undefined): void {
  if (!ctx.stopTraining && signal?.aborted === true) {
    ctx.stopTraining = true;
    ctx.stopReason = 'signal';
  }
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
  const settings = resolveFitOptions(options);
  const { model, optimizer, epochs, batchSize, seed, rescale, augmentation, imageShape, numClasses, lossFn, metrics, withAcc } = settings;
  const train = await prepareSource(options.train, 'train', imageShape, numClasses, options.signal);
  const validation =
    options.validation === undefined ? undefined : await prepareSource(options.validation, 'validation', imageShape, numClasses, options.signal);
  const steps = Math.ceil(train.count / batchSize);
  const params: TrainingParams = {
    epochs,
    initialEpoch: settings.initialEpoch,
    batchSize,
    steps,
    samples: train.count,
    seed,
    numClasses,
    hasValidation: validation !== undefined,
    rescale,
    metrics: ['loss', ...metrics, ...(validation ? ['val_loss', ...metrics.map((m) => `val_${m}`)] : [])],
  };
  const callbacks = new CallbackList(settings.callbacks);
  const state = new RunState(settings, params, callbacks);
  const ctx = state.context();
  const dropoutLayers = settings.deterministicDropout ? findDropoutLayers(model) : [];
  const restoreDropoutSeeds = saveDropoutSeeds(dropoutLayers);

  try {
    // Resume from a previous run when a callback (BackupAndRestore) has a saved position.
    state.resume(await callbacks.restore(ctx));
    await callbacks.onTrainBegin(ctx);
    stopOnSignal(ctx, options.signal);
    while (state.epoch < epochs && !ctx.stopTraining) {
      state.beginEpoch();
      const epoch = state.epoch;
      await callbacks.onEpochBegin(epoch, ctx);

      for (const batch of train.batches({ batchSize, shuffle: settings.shuffle, shuffleState: state.shuffleState, skip: state.step })) {
        if (dropoutLayers.length) seedDropoutLayers(dropoutLayers, seed, epoch, state.step);
        const augmentSeed = deriveSeed(seed, SeedPurpose.augment, epoch, state.step);
        const xs = tf.tidy(() => {
          const raw = imagesToTensor(batch, imageShape, rescale);
          return augmentation ? augmentation.apply(raw, { seed: augmentSeed }) : raw;
        });
        const ys = labelsToOneHot(batch.labels, numClasses);
        const result = trainStep(model, optimizer, lossFn, withAcc, xs, ys);
        const info: BatchEnd = { batch: state.step, size: batch.size, globalStep: state.globalStep };
        state.addBatch(result, batch.size);
        if (callbacks.needsBatchLogs(info.globalStep)) {
          info.logs = { loss: (await result.loss.data())[0]! };
          if (result.acc) info.logs.acc = (await result.acc.data())[0]!;
        }
        if (callbacks.needsBatchInputs(info.globalStep)) info.inputs = xs;
        try {
          await callbacks.onBatchEnd(info, ctx);
        } finally {
          tf.dispose([xs, ys, result.loss]);
          if (result.acc) result.acc.dispose();
        }
        stopOnSignal(ctx, options.signal);
        if (ctx.stopTraining) break;
        await yieldToEventLoop();
      }
      // Stopped inside the epoch (NaN, signal): no epoch-end logs or checkpoints.
      if (state.step < steps) break;

      const logs: EpochLogs = await state.epochLogs();
      if (validation) {
        const v = await evaluateSums(model, validation, { batchSize: settings.validationBatchSize, lossFn, numClasses, rescale, confusion: false });
        logs.val_loss = v.loss;
        if (withAcc) logs.val_acc = v.accuracy;
      }
      state.endingLogs = logs;
      try {
        await callbacks.onEpochEnd(epoch, logs, ctx);
      } finally {
        state.endingLogs = null;
      }
      state.endEpoch(logs);
      stopOnSignal(ctx, options.signal);
    }
    if (!ctx.stopTraining) ctx.stopReason = 'completed';
    // A custom callback that only sets stopTraining (Keras' model.stop_training) stopped early.
    else if (ctx.stopReason === 'completed') ctx.stopReason = 'early-stopping';
    await callbacks.onTrainEnd(ctx);
    return { history: cloneHistory(state.history), stopReason: ctx.stopReason, epochsCompleted: state.epoch };
  } finally {
    state.dispose();
    restoreDropoutSeeds();
  }
}
