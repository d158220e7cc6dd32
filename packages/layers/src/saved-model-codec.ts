import type { ModelSpec } from '@tfbricks/core';
import { TfbricksError, echo, errorMessage, parseJsonBounded } from '@tfbricks/core';
import * as tfc from '@tensorflow/tfjs-core';
import type * as tf from '@tensorflow/tfjs-layers';
import { buildModel } from './build';
import { getConfig, specFromModel } from './config';
import { createOptimizer, describeOptimizer, type OptimizerName, type OptimizerOptions } from './optimizer';
import { analyzeSpec, parseModelSpec, type ModelSpecEx } from './spec';

export const MODEL_FORMAT = 'tfbricks-layers-model';
export const MODEL_FORMAT_VERSION = 1;
/** The saved model's description file (spec, manifest, metadata). */
export const MODEL_JSON = 'model.json';
/** Largest model.json accepted, in characters. */
export const MAX_MODEL_JSON_LENGTH = 32 * 1024 * 1024;
/** Deepest JSON nesting accepted in model.json. */
export const MAX_MODEL_JSON_DEPTH = 64;

/** A saved model as in-memory files: `model.json` (text), `weights.bin`, `optimizer.bin`. */
export type SavedModelFiles = Record<string, Uint8Array | string>;

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

export interface DecodedModel {
  model: tf.LayersModel;
  spec: ModelSpec;
  optimizer?: tfc.Optimizer;
  metadata: Record<string, unknown>;
  /** Weights holding NaN or ±Inf (only with `allowNonFinite`), with counts. */
  nonFinite: { name: string; nan: number; inf: number }[];
}

/** What model.json promises, validated without building anything or reading any weight file. */
export interface SavedModelDescription {
  spec: ModelSpecEx;
  metadata: Record<string, unknown>;
  /** Every weight file the manifests name, with the exact byte count they declare for it. */
  files: { path: string; bytes: number }[];
  /** The parsed file (validated). @internal */
  file: ModelFile;
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

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

async function encodeOptimizer(
  optimizer: tfc.Optimizer,
  model: tf.LayersModel,
  weights: { name: string; variable: tf.LayerVariable }[],
): Promise<{ bin: Uint8Array; entry: NonNullable<ModelFile['optimizer']> }> {
  const desc = describeOptimizer(optimizer);
  if (!desc) {
    throw new TfbricksError('E_USAGE', `saveModel: optimizer ${optimizer.getClassName()} was not made by createOptimizer()`, {
      usage: true,
      hint: 'create it with createOptimizer(name, options) so it can be recreated on load',
    });
  }
  const byVar = new Map(weights.map((w) => [w.variable.name, w.name]));
  const state = await optimizer.getWeights();
  const entries: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
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
    entries.push({ name: keras, shape: [...tensor.shape], dtype: tensor.dtype === 'int32' ? 'int32' : 'float32' });
    chunks.push(await tensorBytes(tensor.dtype === 'int32' || tensor.dtype === 'float32' ? tensor : tfc.cast(tensor, 'float32')));
  }
  return { bin: concat(chunks), entry: { ...desc, iterations, weightsManifest: [{ paths: ['optimizer.bin'], weights: entries }] } };
}

/**
 * A model (+ optimizer state + metadata) as the files of a saved model, in memory:
 * `model.json` (spec, Keras config, weight manifest, optimizer description, metadata),
 * `weights.bin` and, with an optimizer, `optimizer.bin`. Browser-safe; `saveModel` of
 * `@tfbricks/layers/node` writes these files to a directory.
 */
export async function encodeSavedModel(model: tf.LayersModel, options: SaveOptions = {}): Promise<SavedModelFiles> {
  const spec: ModelSpecEx = options.spec ? parseModelSpec(options.spec) : specFromModel(model);
  const weights = modelWeights(model);
  const chunks: Uint8Array[] = [];
  const entries: WeightEntry[] = [];
  for (const { name, variable } of weights) {
    const t = variable.read();
    entries.push({ name, shape: [...t.shape], dtype: t.dtype as 'float32' });
    chunks.push(await tensorBytes(t));
  }
  const files: SavedModelFiles = { 'weights.bin': concat(chunks) };
  const file: ModelFile = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    spec,
    kerasConfig: getConfig(spec),
    weightsManifest: [{ paths: ['weights.bin'], weights: entries }],
    metadata: options.metadata ?? {},
    savedAt: new Date().toISOString(),
  };
  if (options.optimizer) {
    const { bin, entry } = await encodeOptimizer(options.optimizer, model, weights);
    files['optimizer.bin'] = bin;
    file.optimizer = entry;
  }
  try {
    files[MODEL_JSON] = JSON.stringify(file, null, 2);
  } catch (e) {
    throw new TfbricksError('E_USAGE', `saveModel: metadata is not JSON-serialisable: ${errorMessage(e)}`, { usage: true });
  }
  return files;
}

function loadError(where: string, message: string, hint?: string): TfbricksError {
  return new TfbricksError('E_MODEL_LOAD', `loadModel ${echo(where)}: ${message}`, { usage: true, hint });
}

/** A manifest path is a plain relative name inside the model directory (no `..`, not absolute). */
function checkWeightPath(where: string, what: string, p: unknown): string {
  if (typeof p !== 'string' || p === '' || p.length > 255 || p.includes('\0') || /^([/\\]|[A-Za-z]:)/.test(p)) {
    throw loadError(where, `${what}: invalid weight path ${echo(p)}`, 'weight paths are file names relative to the model directory');
  }
  if (p.split(/[/\\]/).some((s) => s === '..' || s === '.' || s === '')) {
    throw loadError(where, `${what}: weight path ${echo(p)} points outside the model directory`, 'a model directory may only reference its own files');
  }
  return p;
}

const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Structure of one manifest; returns each group's declared byte count (bounded: ≤ what a file may hold). */
function checkManifest(where: string, groups: unknown, what: string): { paths: string[]; bytes: number; weights: WeightEntry[] }[] {
  if (!Array.isArray(groups) || groups.length > 1024) throw loadError(where, `${what} must be an array (of at most 1024 groups)`);
  const seen = new Set<string>();
  return groups.map((g, gi) => {
    const group = g as ManifestGroup;
    if (!group || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights) || group.paths.length === 0) {
      throw loadError(where, `${what}[${gi}] must have "paths" and "weights" arrays`);
    }
    const paths = group.paths.map((p) => checkWeightPath(where, `${what}[${gi}]`, p));
    let bytes = 0;
    for (const w of group.weights) {
      if (
        !w ||
        typeof w.name !== 'string' ||
        w.name.length > 512 ||
        !Array.isArray(w.shape) ||
        w.shape.length > 8 ||
        !w.shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
        (w.dtype !== 'float32' && w.dtype !== 'int32')
      ) {
        throw loadError(where, `${what}[${gi}]: invalid weight entry ${echo(w)}`);
      }
      if (seen.has(w.name)) throw loadError(where, `${what}: weight ${echo(w.name)} is listed twice`);
      seen.add(w.name);
      bytes += elements(w.shape) * 4;
      if (!Number.isSafeInteger(bytes)) throw loadError(where, `${what}[${gi}]: the declared weight sizes overflow`);
    }
    return { paths, bytes, weights: group.weights };
  });
}

/**
 * Every layer's parameter count (from the spec, computed without building anything) must
 * equal what the manifest holds for it: a spec declaring `units: 60000000` against a small
 * weights file is refused here, before a single weight is allocated.
 */
function checkSpecAgainstManifest(where: string, spec: ModelSpecEx, weights: WeightEntry[]): void {
  const held = new Map<string, number>();
  for (const w of weights) {
    const cut = w.name.lastIndexOf('/');
    const layer = cut < 0 ? w.name : w.name.slice(0, cut);
    held.set(layer, (held.get(layer) ?? 0) + elements(w.shape));
  }
  const a = analyzeSpec(spec, true);
  for (const l of a.layers) {
    const want = l.trainable + l.nonTrainable;
    const got = held.get(l.name) ?? 0;
    if (want !== got) {
      throw loadError(where, `layer ${echo(l.name)} (${l.className}) declares ${want} parameters but the weights manifest holds ${got} for it`, 'the spec and the weights do not belong together; the save is corrupt or was edited');
    }
    held.delete(l.name);
  }
  const stray = [...held.keys()][0];
  if (stray !== undefined) throw loadError(where, `weight ${echo(weights.find((w) => w.name.startsWith(`${stray}/`) || w.name === stray)!.name)} is not in the model's spec`);
}

/**
 * Parse and validate a saved model's `model.json` text: bounded in size and depth, the
 * format, the spec (its declared sizes bounded by `analyzeSpec`), manifest paths and entries,
 * and every layer's parameter count against the manifest. Nothing is built or allocated
 * beyond the text itself. `where` names the save in errors.
 */
export function describeSavedModel(text: string, where: string): SavedModelDescription {
  const json = parseJsonBounded(text, {
    what: `${MODEL_JSON} of ${echo(where)}`,
    maxLength: MAX_MODEL_JSON_LENGTH,
    maxDepth: MAX_MODEL_JSON_DEPTH,
    code: 'E_MODEL_LOAD',
    hint: 'pass a directory written by saveModel',
  }) as ModelFile;
  if (!json || typeof json !== 'object' || json.format !== MODEL_FORMAT) throw loadError(where, `${MODEL_JSON} "format" must be "${MODEL_FORMAT}", got ${echo((json as ModelFile | null)?.format)}`);
  if (json.formatVersion !== MODEL_FORMAT_VERSION) throw loadError(where, `unsupported formatVersion ${echo(json.formatVersion)} (this version reads ${MODEL_FORMAT_VERSION})`);
  if (json.metadata !== undefined && (typeof json.metadata !== 'object' || json.metadata === null || Array.isArray(json.metadata))) {
    throw loadError(where, `"metadata" must be an object, got ${echo(json.metadata)}`);
  }
  const spec = parseModelSpec(json.spec);
  const groups = checkManifest(where, json.weightsManifest, 'weightsManifest');
  checkSpecAgainstManifest(where, spec, groups.flatMap((g) => g.weights));
  const optGroups = json.optimizer ? checkManifest(where, json.optimizer.weightsManifest, 'optimizer.weightsManifest') : [];
  const files: { path: string; bytes: number }[] = [];
  for (const g of [...groups, ...optGroups]) {
    // One file per group is what saveModel writes; several are read in order, the last taking the remainder.
    if (g.paths.length !== 1) throw loadError(where, `each manifest group must name exactly one weight file, got ${echo(g.paths)}`);
    if (files.some((f) => f.path === g.paths[0])) throw loadError(where, `weight file ${echo(g.paths[0])} is named by two manifest groups`);
    files.push({ path: g.paths[0], bytes: g.bytes });
  }
  return { spec, metadata: json.metadata ?? {}, files, file: json };
}

type FileSource = SavedModelFiles | Map<string, Uint8Array | string>;

function getFile(files: FileSource, name: string): Uint8Array | string | undefined {
  return files instanceof Map ? files.get(name) : Object.prototype.hasOwnProperty.call(files, name) ? files[name] : undefined;
}

function readGroup(where: string, files: FileSource, groups: ManifestGroup[], what: string): Map<string, { entry: WeightEntry; data: Float32Array | Int32Array }> {
  const out = new Map<string, { entry: WeightEntry; data: Float32Array | Int32Array }>();
  for (const [gi, group] of groups.entries()) {
    const p = group.paths[0];
    const raw = getFile(files, p);
    if (raw === undefined) throw loadError(where, `${what}[${gi}]: weight file ${echo(p)} is missing`);
    const bin = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
    const expected = group.weights.reduce((a, w) => a + elements(w.shape) * 4, 0);
    if (expected !== bin.byteLength) {
      throw loadError(where, `${what}[${gi}]: the manifest describes ${expected} bytes but ${p} holds ${bin.byteLength}`, 'the save is truncated or corrupt');
    }
    const ab = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    let offset = 0;
    for (const w of group.weights) {
      const n = elements(w.shape);
      const data = w.dtype === 'int32' ? new Int32Array(ab, offset, n) : new Float32Array(ab, offset, n);
      offset += n * 4;
      out.set(w.name, { entry: w, data });
    }
  }
  return out;
}

function countNonFinite(data: Float32Array | Int32Array): { nan: number; inf: number } {
  let nan = 0;
  let inf = 0;
  for (const v of data) {
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
  }
  return { nan, inf };
}

const NONFINITE_HINT = 'the save came from a diverged run; load it with { allowNonFinite: true } (library) to inspect it';

async function restoreOptimizer(
  where: string,
  files: FileSource,
  o: NonNullable<ModelFile['optimizer']>,
  want: { name: string; variable: tf.LayerVariable }[],
  allowNonFinite: boolean,
): Promise<tfc.Optimizer> {
  const state = readGroup(where, files, o.weightsManifest, 'optimizer.weightsManifest');
  const byKeras = new Map(want.map((w) => [w.name, w.variable]));
  const named: { name: string; tensor: tfc.Tensor }[] = [];
  for (const [name, { entry, data }] of state) {
    if (name === 'iter') continue;
    const cut = name.lastIndexOf('/');
    const variable = byKeras.get(name.slice(0, cut));
    if (cut < 0 || !variable) throw loadError(where, `optimizer state ${echo(name)} belongs to no weight of the model`);
    const shape = variable.shape as number[];
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw loadError(where, `optimizer state ${echo(name)} has shape [${entry.shape.join(', ')}] but its weight has [${shape.join(', ')}]`);
    }
    const bad = countNonFinite(data);
    if ((bad.nan || bad.inf) && !allowNonFinite) {
      throw new TfbricksError('E_MODEL_NONFINITE', `loadModel ${echo(where)}: optimizer state ${echo(name)} holds NaN/Inf`, { hint: NONFINITE_HINT });
    }
  }
  const iter = state.get('iter');
  if (!iter || iter.data.length !== 1) throw loadError(where, 'optimizer state has no "iter" entry');
  const optimizer = createOptimizer(o.name, o.options);
  named.push({ name: 'iter', tensor: tfc.scalar(iter.data[0], 'int32') });
  for (const [name, { entry, data }] of state) {
    if (name === 'iter') continue;
    const cut = name.lastIndexOf('/');
    const variable = byKeras.get(name.slice(0, cut))!;
    named.push({ name: `${variable.name}/${name.slice(cut + 1)}`, tensor: tfc.tensor(data, entry.shape, entry.dtype) });
  }
  try {
    await optimizer.setWeights(named);
  } finally {
    named.forEach((n) => n.tensor.dispose());
  }
  return optimizer;
}

/**
 * Rebuild a model from the files of a saved model (as {@link encodeSavedModel} makes them,
 * or as a browser reads them from a folder or a zip). Validates before trusting: see
 * {@link describeSavedModel}; then byte sizes, weight names and shapes, NaN/Inf, and the
 * optimizer state. Browser-safe.
 */
export async function decodeSavedModel(files: FileSource, options: LoadOptions & { where?: string } = {}): Promise<DecodedModel> {
  const where = options.where ?? 'saved model';
  const text = getFile(files, MODEL_JSON);
  if (text === undefined) throw loadError(where, `has no ${MODEL_JSON}`, 'pass the files written by saveModel / encodeSavedModel');
  const desc = describeSavedModel(typeof text === 'string' ? text : new TextDecoder().decode(text), where);
  const { file, spec } = desc;
  const weights = readGroup(where, files, file.weightsManifest, 'weightsManifest');
  const model = buildModel(spec, { fuseActivations: options.fuseActivations });
  try {
    const want = modelWeights(model);
    const wantNames = new Set(want.map((w) => w.name));
    for (const name of weights.keys()) {
      if (!wantNames.has(name)) throw loadError(where, `weight ${echo(name)} is not in the model's spec`);
    }
    const nonFinite: DecodedModel['nonFinite'] = [];
    for (const { name, variable } of want) {
      const got = weights.get(name);
      if (!got) throw loadError(where, `weight ${echo(name)} is missing from the manifest`);
      const shape = variable.shape as number[];
      if (got.entry.shape.length !== shape.length || got.entry.shape.some((d, i) => d !== shape[i])) {
        throw loadError(where, `weight "${name}" has shape [${got.entry.shape.join(', ')}] but the spec needs [${shape.join(', ')}]`);
      }
      if (got.entry.dtype !== 'float32') throw loadError(where, `weight ${echo(name)} has dtype ${got.entry.dtype}, expected float32`);
      const { nan, inf } = countNonFinite(got.data);
      if (nan || inf) nonFinite.push({ name, nan, inf });
    }
    if (nonFinite.length && !options.allowNonFinite) {
      throw new TfbricksError(
        'E_MODEL_NONFINITE',
        `loadModel ${echo(where)}: non-finite weights: ${nonFinite.map((n) => `${n.name} (${n.nan} NaN, ${n.inf} Inf)`).join(', ')}`,
        { hint: NONFINITE_HINT, details: { nonFinite } },
      );
    }
    for (const { name, variable } of want) {
      const got = weights.get(name)!;
      const t = tfc.tensor(got.data as Float32Array, got.entry.shape, 'float32');
      variable.write(t);
      t.dispose();
    }
    const optimizer = file.optimizer ? await restoreOptimizer(where, files, file.optimizer, want, options.allowNonFinite ?? false) : undefined;
    return { model, spec, optimizer, metadata: desc.metadata, nonFinite };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
