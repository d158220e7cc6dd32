import type { JsonValue, LayerSpec, ModelSpec } from '@tfbricks/core';
import { TfbricksError, echo } from '@tfbricks/core';
import type * as tf from '@tensorflow/tfjs-layers';
import { builtSpec } from './build';
import { analyzeSpec, parseModelSpec, type ModelSpecEx } from './spec';

/** Keras' `model.get_config()` / `to_json()` shape. */
export interface KerasModelJson {
  class_name: 'Sequential' | 'Functional' | 'Model';
  config: {
    name: string;
    layers: KerasLayerJson[];
    input_layers?: [string, number, number][];
    output_layers?: [string, number, number][];
  };
  keras_version?: string;
  backend?: string;
}

export interface KerasLayerJson {
  class_name: string;
  config: Record<string, JsonValue>;
  name?: string;
  inbound_nodes?: [string, number, number, Record<string, never>][][];
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const INITIALIZER_CLASS: Record<string, string> = {
  glorotUniform: 'GlorotUniform',
  glorotNormal: 'GlorotNormal',
  heUniform: 'HeUniform',
  heNormal: 'HeNormal',
  leCunUniform: 'LecunUniform',
  leCunNormal: 'LecunNormal',
  zeros: 'Zeros',
  ones: 'Ones',
};
const INITIALIZER_KEYS = new Set(['kernelInitializer', 'biasInitializer']);

function toKerasValue(key: string, value: JsonValue): JsonValue {
  if (INITIALIZER_KEYS.has(key) && typeof value === 'string') return snake(value).replace('le_cun', 'lecun');
  if (key === 'activation' && typeof value === 'string') return snake(value);
  if (key === 'kernelRegularizer' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { class_name: 'L1L2', config: { l1: (value.l1 as number) ?? 0, l2: (value.l2 as number) ?? 0 } };
  }
  return value;
}

function fromKerasValue(where: string, key: string, value: JsonValue): JsonValue {
  if (INITIALIZER_KEYS.has(key)) {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.class_name === 'string') {
      const cls = value.class_name;
      const entry = Object.entries(INITIALIZER_CLASS).find(([, c]) => c === cls);
      if (entry) return entry[0];
      const cfg = (value.config ?? {}) as Record<string, JsonValue>;
      if (cls === 'VarianceScaling') {
        const dist = String(cfg.distribution ?? 'truncated_normal').replace('truncated_normal', 'normal');
        const id = `${snake(String(cfg.mode))}/${cfg.scale}/${dist}`;
        const known: Record<string, string> = {
          'fan_avg/1/uniform': 'glorotUniform',
          'fan_avg/1/normal': 'glorotNormal',
          'fan_in/2/uniform': 'heUniform',
          'fan_in/2/normal': 'heNormal',
          'fan_in/1/uniform': 'leCunUniform',
          'fan_in/1/normal': 'leCunNormal',
        };
        if (known[id]) return known[id];
      }
    }
    throw new TfbricksError('E_MODEL_SPEC', `${where}: unsupported "${snake(key)}" ${echo(value)}`, { usage: true });
  }
  if (key === 'kernelRegularizer' && value && typeof value === 'object' && !Array.isArray(value)) {
    const cfg = (value.config ?? {}) as Record<string, JsonValue>;
    if (value.class_name === 'L1L2' || value.class_name === 'L2' || value.class_name === 'L1') {
      return { l1: Number(cfg.l1 ?? 0), l2: Number(cfg.l2 ?? 0) };
    }
    throw new TfbricksError('E_MODEL_SPEC', `${where}: unsupported "kernel_regularizer" ${echo(value)}`, { usage: true });
  }
  return value;
}

/** Keras config keys that carry no information when they hold these values. */
const IGNORABLE: Record<string, JsonValue> = {
  trainable: true,
  dtype: 'float32',
  data_format: 'channels_last',
  dilation_rate: [1, 1],
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
  beta_constraint: null,
  gamma_constraint: null,
  beta_regularizer: null,
  gamma_regularizer: null,
  noise_shape: null,
  seed: null,
  beta_initializer: 'zeros',
  gamma_initializer: 'ones',
  moving_mean_initializer: 'zeros',
  moving_variance_initializer: 'ones',
  groups: 1,
  keepdims: false,
};

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isInitializerDefault(v: JsonValue, def: JsonValue): boolean {
  if (sameJson(v, def)) return true;
  return !!v && typeof v === 'object' && !Array.isArray(v) && snake(String(v.class_name)) === def;
}

/** The spec in Keras' `model.get_config()` JSON shape (snake_case keys). */
export function getConfig(specOrModel: ModelSpec | tf.LayersModel): KerasModelJson {
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

/** Parse Keras' `model.get_config()` / `to_json()` JSON into a normalised {@link ModelSpec}. */
export function fromConfig(json: unknown): ModelSpecEx {
  const j = json as KerasModelJson;
  if (!j || typeof j !== 'object' || !j.config || typeof j.config !== 'object' || !Array.isArray(j.config.layers)) {
    throw new TfbricksError('E_MODEL_SPEC', 'Keras model config: expected { class_name, config: { name, layers: [...] } }', { usage: true });
  }
  const cls = j.class_name;
  if (cls !== 'Sequential' && cls !== 'Model' && cls !== 'Functional') {
    throw new TfbricksError('E_MODEL_SPEC', `Keras model config: "class_name" must be Sequential, Model or Functional, got ${echo(cls)}`, { usage: true });
  }
  let inputShape: number[] | undefined;
  let inputName: string | undefined;
  const layers: LayerSpec[] = [];
  for (const [i, l] of j.config.layers.entries()) {
    const where = `Keras model config layers[${i}] (${String(l?.class_name)})`;
    if (!l || typeof l.class_name !== 'string' || !l.config || typeof l.config !== 'object') {
      throw new TfbricksError('E_MODEL_SPEC', `${where}: expected { class_name, config }`, { usage: true });
    }
    const shape = l.config.batch_input_shape;
    if (Array.isArray(shape)) inputShape = (shape as number[]).slice(1);
    if (l.class_name === 'InputLayer') {
      inputName = String(l.config.name ?? l.name);
      continue;
    }
    const config: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(l.config)) {
      if (k === 'batch_input_shape' || k === 'batch_size') continue;
      if (k in IGNORABLE) {
        const def = IGNORABLE[k];
        if (k.endsWith('_initializer') ? isInitializerDefault(v, def) : sameJson(v, def)) continue;
        throw new TfbricksError('E_MODEL_SPEC', `${where}: unsupported "${k}" ${echo(v)}`, {
          usage: true,
          hint: `only ${JSON.stringify(def)} is supported`,
        });
      }
      const ck = k === 'name' ? 'name' : camel(k);
      config[ck] = fromKerasValue(where, ck, v);
    }
    const spec: LayerSpec = { className: l.class_name, config };
    if (cls !== 'Sequential') {
      const nodes = l.inbound_nodes ?? [];
      if (nodes.length !== 1) {
        throw new TfbricksError('E_MODEL_SPEC', `${where}: shared layers (called ${nodes.length} times) are not supported`, { usage: true });
      }
      spec.inbound = nodes[0].map((n) => String(n[0]));
    }
    layers.push(spec);
  }
  if (!inputShape) throw new TfbricksError('E_MODEL_SPEC', 'Keras model config: no "batch_input_shape" on the first layer', { usage: true });
  const out: Record<string, unknown> = { className: cls === 'Sequential' ? 'Sequential' : 'Functional', name: j.config.name, inputShape, layers };
  if (cls !== 'Sequential') {
    if (inputName) out.inputName = inputName;
    if (Array.isArray(j.config.output_layers)) out.outputs = j.config.output_layers.map((o) => String(o[0]));
  }
  return parseModelSpec(out);
}

/**
 * The Keras-shaped spec of a model: the spec it was built from by `buildModel`, or one
 * derived from a tfjs model's layers (their kinds must be registered).
 */
export function specFromModel(model: tf.LayersModel): ModelSpecEx {
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
