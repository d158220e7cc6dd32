import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TfbricksError, type ModelSpec } from '@tfbricks/core';
import { parseModelSpec } from '@tfbricks/layers';

/**
 * The model spec stored in a saved model's `model.json` (no weights are read, no backend
 * is needed): enough for `summary` and `plot-model`.
 */
export function loadSavedSpec(modelDir: string): ModelSpec {
  const path = join(modelDir, 'model.json');
  let file: { spec?: unknown };
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as { spec?: unknown };
  } catch (error) {
    throw new TfbricksError('E_MODEL_LOAD', `cannot read the model spec in ${path}: ${(error as Error).message}`, {
      hint: 'pass a directory written by tfbricks train (its model/ folder) or by saveModel()',
    });
  }
  if (!file || typeof file !== 'object' || file.spec === undefined) {
    throw new TfbricksError('E_MODEL_LOAD', `${path} holds no model spec`, { hint: 'pass a directory written by saveModel() of @tfbricks/layers' });
  }
  return parseModelSpec(file.spec);
}
