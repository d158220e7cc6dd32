import { join } from 'node:path';
import { TfbricksError, type ModelSpec } from '@tfbricks/core';
import { fsError, readFileBoundedSync } from '@tfbricks/core/node';
import { MAX_MODEL_JSON_LENGTH, describeSavedModel } from '@tfbricks/layers';

/**
 * The model spec stored in a saved model's `model.json` (no weights are read, no backend
 * is needed): enough for `summary` and `plot-model`. Validated like `loadModel` validates it
 * (bounded size and depth, the spec's declared sizes, the manifest).
 */
export function loadSavedSpec(modelDir: string): ModelSpec {
  const path = join(modelDir, 'model.json');
  let text: string;
  try {
    text = new TextDecoder().decode(readFileBoundedSync(path, { what: 'model file', maxBytes: MAX_MODEL_JSON_LENGTH * 4 }));
  } catch (error) {
    throw new TfbricksError('E_MODEL_LOAD', `cannot read the model spec: ${fsError(error, path, 'model file').message}`, {
      usage: true,
      hint: 'pass a directory written by tfbricks train (its model/ folder) or by saveModel()',
    });
  }
  return describeSavedModel(text, modelDir).spec;
}
