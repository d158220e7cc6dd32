import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TfbricksError } from '@tfbricks/core';
import { loadModel, saveModel } from '@tfbricks/layers/node';

/** Weights in saveModel's order (layer by layer), with their unique variable names. */
function orderedWeights(model: tfl.LayersModel): tfl.LayerVariable[] {
  return model.layers.flatMap((layer) => layer.weights);
}

/**
 * Save `model` (+ optimizer state + metadata) through layers' atomic `saveModel`.
 * The optimizer must come from `createOptimizer` (layers) to be saved.
 */
export async function writeCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  options: { optimizer?: tf.Optimizer; metadata?: Record<string, unknown> } = {},
): Promise<void> {
  await saveModel(dir, model, { optimizer: options.optimizer, metadata: options.metadata });
}

/**
 * Load a checkpoint written by {@link writeCheckpoint} into an existing model (same
 * architecture) and optimizer (same kind), so that objects the caller holds keep training.
 * Returns the checkpoint's metadata.
 */
export async function loadCheckpointInto(
  dir: string,
  model: tfl.LayersModel,
  optimizer?: tf.Optimizer,
): Promise<{ metadata: Record<string, unknown>; loadedFrom: string }> {
  const loaded = await loadModel(dir);
  try {
    const src = orderedWeights(loaded.model);
    const dst = orderedWeights(model);
    if (src.length !== dst.length || src.some((w, i) => w.shape.join() !== dst[i].shape.join())) {
      throw new TfbricksError(
        'E_CHECKPOINT_MISMATCH',
        `checkpoint "${dir}" holds ${src.length} weights [${src.map((w) => w.shape.join('x')).join(', ')}] but the model has ${dst.length} [${dst.map((w) => w.shape.join('x')).join(', ')}]`,
        { hint: 'resume with the same model as the run that wrote the checkpoint, or delete the checkpoint', usage: true },
      );
    }
    for (let i = 0; i < src.length; i++) dst[i].write(src[i].read());
    if (optimizer && loaded.optimizer) {
      if (loaded.optimizer.getClassName() !== optimizer.getClassName()) {
        throw new TfbricksError(
          'E_CHECKPOINT_MISMATCH',
          `checkpoint "${dir}" holds ${loaded.optimizer.getClassName()} state but the run uses ${optimizer.getClassName()}`,
          { hint: 'resume with the same optimizer as the run that wrote the checkpoint', usage: true },
        );
      }
      // Optimizer state is keyed by variable name; rename from the loaded copy to ours.
      const rename = new Map(src.map((w, i) => [w.name, dst[i].name]));
      const state = await loaded.optimizer.getWeights();
      const renamed = state.map(({ name, tensor }) => {
        if (name === 'iter') return { name, tensor };
        const cut = name.lastIndexOf('/');
        const target = rename.get(name.slice(0, cut));
        if (!target) throw new TfbricksError('E_CHECKPOINT_MISMATCH', `checkpoint "${dir}": optimizer state "${name}" matches no weight`);
        return { name: `${target}/${name.slice(cut + 1)}`, tensor };
      });
      await optimizer.setWeights(renamed);
    }
    return { metadata: loaded.metadata, loadedFrom: loaded.loadedFrom };
  } finally {
    loaded.optimizer?.dispose();
    loaded.model.dispose();
  }
}
