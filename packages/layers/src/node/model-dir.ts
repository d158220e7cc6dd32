import { promises as fs } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { TfbricksError, echo } from '@tfbricks/core';
import { fsError, readFileBounded } from '@tfbricks/core/node';
import type * as tf from '@tensorflow/tfjs-layers';
import {
  MAX_MODEL_JSON_LENGTH,
  MODEL_JSON,
  decodeSavedModel,
  describeSavedModel,
  encodeSavedModel,
  type DecodedModel,
  type LoadOptions,
  type SaveOptions,
  type SavedModelDescription,
  type SavedModelFiles,
} from '../saved-model-codec';
import { writeDirectoryAtomic } from './atomic-dir';

export interface LoadedModel extends DecodedModel {
  /** The directory actually read: `dir`, or `<dir>.prev` when a save was interrupted. */
  loadedFrom: string;
}

/**
 * Save a model directory: the files of {@link encodeSavedModel} (`model.json`,
 * `weights.bin`, `optimizer.bin`), written atomically by {@link writeDirectoryAtomic}.
 */
export async function saveModel(dir: string, model: tf.LayersModel, options: SaveOptions = {}): Promise<void> {
  if (typeof dir !== 'string' || dir === '') throw new TfbricksError('E_USAGE', `saveModel: "dir" must be a non-empty path, got ${echo(dir)}`, { usage: true });
  await writeDirectoryAtomic(dir, await encodeSavedModel(model, options));
}

const HINT = 'pass a directory written by saveModel (a tfbricks run\'s model/ folder)';

async function hasModelJson(dir: string): Promise<boolean> {
  try {
    await fs.lstat(join(dir, MODEL_JSON));
    return true;
  } catch {
    return false;
  }
}

/** The directory to read: `dir`, or `<dir>.prev` when a save was interrupted between its renames. */
async function saveRoot(dir: string): Promise<string> {
  const root = resolve(dir);
  if (!(await hasModelJson(root)) && (await hasModelJson(`${root}.prev`))) return `${root}.prev`;
  return root;
}

async function readModelJsonText(dir: string, root: string): Promise<string> {
  try {
    const bytes = await readFileBounded(join(root, MODEL_JSON), { what: 'model file', maxBytes: MAX_MODEL_JSON_LENGTH * 4, hint: HINT });
    return new TextDecoder().decode(bytes);
  } catch (e) {
    const err = fsError(e, join(dir, MODEL_JSON), 'model file', 'read', HINT);
    throw new TfbricksError('E_MODEL_LOAD', `loadModel: cannot read ${echo(dir)}: ${err.message}`, { usage: true, cause: e, hint: HINT });
  }
}

/**
 * Read and validate a saved model's `model.json` (no weight file is read, nothing is
 * built): its spec, metadata and the weight files it declares. For `summary`, `plot-model`.
 */
export async function readSavedModelDescription(dir: string): Promise<SavedModelDescription> {
  const root = await saveRoot(dir);
  return describeSavedModel(await readModelJsonText(dir, root), dir);
}

/** A weight file named by the manifest: inside the directory (also after symlinks), regular, of the declared size. */
async function readWeightFile(dir: string, root: string, path: string, bytes: number): Promise<Uint8Array> {
  const full = resolve(root, path);
  const real = await fs.realpath(full).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new TfbricksError('E_MODEL_LOAD', `loadModel ${echo(dir)}: weight file ${echo(path)} is missing`, { usage: true, hint: 'the save is incomplete' });
    throw fsError(e, full, 'weight file');
  });
  const realRoot = await fs.realpath(root);
  if (!(real + sep).startsWith(realRoot + sep)) {
    throw new TfbricksError('E_MODEL_LOAD', `loadModel ${echo(dir)}: weight path ${echo(path)} resolves outside the model directory`, { usage: true, hint: 'a model directory may only reference its own files' });
  }
  try {
    return await readFileBounded(full, { what: 'weight file', maxBytes: bytes, expectedBytes: bytes, hint: 'the save is truncated or corrupt' });
  } catch (e) {
    const err = fsError(e, full, 'weight file');
    throw new TfbricksError('E_MODEL_LOAD', `loadModel ${echo(dir)}: ${err.message} (the manifest describes ${bytes} bytes)`, { usage: true, cause: e, hint: err.hint });
  }
}

/**
 * Load a directory written by {@link saveModel}. model.json is validated first (see
 * `describeSavedModel`), then each weight file is checked (regular file, inside the
 * directory, exactly the size the manifest declares) before it is read, then
 * `decodeSavedModel` rebuilds the model with its optimizer state.
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const root = await saveRoot(dir);
  const text = await readModelJsonText(dir, root);
  const desc = describeSavedModel(text, dir);
  const files: SavedModelFiles = { [MODEL_JSON]: text };
  for (const f of desc.files) files[f.path] = await readWeightFile(dir, root, f.path, f.bytes);
  const decoded = await decodeSavedModel(files, { ...options, where: dir });
  return { ...decoded, loadedFrom: root };
}
