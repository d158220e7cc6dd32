import '@tensorflow/tfjs-layers';
import { loadModel } from '@tfbricks/layers/node';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '@tfbricks/core';
import type { CommandContext } from './command';

export interface SavedModel {
  model: LayersModel;
  spec: ModelSpec;
  metadata: Record<string, unknown>;
  classNames: string[] | undefined;
}

/** Load a saved model directory on the active backend. */
export async function loadSavedModel(dir: string, _ctx?: CommandContext): Promise<SavedModel> {
  const loaded = await loadModel(dir);
  loaded.optimizer?.dispose();
  const names = loaded.metadata.classNames;
  return {
    model: loaded.model,
    spec: loaded.spec,
    metadata: loaded.metadata,
    classNames: Array.isArray(names) && names.every((n) => typeof n === 'string') ? (names as string[]) : undefined,
  };
}
