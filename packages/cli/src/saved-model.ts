import '@tensorflow/tfjs-layers';
import { loadModel } from '@tfbricks/layers/node';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { TfbricksError, echo, type ModelSpec } from '@tfbricks/core';
import type { CommandContext } from './command';

export interface SavedModel {
  model: LayersModel;
  spec: ModelSpec;
  metadata: Record<string, unknown>;
  classNames: string[] | undefined;
}

/** Longest class name accepted from a model's metadata. */
const MAX_CLASS_NAME = 256;

/** `metadata.classNames`: strings of bounded length (printed sanitised, written escaped). */
function classNamesOf(dir: string, names: unknown): string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || names.length > 100_000 || !names.every((n) => typeof n === 'string' && n.length <= MAX_CLASS_NAME)) {
    throw new TfbricksError('E_MODEL_LOAD', `${echo(dir)}: metadata "classNames" must be a list of strings of at most ${MAX_CLASS_NAME} characters, got ${echo(names)}`, {
      usage: true,
      hint: 'fix or remove metadata.classNames in its model.json',
    });
  }
  return names as string[];
}

/** Load a saved model directory on the active backend. */
export async function loadSavedModel(dir: string, _ctx?: CommandContext): Promise<SavedModel> {
  const loaded = await loadModel(dir);
  loaded.optimizer?.dispose();
  try {
    return { model: loaded.model, spec: loaded.spec, metadata: loaded.metadata, classNames: classNamesOf(dir, loaded.metadata.classNames) };
  } catch (e) {
    loaded.model.dispose();
    throw e;
  }
}
