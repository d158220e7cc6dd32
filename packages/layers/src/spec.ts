import type { JsonValue, LayerSpec, ModelSpec } from '@tfbricks/core';
import { TfbricksError, checkDeclaredSize, echo } from '@tfbricks/core';
import { kerasSnakeCase, specError } from './config-reader';
import { fromConfig } from './config';
import { getLayerKind } from './kinds';

/**
 * core's {@link ModelSpec}, plus the functional input's name (Keras' `input_1` by default).
 */
export interface ModelSpecEx extends ModelSpec {
  inputName?: string;
}

/** One layer after analysis: resolved inputs, shapes (without batch) and parameter counts. */
export interface LayerInfo {
  name: string;
  className: string;
  config: LayerSpec['config'];
  /** Names of the layers (or the model input) feeding this one. */
  inputs: string[];
  inputShapes: number[][];
  outputShape: number[];
  trainable: number;
  nonTrainable: number;
}

export interface AnalyzedSpec {
  spec: ModelSpecEx;
  inputName: string;
  layers: LayerInfo[];
  outputs: string[];
  totals: { trainable: number; nonTrainable: number; total: number };
  /** Names of layers consuming each layer's output (and the input's). */
  consumers: Map<string, string[]>;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * Bounds on what a spec may declare, checked by {@link analyzeSpec} before anything is built:
 * a hostile or mistyped spec (`units: 60000000`, `inputShape: [100000, 100000, 3]`) is refused
 * instead of allocating gigabytes. Activations are per sample (without the batch dimension).
 */
export const SPEC_LIMITS = {
  /** Most layers in one spec. */
  maxLayers: 10_000,
  /** Largest input or layer output, in elements per sample (2^26: a 4096x4096x4 image). */
  maxActivationElements: 2 ** 26,
  /** Most parameters in one model (2^28: 1 GiB of float32 weights). */
  maxParams: 2 ** 28,
} as const;

const LIMIT_HINT = 'a spec may declare at most 2^26 elements per activation and 2^28 parameters (SPEC_LIMITS of @tfbricks/layers)';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

function fail(message: string, hint?: string): never {
  throw new TfbricksError('E_MODEL_SPEC', `model spec: ${message}`, { usage: true, hint });
}

/**
 * Validate a model spec (e.g. a parsed JSON file) and return it normalised: every layer
 * named (Keras style `conv2d_1`, …), every config complete with Keras' defaults. Errors
 * name the layer, the key and the value. Also accepts Keras' own `model.to_json()` shape
 * (`{ class_name, config }`), see {@link fromConfig}.
 */
export function parseModelSpec(json: unknown): ModelSpecEx {
  if (isObject(json) && 'class_name' in json) {
    // Keras JSON (config.ts and this module import each other; both only at call time).
    return fromConfig(json);
  }
  if (!isObject(json)) fail(`must be an object, got ${echo(json)}`);
  const allowedTop = ['className', 'name', 'inputShape', 'layers', 'outputs', 'inputName'];
  for (const key of Object.keys(json)) {
    if (!allowedTop.includes(key)) fail(`unknown key "${key}"`, `allowed keys: ${allowedTop.join(', ')}`);
  }
  const className = json.className;
  if (className !== 'Sequential' && className !== 'Functional') {
    fail(`"className" must be "Sequential" or "Functional", got ${echo(className)}`);
  }
  const functional = className === 'Functional';
  const name = json.name ?? (functional ? 'model_1' : 'sequential_1');
  if (typeof name !== 'string' || !NAME_RE.test(name)) fail(`"name" must be an identifier, got ${echo(name)}`);
  const inputShape = json.inputShape;
  if (!Array.isArray(inputShape) || inputShape.length === 0 || inputShape.length > 8 || !inputShape.every((d) => Number.isInteger(d) && (d as number) >= 1)) {
    fail(`"inputShape" must be a non-empty array of at most 8 positive integers (without the batch dimension), got ${echo(inputShape)}`);
  }
  checkDeclaredSize(`model spec "inputShape" [${(inputShape as number[]).join(', ')}] (elements per sample)`, product(inputShape as number[]), SPEC_LIMITS.maxActivationElements, LIMIT_HINT);
  const inputName = json.inputName ?? 'input_1';
  if (typeof inputName !== 'string' || !NAME_RE.test(inputName)) fail(`"inputName" must be an identifier, got ${echo(inputName)}`);
  if (!functional && json.inputName !== undefined) fail('"inputName" is only allowed in Functional specs');
  const rawLayers = json.layers;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) fail(`"layers" must be a non-empty array, got ${echo(rawLayers)}`);
  if (rawLayers.length > SPEC_LIMITS.maxLayers) fail(`"layers" holds ${rawLayers.length} layers; the limit is ${SPEC_LIMITS.maxLayers}`);

  // Names: explicit ones first, then Keras-style per-kind counters for the rest.
  const used = new Set<string>(functional ? [inputName] : []);
  rawLayers.forEach((l, i) => {
    if (!isObject(l)) fail(`layers[${i}] must be an object, got ${echo(l)}`);
    const cfg = l.config;
    if (cfg !== undefined && !isObject(cfg)) fail(`layers[${i}] (${String(l.className)}): "config" must be an object, got ${echo(cfg)}`);
    const n = (cfg as Record<string, unknown> | undefined)?.name;
    if (n !== undefined) {
      if (typeof n !== 'string' || !NAME_RE.test(n)) fail(`layers[${i}] (${String(l.className)}): "name" must be an identifier (letters, digits, _ . -), got ${echo(n)}`);
      if (used.has(n)) fail(`layers[${i}]: duplicate layer name "${n}"`);
      used.add(n);
    }
  });
  const counters = new Map<string, number>();
  const layers: LayerSpec[] = rawLayers.map((raw, i) => {
    const l = raw as Record<string, unknown>;
    for (const key of Object.keys(l)) {
      if (!['className', 'config', 'inbound'].includes(key)) fail(`layers[${i}]: unknown key "${key}"`, 'allowed keys: className, config, inbound');
    }
    if (typeof l.className !== 'string') fail(`layers[${i}]: "className" must be a string, got ${echo(l.className)}`);
    const kind = getLayerKind(l.className, `model spec layers[${i}]`);
    const cfg = { ...((l.config as Record<string, JsonValue> | undefined) ?? {}) };
    if (cfg.name === undefined) {
      const base = kerasSnakeCase(l.className);
      let n = counters.get(base) ?? 0;
      let candidate: string;
      do candidate = `${base}_${++n}`;
      while (used.has(candidate));
      counters.set(base, n);
      used.add(candidate);
      cfg.name = candidate;
    }
    const where = `layer "${cfg.name as string}" (${l.className})`;
    let config: LayerSpec['config'];
    if (kind.normalize) config = { name: cfg.name, ...kind.normalize(cfg, where) };
    else {
      kind.validate?.(cfg);
      config = cfg;
    }
    const out: LayerSpec = { className: l.className, config };
    if (functional) {
      const inbound = l.inbound;
      if (!Array.isArray(inbound) || inbound.length === 0 || !inbound.every((x) => typeof x === 'string')) {
        throw specError(where, `"inbound" must be a non-empty array of layer names in a Functional spec, got ${echo(inbound)}`);
      }
      out.inbound = [...(inbound as string[])];
    } else if (l.inbound !== undefined) {
      throw specError(where, '"inbound" is only allowed in Functional specs (a Sequential layer takes the previous layer)');
    }
    return out;
  });
  const spec: ModelSpecEx = { className, name, inputShape: [...(inputShape as number[])], layers };
  if (functional) {
    spec.inputName = inputName;
    const outputs = json.outputs ?? [layers[layers.length - 1].config.name as string];
    if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((o) => typeof o === 'string')) {
      fail(`"outputs" must be a non-empty array of layer names, got ${echo(outputs)}`);
    }
    spec.outputs = [...(outputs as string[])];
  } else if (json.outputs !== undefined) {
    fail('"outputs" is only allowed in Functional specs');
  }
  analyzeSpec(spec, true);
  return spec;
}

/**
 * Resolve inputs, infer shapes and count parameters. `trusted`: the spec is already
 * normalised (skip {@link parseModelSpec}).
 */
export function analyzeSpec(specIn: ModelSpec, trusted = false): AnalyzedSpec {
  const spec: ModelSpecEx = trusted ? specIn : parseModelSpec(specIn);
  const functional = spec.className === 'Functional';
  const inputName = functional ? (spec.inputName ?? 'input_1') : 'input';
  const shapes = new Map<string, number[]>([[inputName, spec.inputShape]]);
  const consumers = new Map<string, string[]>([[inputName, []]]);
  const infos: LayerInfo[] = [];
  let prev = inputName;
  for (const layer of spec.layers) {
    const name = layer.config.name as string;
    const kind = getLayerKind(layer.className, `layer "${name}"`);
    const where = `layer "${name}" (${layer.className})`;
    const inputs = functional ? (layer.inbound ?? []) : [prev];
    for (const src of inputs) {
      if (!shapes.has(src)) {
        throw specError(where, `"inbound" names "${src}", which is not the input or an earlier layer`, 'list layers in topological order');
      }
    }
    const [lo, hi] = kind.arity ?? [1, 1];
    if (inputs.length < lo || inputs.length > hi) {
      throw specError(where, `takes ${lo === hi ? lo : `${lo} to ${hi}`} input(s), got ${inputs.length} (${inputs.join(', ')})`);
    }
    const inputShapes = inputs.map((s) => shapes.get(s)!);
    const outputShape = kind.outputShape(layer.config, inputShapes);
    if (!Array.isArray(outputShape) || outputShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw specError(where, `computed an invalid output shape ${echo(outputShape)}`);
    }
    checkDeclaredSize(`${where}: its output [${outputShape.join(', ')}] (elements per sample)`, product(outputShape), SPEC_LIMITS.maxActivationElements, LIMIT_HINT);
    const { trainable, nonTrainable } = kind.paramCount(layer.config, inputShapes);
    checkDeclaredSize(`${where}: its parameter count`, trainable + nonTrainable, SPEC_LIMITS.maxParams, LIMIT_HINT);
    shapes.set(name, outputShape);
    consumers.set(name, []);
    for (const src of inputs) consumers.get(src)!.push(name);
    infos.push({ name, className: layer.className, config: layer.config, inputs, inputShapes, outputShape, trainable, nonTrainable });
    prev = name;
  }
  const outputs = functional ? (spec.outputs ?? [prev]) : [prev];
  for (const o of outputs) {
    if (!shapes.has(o) || o === inputName) fail(`"outputs" names "${o}", which is not a layer`);
  }
  const trainable = infos.reduce((a, l) => a + l.trainable, 0);
  const nonTrainable = infos.reduce((a, l) => a + l.nonTrainable, 0);
  checkDeclaredSize(`model "${spec.name}": its parameter count`, trainable + nonTrainable, SPEC_LIMITS.maxParams, LIMIT_HINT);
  return { spec, inputName, layers: infos, outputs, totals: { trainable, nonTrainable, total: trainable + nonTrainable }, consumers };
}
