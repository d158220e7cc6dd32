import { constants as fsConstants, promises as fs } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ModelSpec } from '@tfbricks/core';
import { TfbricksError, errorMessage } from '@tfbricks/core';
import * as tfc from '@tensorflow/tfjs-core';
import type * as tf from '@tensorflow/tfjs-layers';
import { buildModel } from './build';
import { specFromModel, toKerasJson } from './keras-json';
import { createOptimizer, describeOptimizer, type OptimizerName, type OptimizerOptions } from './optimizer';
import { parseModelSpec, type NormalizedModelSpec } from './spec';

export const MODEL_FORMAT = 'tfbricks-layers-model';
export const MODEL_FORMAT_VERSION = 1;
const MODEL_JSON = 'model.json';

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}
interface ManifestGroup {
  paths: string[];
  weights: WeightEntry[];
}
interface ModelFile {
  format: string;
  formatVersion: number;
  spec: ModelSpec;
  /** The same model in Keras' get_config() shape, for people and other tools. */
  kerasConfig?: unknown;
  weightsManifest: ManifestGroup[];
  optimizer?: { name: OptimizerName; options: OptimizerOptions; iterations: number; weightsManifest: ManifestGroup[] };
  metadata: Record<string, unknown>;
  savedAt?: string;
}

export interface SaveOptions {
  /** The model's spec (default: the spec it was built from). */
  spec?: ModelSpec;
  /** Save this optimizer's state (made by `createOptimizer`) so training resumes exactly. */
  optimizer?: tfc.Optimizer;
  /** Anything JSON-serialisable: epoch, RNG states, history… */
  metadata?: Record<string, unknown>;
}

export interface LoadOptions {
  /** Build the model with fused conv+ReLU (default true; weights are the same either way). */
  fuseActivations?: boolean;
  /** Load even if weights hold NaN/Inf; they are listed in `nonFinite` (default false: error). */
  allowNonFinite?: boolean;
}

export interface LoadedModel {
  model: tf.LayersModel;
  spec: ModelSpec;
  optimizer?: tfc.Optimizer;
  metadata: Record<string, unknown>;
  /** Weights holding NaN or ±Inf (only with `allowNonFinite`), with counts. */
  nonFinite: { name: string; nan: number; inf: number }[];
  /** The directory actually read: `dir`, or `<dir>.prev` when a save was interrupted. */
  loadedFrom: string;
}

/** Keras weight names (`conv2d_1/kernel`) with their variables, in layer order. */
function modelWeights(model: tf.LayersModel): { name: string; variable: tf.LayerVariable }[] {
  const out: { name: string; variable: tf.LayerVariable }[] = [];
  for (const layer of model.layers) for (const w of layer.weights) out.push({ name: w.originalName, variable: w });
  return out;
}

async function tensorBytes(t: tfc.Tensor): Promise<Uint8Array> {
  const data = await t.data();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await fs.open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  try {
    const fh = await fs.open(path, fsConstants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Directory fsync is not supported everywhere (e.g. Windows); rename is still atomic.
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

/** Test hook: throw at a step to simulate a crash there. @internal */
export const saveHooks: { crashAt?: 'written' | 'old-moved' | 'new-moved' } = {};

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temporary directories that saves of `dir` left behind when their process was
 * killed mid-write (`.<name>.tmp-<pid>-…` next to `dir`). Temporaries of processes still
 * running, this one included, are kept: they may be writing right now. Returns how many were
 * removed. {@link writeDirectoryAtomic} calls it before every save.
 */
export async function removeStaleSaveTemporaries(dir: string): Promise<number> {
  const target = resolve(dir);
  const parent = dirname(target);
  const prefix = `.${basename(target)}.tmp-`;
  let entries: string[];
  try {
    entries = await fs.readdir(parent);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || processAlive(pid))) continue;
    await fs.rm(join(parent, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/**
 * Write `files` as directory `dir`, atomically: everything goes to a temporary sibling
 * directory first, then replaces `dir` by renames. A crash at any moment leaves either the
 * previous save at `dir` (or, between the two renames, at `<dir>.prev`, which
 * {@link loadModel} falls back to) or the new one.
 */
export async function writeDirectoryAtomic(dir: string, files: Record<string, Uint8Array | string>): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  await fs.mkdir(parent, { recursive: true });
  await removeStaleSaveTemporaries(target);
  const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  const prev = `${target}.prev`;
  await fs.mkdir(tmp);
  try {
    for (const [name, data] of Object.entries(files)) await writeFileSynced(join(tmp, name), data);
    await syncDir(tmp);
    if (saveHooks.crashAt === 'written') throw new Error('simulated crash after writing the temporary directory');
    const hadTarget = await exists(join(target, MODEL_JSON));
    if (hadTarget) {
      // A stale .prev is older than target: drop it, then move target aside.
      await fs.rm(prev, { recursive: true, force: true });
      await fs.rename(target, prev);
    } else if (await exists(target)) {
      // A directory without model.json is not a save; refuse to clobber unknown content.
      const entries = await fs.readdir(target);
      if (entries.length > 0) {
        throw new TfbricksError('E_SAVE', `save: "${dir}" exists and is not a saved model (no ${MODEL_JSON}); refusing to replace it`, {
          usage: true,
          hint: 'choose a new directory or remove it',
        });
      }
      await fs.rmdir(target);
    }
    if (saveHooks.crashAt === 'old-moved') throw new Error('simulated crash between renames');
    await fs.rename(tmp, target);
    await syncDir(parent);
    if (saveHooks.crashAt === 'new-moved') throw new Error('simulated crash before removing the previous save');
    await fs.rm(prev, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * Save a model directory: `model.json` (spec, Keras config, weight manifest, optimizer
 * description, metadata), `weights.bin` and, with an optimizer, `optimizer.bin` (its
 * iteration count and slots, e.g. Adam's moments). Atomic: see {@link writeDirectoryAtomic}.
 */
export async function saveModel(dir: string, model: tf.LayersModel, options: SaveOptions = {}): Promise<void> {
  if (typeof dir !== 'string' || dir === '') throw new TfbricksError('E_USAGE', `saveModel: "dir" must be a non-empty path, got ${JSON.stringify(dir)}`, { usage: true });
  const spec: NormalizedModelSpec = options.spec ? parseModelSpec(options.spec) : specFromModel(model);
  const weights = modelWeights(model);
  const chunks: Uint8Array[] = [];
  const entries: WeightEntry[] = [];
  for (const { name, variable } of weights) {
    const t = variable.read();
    entries.push({ name, shape: [...t.shape], dtype: t.dtype as 'float32' });
    chunks.push(await tensorBytes(t));
  }
  const files: Record<string, Uint8Array | string> = { 'weights.bin': concat(chunks) };
  const file: ModelFile = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    spec,
    kerasConfig: toKerasJson(spec),
    weightsManifest: [{ paths: ['weights.bin'], weights: entries }],
    metadata: options.metadata ?? {},
    savedAt: new Date().toISOString(),
  };
  if (options.optimizer) {
    const desc = describeOptimizer(options.optimizer);
    if (!desc) {
      throw new TfbricksError('E_USAGE', `saveModel: optimizer ${options.optimizer.getClassName()} was not made by createOptimizer()`, {
        usage: true,
        hint: 'create it with createOptimizer(name, options) so it can be recreated on load',
      });
    }
    const byVar = new Map(weights.map((w) => [w.variable.name, w.name]));
    const state = await options.optimizer.getWeights();
    const optEntries: WeightEntry[] = [];
    const optChunks: Uint8Array[] = [];
    let iterations = 0;
    for (const { name, tensor } of state) {
      let keras = name;
      if (name === 'iter') iterations = (await tensor.data())[0];
      else {
        const cut = name.lastIndexOf('/');
        const varName = byVar.get(name.slice(0, cut));
        if (cut < 0 || !varName) {
          throw new TfbricksError('E_SAVE', `saveModel: optimizer state "${name}" belongs to no weight of model "${model.name}"`, {
            hint: 'save the optimizer together with the model it trains',
          });
        }
        keras = `${varName}/${name.slice(cut + 1)}`;
      }
      optEntries.push({ name: keras, shape: [...tensor.shape], dtype: tensor.dtype === 'int32' ? 'int32' : 'float32' });
      optChunks.push(await tensorBytes(tensor.dtype === 'int32' || tensor.dtype === 'float32' ? tensor : tfc.cast(tensor, 'float32')));
    }
    files['optimizer.bin'] = concat(optChunks);
    file.optimizer = { ...desc, iterations, weightsManifest: [{ paths: ['optimizer.bin'], weights: optEntries }] };
  }
  let json: string;
  try {
    json = JSON.stringify(file, null, 2);
  } catch (e) {
    throw new TfbricksError('E_USAGE', `saveModel: metadata is not JSON-serialisable: ${errorMessage(e)}`, { usage: true });
  }
  files[MODEL_JSON] = json;
  await writeDirectoryAtomic(dir, files);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

function loadError(dir: string, message: string, hint?: string): TfbricksError {
  return new TfbricksError('E_MODEL_LOAD', `loadModel "${dir}": ${message}`, { hint });
}

/** Read a manifest's groups, checking paths stay inside `root` and sizes match. */
async function readGroups(dir: string, root: string, groups: unknown, what: string): Promise<Map<string, { entry: WeightEntry; data: Float32Array | Int32Array }>> {
  if (!Array.isArray(groups)) throw loadError(dir, `${what} must be an array`);
  const out = new Map<string, { entry: WeightEntry; data: Float32Array | Int32Array }>();
  for (const [gi, g] of groups.entries()) {
    const group = g as ManifestGroup;
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw loadError(dir, `${what}[${gi}] must have "paths" and "weights" arrays`);
    const buffers: Buffer[] = [];
    for (const p of group.paths) {
      if (typeof p !== 'string' || p === '' || isAbsolute(p) || p.includes('\0')) throw loadError(dir, `${what}[${gi}]: invalid weight path ${JSON.stringify(p)}`);
      const full = resolve(root, p);
      const rel = relative(root, full);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
        throw loadError(dir, `${what}[${gi}]: weight path ${JSON.stringify(p)} points outside the model directory`, 'a model directory may only reference its own files');
      }
      const real = await fs.realpath(full).catch(() => undefined);
      const realRoot = await fs.realpath(root);
      if (!real) throw loadError(dir, `${what}[${gi}]: weight file ${JSON.stringify(p)} is missing`);
      if (!(real + sep).startsWith(realRoot + sep)) throw loadError(dir, `${what}[${gi}]: weight path ${JSON.stringify(p)} resolves outside the model directory`);
      buffers.push(await fs.readFile(full));
    }
    const buf = Buffer.concat(buffers);
    let expected = 0;
    for (const w of group.weights) {
      if (!w || typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0) || (w.dtype !== 'float32' && w.dtype !== 'int32')) {
        throw loadError(dir, `${what}[${gi}]: invalid weight entry ${JSON.stringify(w)}`);
      }
      expected += w.shape.reduce((a, b) => a * b, 1) * 4;
    }
    if (expected !== buf.byteLength) {
      throw loadError(dir, `${what}[${gi}]: the manifest describes ${expected} bytes but ${group.paths.join(', ')} hold ${buf.byteLength}`, 'the save is truncated or corrupt');
    }
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    let offset = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = w.dtype === 'int32' ? new Int32Array(ab, offset, n) : new Float32Array(ab, offset, n);
      offset += n * 4;
      if (out.has(w.name)) throw loadError(dir, `${what}: weight "${w.name}" is listed twice`);
      out.set(w.name, { entry: w, data });
    }
  }
  return out;
}

/**
 * Load a directory written by {@link saveModel}. Validates before trusting: the format, the
 * spec (an unknown layer kind is an error naming it), manifest paths (must stay inside the
 * directory), weight names, shapes and byte sizes against the spec, and NaN/Inf weights.
 * Restores the optimizer's state so training continues exactly where it stopped.
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  let root = resolve(dir);
  if (!(await exists(join(root, MODEL_JSON))) && (await exists(join(`${root}.prev`, MODEL_JSON)))) root = `${root}.prev`;
  let text: string;
  try {
    text = await fs.readFile(join(root, MODEL_JSON), 'utf8');
  } catch (e) {
    throw new TfbricksError('E_MODEL_LOAD', `loadModel: cannot read ${join(dir, MODEL_JSON)}: ${errorMessage(e)}`, { usage: true, cause: e, hint: 'pass a directory written by saveModel' });
  }
  let file: ModelFile;
  try {
    file = JSON.parse(text) as ModelFile;
  } catch (e) {
    throw loadError(dir, `${MODEL_JSON} is not valid JSON: ${errorMessage(e)}`);
  }
  if (!file || file.format !== MODEL_FORMAT) throw loadError(dir, `${MODEL_JSON} "format" must be "${MODEL_FORMAT}", got ${JSON.stringify(file?.format)}`);
  if (file.formatVersion !== MODEL_FORMAT_VERSION) throw loadError(dir, `unsupported formatVersion ${JSON.stringify(file.formatVersion)} (this version reads ${MODEL_FORMAT_VERSION})`);
  const spec = parseModelSpec(file.spec);
  const weights = await readGroups(dir, root, file.weightsManifest, 'weightsManifest');

  const model = buildModel(spec, { fuseActivations: options.fuseActivations });
  try {
    const want = modelWeights(model);
    const wantNames = new Set(want.map((w) => w.name));
    for (const name of weights.keys()) {
      if (!wantNames.has(name)) throw loadError(dir, `weight "${name}" is not in the model's spec`);
    }
    const nonFinite: LoadedModel['nonFinite'] = [];
    for (const { name, variable } of want) {
      const got = weights.get(name);
      if (!got) throw loadError(dir, `weight "${name}" is missing from the manifest`);
      const shape = variable.shape as number[];
      if (got.entry.shape.length !== shape.length || got.entry.shape.some((d, i) => d !== shape[i])) {
        throw loadError(dir, `weight "${name}" has shape [${got.entry.shape.join(', ')}] but the spec needs [${shape.join(', ')}]`);
      }
      if (got.entry.dtype !== 'float32') throw loadError(dir, `weight "${name}" has dtype ${got.entry.dtype}, expected float32`);
      let nan = 0;
      let inf = 0;
      for (const v of got.data) {
        if (Number.isNaN(v)) nan++;
        else if (!Number.isFinite(v)) inf++;
      }
      if (nan || inf) nonFinite.push({ name, nan, inf });
    }
    if (nonFinite.length && !options.allowNonFinite) {
      throw new TfbricksError(
        'E_MODEL_NONFINITE',
        `loadModel "${dir}": non-finite weights: ${nonFinite.map((n) => `${n.name} (${n.nan} NaN, ${n.inf} Inf)`).join(', ')}`,
        { hint: 'the save came from a diverged run; pass { allowNonFinite: true } to load it anyway', details: { nonFinite } },
      );
    }
    for (const { name, variable } of want) {
      const got = weights.get(name)!;
      const t = tfc.tensor(got.data as Float32Array, got.entry.shape, 'float32');
      variable.write(t);
      t.dispose();
    }

    let optimizer: tfc.Optimizer | undefined;
    if (file.optimizer) {
      const o = file.optimizer;
      optimizer = createOptimizer(o.name, o.options);
      const state = await readGroups(dir, root, o.weightsManifest, 'optimizer.weightsManifest');
      const byKeras = new Map(want.map((w) => [w.name, w.variable]));
      const named: { name: string; tensor: tfc.Tensor }[] = [];
      for (const [name, { entry, data }] of state) {
        if (name === 'iter') {
          named.unshift({ name, tensor: tfc.scalar(data[0], 'int32') });
          continue;
        }
        const cut = name.lastIndexOf('/');
        const variable = byKeras.get(name.slice(0, cut));
        if (cut < 0 || !variable) throw loadError(dir, `optimizer state "${name}" belongs to no weight of the model`);
        const shape = variable.shape as number[];
        if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
          throw loadError(dir, `optimizer state "${name}" has shape [${entry.shape.join(', ')}] but its weight has [${shape.join(', ')}]`);
        }
        if ([...data].some((v) => !Number.isFinite(v)) && !options.allowNonFinite) {
          throw new TfbricksError('E_MODEL_NONFINITE', `loadModel "${dir}": optimizer state "${name}" holds NaN/Inf`, { hint: 'pass { allowNonFinite: true } to load it anyway' });
        }
        named.push({ name: `${variable.name}/${name.slice(cut + 1)}`, tensor: tfc.tensor(data, entry.shape, entry.dtype) });
      }
      if (named[0]?.name !== 'iter') throw loadError(dir, 'optimizer state has no "iter" entry');
      await optimizer.setWeights(named);
      named.forEach((n) => n.tensor.dispose());
    }
    return { model, spec, optimizer, metadata: file.metadata ?? {}, nonFinite, loadedFrom: root };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
