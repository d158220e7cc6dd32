import type { ModelSpec } from '@tfbricks/core';
import { Rng, TfbricksError } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-layers';
import { getLayerKind, type CreateContext } from './kinds';
import { analyzeSpec, type AnalyzedSpec, type NormalizedModelSpec } from './spec';

export interface BuildOptions {
  /**
   * Build `Conv2D`/`Dense` followed by `Activation('relu')` as one layer with the ReLU inside,
   * so tfjs runs its fused conv+bias+activation kernel (default true). The `Activation` layer
   * stays in the model as the identity, so names, structure and weights are unchanged.
   */
  fuseActivations?: boolean;
  /** Seed for deterministic initial weights (same seed, same spec: same weights on every backend). */
  seed?: number;
}

interface BuiltInfo {
  spec: NormalizedModelSpec;
  /** `[producer, activation]` layer-name pairs built fused. */
  fused: [string, string][];
}

const built = new WeakMap<object, BuiltInfo>();

/** Pairs (producer → Activation relu) that can be fused without changing the model. */
function pairsToFuse(a: AnalyzedSpec): [string, string][] {
  const byName = new Map(a.layers.map((l) => [l.name, l]));
  const pairs: [string, string][] = [];
  for (const l of a.layers) {
    if (l.className !== 'Activation' || l.config.activation !== 'relu' || l.inputs.length !== 1) continue;
    const producer = byName.get(l.inputs[0]);
    if (!producer || (producer.className !== 'Conv2D' && producer.className !== 'Dense')) continue;
    if (producer.config.activation !== 'linear') continue;
    if (a.outputs.includes(producer.name)) continue;
    const consumers = a.consumers.get(producer.name) ?? [];
    if (consumers.length !== 1) continue;
    pairs.push([producer.name, l.name]);
  }
  return pairs;
}

/**
 * Build a tfjs `LayersModel` from a Keras-shaped spec. The model's layers carry the spec's
 * Keras names (`conv2d_1`, …); `specFromModel(model)` returns the spec.
 */
export function buildModel(spec: ModelSpec, options: BuildOptions = {}): tf.LayersModel {
  if (options.seed !== undefined && (!Number.isInteger(options.seed) || !Number.isFinite(options.seed))) {
    throw new TfbricksError('E_USAGE', `buildModel: "seed" must be an integer, got ${String(options.seed)}`, { usage: true });
  }
  const a = analyzeSpec(spec);
  const fuse = options.fuseActivations ?? true;
  const pairs = fuse ? pairsToFuse(a) : [];
  const fusedProducers = new Set(pairs.map((p) => p[0]));
  const identities = new Set(pairs.map((p) => p[1]));
  const rng = options.seed === undefined ? undefined : new Rng(options.seed);

  const input = tf.input({ shape: a.spec.inputShape, name: a.inputName });
  const tensors = new Map<string, tf.SymbolicTensor>([[a.inputName, input]]);
  for (const l of a.layers) {
    const kind = getLayerKind(l.className, `layer "${l.name}"`);
    const ctx: CreateContext = {};
    if (rng) ctx.seed = rng.nextUint32();
    if (fusedProducers.has(l.name)) ctx.fusedActivation = 'relu';
    if (identities.has(l.name)) ctx.identity = true;
    const layer = kind.create(l.config, ctx) as tf.layers.Layer;
    if (!layer || typeof (layer as { apply?: unknown }).apply !== 'function') {
      throw new TfbricksError('E_LAYER_KIND', `layer kind "${l.className}": create() must return a tfjs-layers Layer (layer "${l.name}")`);
    }
    if (layer.name !== l.name) {
      throw new TfbricksError('E_LAYER_KIND', `layer kind "${l.className}": create() must name the layer "${l.name}" (config.name), got "${layer.name}"`);
    }
    const ins = l.inputs.map((n) => tensors.get(n)!);
    const out = layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor;
    tensors.set(l.name, out);
  }
  const outputs = a.outputs.map((o) => tensors.get(o)!);
  const model = tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] : outputs, name: a.spec.name });
  built.set(model, { spec: a.spec, fused: pairs });
  return model;
}

/** The spec a model was built from by {@link buildModel}, if it was. */
export function builtSpec(model: tf.LayersModel): NormalizedModelSpec | undefined {
  return built.get(model)?.spec;
}

/**
 * The `[producer, activation]` layer pairs built as one fused layer: for a model, those
 * {@link buildModel} fused in it (empty if none, e.g. `fuseActivations: false` or a model
 * built elsewhere); for a spec, those `buildModel(spec)` fuses by default.
 */
export function fusedPairs(specOrModel: ModelSpec | tf.LayersModel): [string, string][] {
  if (isSpec(specOrModel)) return pairsToFuse(analyzeSpec(specOrModel));
  return built.get(specOrModel)?.fused.map((p) => [p[0], p[1]] as [string, string]) ?? [];
}

function isSpec(x: ModelSpec | tf.LayersModel): x is ModelSpec {
  return !(x instanceof tf.LayersModel) && typeof (x as ModelSpec).className === 'string' && Array.isArray((x as ModelSpec).layers);
}

/** @deprecated Use {@link fusedPairs} with the spec. */
export function fusablePairs(a: AnalyzedSpec): [string, string][] {
  return pairsToFuse(a);
}
