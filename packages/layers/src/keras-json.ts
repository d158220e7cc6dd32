import type { JsonValue, LayerSpec, ModelSpec } from '@tfbricks/core';
import { TfbricksError } from '@tfbricks/core';
import type * as tf from '@tensorflow/tfjs-layers';
import { builtSpec } from './build';
import { INITIALIZER_KEYS, fromKerasValue, kerasJsonToSpec, snake, type KerasLayerJson, type KerasModelJson } from './keras-json-read';
import { analyzeSpec, parseModelSpec, type NormalizedModelSpec } from './spec';

export type { KerasLayerJson, KerasModelJson } from './keras-json-read';

function toKerasValue(key: string, value: JsonValue): JsonValue {
  if (INITIALIZER_KEYS.has(key) && typeof value === 'string') return snake(value).replace('le_cun', 'lecun');
  if (key === 'activation' && typeof value === 'string') return snake(value);
  if (key === 'kernelRegularizer' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { class_name: 'L1L2', config: { l1: (value.l1 as number) ?? 0, l2: (value.l2 as number) ?? 0 } };
  }
  return value;
}

/**
 * The spec (or a model's) as Keras' `model.get_config()` JSON: snake_case keys, `class_name`,
 * `batch_input_shape`, `inbound_nodes`. (Not tfjs' `getConfig()`, which is camelCase.)
 */
export function toKerasJson(specOrModel: ModelSpec | tf.LayersModel): KerasModelJson {
  const spec = 'layers' in specOrModel && Array.isArray((specOrModel as ModelSpec).layers) && 'className' in specOrModel && !('getLayer' in specOrModel)
    ? (specOrModel as ModelSpec)
    : specFromModel(specOrModel as tf.LayersModel);
  const a = analyzeSpec(spec);
  const layerJson = (l: LayerSpec): KerasLayerJson => {
    const config: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(l.config)) config[k === 'name' ? 'name' : snake(k)] = toKerasValue(k, v);
    return { class_name: l.className, config };
  };
  if (a.spec.className === 'Sequential') {
    const layers = a.spec.layers.map(layerJson);
    layers[0].config.batch_input_shape = [null, ...a.spec.inputShape];
    return { class_name: 'Sequential', config: { name: a.spec.name, layers }, keras_version: '2.2.4', backend: 'tensorflow' };
  }
  const layers: KerasLayerJson[] = [
    {
      name: a.inputName,
      class_name: 'InputLayer',
      config: { batch_input_shape: [null, ...a.spec.inputShape], dtype: 'float32', sparse: false, name: a.inputName },
      inbound_nodes: [],
    },
    ...a.spec.layers.map((l) => ({
      name: l.config.name as string,
      ...layerJson(l),
      inbound_nodes: [(l.inbound ?? []).map((n) => [n, 0, 0, {}] as [string, number, number, Record<string, never>])],
    })),
  ];
  return {
    class_name: 'Model',
    config: { name: a.spec.name, layers, input_layers: [[a.inputName, 0, 0]], output_layers: a.outputs.map((o) => [o, 0, 0]) },
    keras_version: '2.2.4',
    backend: 'tensorflow',
  };
}

/** Keras' `model.get_config()` / `to_json()` JSON as a normalised spec (the inverse of {@link toKerasJson}). */
export function fromKerasJson(json: unknown): NormalizedModelSpec {
  return parseModelSpec(kerasJsonToSpec(json));
}

/** @deprecated Use {@link toKerasJson} (this is not tfjs' camelCase `getConfig()`). */
export const getConfig = toKerasJson;

/** @deprecated Use {@link fromKerasJson}. */
export const fromConfig = fromKerasJson;

/**
 * The Keras-shaped spec of a model: the spec it was built from by `buildModel`, or one
 * derived from a tfjs model's layers (their kinds must be registered).
 */
export function specFromModel(model: tf.LayersModel): NormalizedModelSpec {
  const own = builtSpec(model);
  if (own) return own;
  // tfjs' own getConfig() uses camelCase (className, inboundNodes, outputLayers).
  const json = model.getConfig() as unknown as {
    layers: { className: string; name?: string; config: Record<string, JsonValue>; inboundNodes?: unknown[][] }[];
    outputLayers?: unknown[][];
  };
  const sequential = !json.outputLayers;
  const layers: LayerSpec[] = [];
  let inputShape: number[] | undefined;
  let inputName = 'input_1';
  for (const raw of json.layers) {
    const l = { class_name: raw.className, config: raw.config, inbound_nodes: raw.inboundNodes, name: String(raw.name ?? raw.config.name) };
    if (l.class_name === 'InputLayer') {
      inputShape = (l.config.batchInputShape as number[]).slice(1);
      inputName = l.name;
      continue;
    }
    if (Array.isArray(l.config.batchInputShape)) inputShape = (l.config.batchInputShape as number[]).slice(1);
    const config: Record<string, JsonValue> = { name: l.name };
    const kernelInit = l.config.kernelInitializer as { className?: string; config?: Record<string, JsonValue> } | undefined;
    for (const [k, v] of Object.entries(l.config)) {
      if (['name', 'trainable', 'dtype', 'batchInputShape', 'dataFormat', 'dilationRate', 'kernelConstraint', 'biasConstraint', 'activityRegularizer', 'biasRegularizer', 'noiseShape', 'seed', 'betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer', 'betaConstraint', 'gammaConstraint', 'betaRegularizer', 'gammaRegularizer', 'inputDType'].includes(k)) continue;
      if (k === 'kernelInitializer' || k === 'biasInitializer') {
        const init = v as { className?: string; config?: Record<string, JsonValue> };
        config[k] = fromKerasValue(`layer "${l.name}"`, k, { class_name: init?.className ?? '', config: init?.config ?? {} });
        continue;
      }
      if (k === 'kernelRegularizer') {
        const r = v as { className?: string; config?: Record<string, JsonValue> } | null;
        config[k] = r ? fromKerasValue(`layer "${l.name}"`, k, { class_name: r.className ?? '', config: r.config ?? {} }) : null;
        continue;
      }
      config[k] = v;
    }
    void kernelInit;
    const spec: LayerSpec = { className: l.class_name, config };
    if (!sequential) {
      const nodes = (l.inbound_nodes ?? []) as [string, number, number, unknown][][];
      if (nodes.length !== 1) throw new TfbricksError('E_MODEL_SPEC', `model "${model.name}": layer "${l.name}" is shared (${nodes.length} calls), which specs cannot express`);
      spec.inbound = nodes[0].map((n) => String(n[0]));
    }
    layers.push(spec);
  }
  if (!inputShape) throw new TfbricksError('E_MODEL_SPEC', `model "${model.name}": no input layer found`);
  if (sequential) return parseModelSpec({ className: 'Sequential', name: model.name, inputShape, layers });
  return parseModelSpec({
    className: 'Functional',
    name: model.name,
    inputShape,
    inputName,
    layers,
    outputs: json.outputLayers!.map((o) => String(o[0])),
  });
}
