import type * as tfl from '@tensorflow/tfjs-layers';
import { usageError } from '@tfbricks/core';

/** The model's `[height, width, channels]` input shape. */
export function modelImageShape(model: tfl.LayersModel): [number, number, number] {
  if (model.inputs.length !== 1) {
    throw usageError('E_FIT_MODEL', `the model has ${model.inputs.length} inputs; fit supports single-input image models`);
  }
  const shape = model.inputs[0].shape.slice(1);
  if (shape.length !== 3 || shape.some((d) => typeof d !== 'number' || d <= 0)) {
    throw usageError('E_FIT_MODEL', `the model input shape is [${model.inputs[0].shape.join(', ')}]; fit needs [null, height, width, channels]`);
  }
  return shape as [number, number, number];
}

/** Number of classes of the model's (single) output. */
export function modelNumClasses(model: tfl.LayersModel): number {
  if (model.outputs.length !== 1) {
    throw usageError('E_FIT_MODEL', `the model has ${model.outputs.length} outputs; fit supports single-output classifiers`);
  }
  const shape = model.outputs[0].shape;
  const n = shape[shape.length - 1];
  if (shape.length !== 2 || typeof n !== 'number' || n < 2) {
    throw usageError('E_FIT_MODEL', `the model output shape is [${shape.join(', ')}]; fit needs [null, numClasses] with numClasses >= 2`);
  }
  return n;
}
