import type { LayerKindPlugin } from '@tfbricks/core';
import { TfbricksError, echo } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-layers';
import { ConfigReader, specError, type LayerConfig } from './config-reader';
import { fusedLayerClasses } from './fused';

type TfLayer = tf.layers.Layer;

/** What `create` may receive from {@link buildModel} besides the config. */
export interface CreateContext {
  /** Seed for this layer's initializers (deterministic init). */
  seed?: number;
  /** Build the layer with this activation inside it (fused kernel), instead of the config's. */
  fusedActivation?: 'relu';
  /** Build an Activation layer as the identity (its work was fused into the previous layer). */
  identity?: boolean;
}

/**
 * A layer kind: core's {@link LayerKindPlugin} for tfjs-layers, plus optional config
 * normalisation (Keras defaults) and input arity.
 */
export interface LayerKind extends LayerKindPlugin<TfLayer> {
  /** Validate and fill defaults; `where` names the layer in errors. */
  normalize?(config: LayerConfig, where: string): LayerConfig;
  /** Number of inputs allowed: `[min, max]` (default `[1, 1]`). */
  readonly arity?: readonly [number, number];
  /** Names of the layer's weights in Keras order, e.g. `['kernel', 'bias']`. */
  weightNames?(config: LayerConfig): string[];
  create(config: LayerConfig, context?: CreateContext): TfLayer;
}

function initializer(id: string, seed: number | undefined, which: number): ReturnType<typeof tf.initializers.zeros> {
  const s = seed === undefined ? undefined : (seed + which * 7919) >>> 0;
  switch (id) {
    case 'zeros':
      return tf.initializers.zeros();
    case 'ones':
      return tf.initializers.ones();
    case 'glorotUniform':
      return tf.initializers.glorotUniform({ seed: s });
    case 'glorotNormal':
      return tf.initializers.glorotNormal({ seed: s });
    case 'heUniform':
      return tf.initializers.heUniform({ seed: s });
    case 'heNormal':
      return tf.initializers.heNormal({ seed: s });
    case 'leCunUniform':
      return tf.initializers.leCunUniform({ seed: s });
    case 'leCunNormal':
      return tf.initializers.leCunNormal({ seed: s });
    default:
      throw new TfbricksError('E_MODEL_SPEC', `unknown initializer "${id}"`, { usage: true });
  }
}

function regularizer(r: unknown): ReturnType<typeof tf.regularizers.l1l2> | undefined {
  if (r === null || r === undefined) return undefined;
  const { l1, l2 } = r as { l1: number; l2: number };
  if (l1 === 0 && l2 === 0) return undefined;
  return tf.regularizers.l1l2({ l1, l2 });
}

function rank3(where: string, shape: number[]): [number, number, number] {
  if (shape.length !== 3) throw specError(where, `expects an input of shape [height, width, channels], got [${shape.join(', ')}]`);
  return shape as [number, number, number];
}

function windowOut(size: number, k: number, stride: number, padding: string): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.ceil((size - k + 1) / stride);
}

const str = (c: LayerConfig, k: string) => c[k] as string;
const pair = (c: LayerConfig, k: string) => c[k] as [number, number];
const name = (c: LayerConfig) => c.name as string;
const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/** Arguments Conv2D and Dense share: activation (or the fused one), bias, initializers, regularizer. */
function kernelLayerArgs(c: LayerConfig, ctx: CreateContext) {
  return {
    activation: (ctx.fusedActivation ?? str(c, 'activation')) as never,
    useBias: c.useBias as boolean,
    kernelInitializer: initializer(str(c, 'kernelInitializer'), ctx.seed, 1),
    biasInitializer: initializer(str(c, 'biasInitializer'), ctx.seed, 2),
    kernelRegularizer: regularizer(c.kernelRegularizer),
  };
}

const conv2d: LayerKind = {
  className: 'Conv2D',
  normalize(config, where) {
    const r = new ConfigReader(where, config);
    r.int('filters', undefined);
    r.pair('kernelSize', null);
    r.pair('strides', [1, 1]);
    r.oneOf('padding', 'valid', ['valid', 'same']);
    r.activation('activation', 'linear');
    r.bool('useBias', true);
    r.initializer('kernelInitializer', 'glorotUniform');
    r.initializer('biasInitializer', 'zeros');
    r.regularizer('kernelRegularizer');
    return r.done();
  },
  outputShape(c, [input]) {
    const [h, w] = rank3(`layer "${name(c)}" (Conv2D)`, input);
    const [kh, kw] = pair(c, 'kernelSize');
    const [sh, sw] = pair(c, 'strides');
    const oh = windowOut(h, kh, sh, str(c, 'padding'));
    const ow = windowOut(w, kw, sw, str(c, 'padding'));
    if (oh < 1 || ow < 1) throw specError(`layer "${name(c)}" (Conv2D)`, `kernelSize [${kh}, ${kw}] is larger than its input [${h}, ${w}] with padding "valid"`);
    return [oh, ow, c.filters as number];
  },
  paramCount(c, [input]) {
    const [kh, kw] = pair(c, 'kernelSize');
    const inC = input[input.length - 1];
    const f = c.filters as number;
    return { trainable: kh * kw * inC * f + (c.useBias ? f : 0), nonTrainable: 0 };
  },
  weightNames: (c) => (c.useBias ? ['kernel', 'bias'] : ['kernel']),
  create(c, ctx = {}) {
    const args = {
      name: name(c),
      filters: c.filters as number,
      kernelSize: pair(c, 'kernelSize'),
      strides: pair(c, 'strides'),
      padding: str(c, 'padding') as 'valid' | 'same',
      ...kernelLayerArgs(c, ctx),
    };
    return ctx.fusedActivation === 'relu' ? new (fusedLayerClasses().Conv2D)(args) : tf.layers.conv2d(args);
  },
};

const dense: LayerKind = {
  className: 'Dense',
  normalize(config, where) {
    const r = new ConfigReader(where, config);
    r.int('units', undefined);
    r.activation('activation', 'linear');
    r.bool('useBias', true);
    r.initializer('kernelInitializer', 'glorotUniform');
    r.initializer('biasInitializer', 'zeros');
    r.regularizer('kernelRegularizer');
    return r.done();
  },
  outputShape(c, [input]) {
    if (input.length < 1) throw specError(`layer "${name(c)}" (Dense)`, 'expects an input with at least one dimension');
    return [...input.slice(0, -1), c.units as number];
  },
  paramCount(c, [input]) {
    const u = c.units as number;
    return { trainable: input[input.length - 1] * u + (c.useBias ? u : 0), nonTrainable: 0 };
  },
  weightNames: (c) => (c.useBias ? ['kernel', 'bias'] : ['kernel']),
  create(c, ctx = {}) {
    const args = {
      name: name(c),
      units: c.units as number,
      ...kernelLayerArgs(c, ctx),
    };
    return ctx.fusedActivation === 'relu' ? new (fusedLayerClasses().Dense)(args) : tf.layers.dense(args);
  },
};

const activation: LayerKind = {
  className: 'Activation',
  normalize(config, where) {
    const r = new ConfigReader(where, config);
    r.activation('activation', 'linear');
    return r.done();
  },
  outputShape: (_c, [input]) => input,
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  create(c, ctx = {}) {
    return tf.layers.activation({ name: name(c), activation: (ctx.identity ? 'linear' : str(c, 'activation')) as never });
  },
};

function pooling(className: 'MaxPooling2D' | 'AveragePooling2D'): LayerKind {
  return {
    className,
    normalize(config, where) {
      const r = new ConfigReader(where, config);
      const pool = r.pair('poolSize', [2, 2]);
      const strides = r.pairOrNull('strides');
      r.out.strides = strides ?? pool;
      r.oneOf('padding', 'valid', ['valid', 'same']);
      return r.done();
    },
    outputShape(c, [input]) {
      const [h, w, ch] = rank3(`layer "${name(c)}" (${className})`, input);
      const [ph, pw] = pair(c, 'poolSize');
      const [sh, sw] = pair(c, 'strides');
      const oh = windowOut(h, ph, sh, str(c, 'padding'));
      const ow = windowOut(w, pw, sw, str(c, 'padding'));
      if (oh < 1 || ow < 1) throw specError(`layer "${name(c)}" (${className})`, `poolSize [${ph}, ${pw}] is larger than its input [${h}, ${w}]`);
      return [oh, ow, ch];
    },
    paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
    create(c) {
      const args = { name: name(c), poolSize: pair(c, 'poolSize'), strides: pair(c, 'strides'), padding: str(c, 'padding') as 'valid' | 'same' };
      return className === 'MaxPooling2D' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
    },
  };
}

function globalPooling(className: 'GlobalMaxPooling2D' | 'GlobalAveragePooling2D'): LayerKind {
  return {
    className,
    normalize: (config, where) => new ConfigReader(where, config).done(),
    outputShape(c, [input]) {
      return [rank3(`layer "${name(c)}" (${className})`, input)[2]];
    },
    paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
    create(c) {
      return className === 'GlobalMaxPooling2D' ? tf.layers.globalMaxPooling2d({ name: name(c) }) : tf.layers.globalAveragePooling2d({ name: name(c) });
    },
  };
}

const dropout: LayerKind = {
  className: 'Dropout',
  normalize(config, where) {
    const r = new ConfigReader(where, config);
    r.num('rate', NaN, 0, 1, false);
    return r.done();
  },
  outputShape: (_c, [input]) => input,
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  create: (c) => tf.layers.dropout({ name: name(c), rate: c.rate as number }),
};

const flatten: LayerKind = {
  className: 'Flatten',
  normalize: (config, where) => new ConfigReader(where, config).done(),
  outputShape: (_c, [input]) => [product(input)],
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  create: (c) => tf.layers.flatten({ name: name(c) }),
};

const zeroPadding2d: LayerKind = {
  className: 'ZeroPadding2D',
  normalize(config, where) {
    const r = new ConfigReader(where, config);
    const raw = config.padding ?? 1;
    let p: [[number, number], [number, number]] | undefined;
    const okInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
    if (okInt(raw)) p = [[raw, raw], [raw, raw]];
    else if (Array.isArray(raw) && raw.length === 2 && raw.every(okInt)) p = [[raw[0] as number, raw[0] as number], [raw[1] as number, raw[1] as number]];
    else if (Array.isArray(raw) && raw.length === 2 && raw.every((x) => Array.isArray(x) && x.length === 2 && x.every(okInt))) p = raw as [[number, number], [number, number]];
    if (!p) throw specError(where, `"padding" must be an integer >= 0, [rows, cols] or [[top, bottom], [left, right]], got ${echo(raw)}`);
    r.mark('padding');
    r.out.padding = p;
    return r.done();
  },
  outputShape(c, [input]) {
    const [h, w, ch] = rank3(`layer "${name(c)}" (ZeroPadding2D)`, input);
    const [[t, b], [l, r]] = c.padding as [[number, number], [number, number]];
    return [h + t + b, w + l + r, ch];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  create: (c) => tf.layers.zeroPadding2d({ name: name(c), padding: c.padding as [[number, number], [number, number]] }),
};

const batchNormalization: LayerKind = {
  className: 'BatchNormalization',
  normalize(config, where) {
    const r = new ConfigReader(where, config);
    const axis = config.axis ?? -1;
    if (axis !== -1) throw specError(where, `"axis" must be -1 (channels last), got ${echo(axis)}`);
    r.int('axis', -1, -1);
    r.num('momentum', 0.99, 0, 1);
    r.num('epsilon', 1e-3, 0, Infinity);
    r.bool('center', true);
    r.bool('scale', true);
    return r.done();
  },
  outputShape: (_c, [input]) => input,
  paramCount(c, [input]) {
    const ch = input[input.length - 1];
    return { trainable: ch * ((c.center ? 1 : 0) + (c.scale ? 1 : 0)), nonTrainable: 2 * ch };
  },
  weightNames: (c) => [...(c.scale ? ['gamma'] : []), ...(c.center ? ['beta'] : []), 'moving_mean', 'moving_variance'],
  create: (c) =>
    tf.layers.batchNormalization({
      name: name(c),
      axis: -1,
      momentum: c.momentum as number,
      epsilon: c.epsilon as number,
      center: c.center as boolean,
      scale: c.scale as boolean,
    }),
};

const add: LayerKind = {
  className: 'Add',
  arity: [2, Infinity],
  normalize: (config, where) => new ConfigReader(where, config).done(),
  outputShape(c, inputs) {
    const first = inputs[0];
    for (const s of inputs) {
      if (s.length !== first.length || s.some((d, i) => d !== first[i])) {
        throw specError(`layer "${name(c)}" (Add)`, `inputs must have equal shapes, got ${inputs.map((x) => `[${x.join(', ')}]`).join(' and ')}`);
      }
    }
    return first;
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  create: (c) => tf.layers.add({ name: name(c) }),
};

const BUILTINS: LayerKind[] = [
  conv2d,
  activation,
  pooling('MaxPooling2D'),
  pooling('AveragePooling2D'),
  dropout,
  globalPooling('GlobalMaxPooling2D'),
  globalPooling('GlobalAveragePooling2D'),
  dense,
  flatten,
  zeroPadding2d,
  batchNormalization,
  add,
];

const kinds = new Map<string, LayerKind>(BUILTINS.map((k) => [k.className, k]));
const builtinNames = new Set(BUILTINS.map((k) => k.className));

/**
 * Register a custom layer kind (core's {@link LayerKindPlugin}). Its `create` must return
 * a tfjs-layers `Layer`. Re-registering a built-in kind is an error; re-registering a
 * custom kind replaces it only with `{ replace: true }`.
 */
export function registerLayerKind(plugin: LayerKindPlugin<unknown>, options: { replace?: boolean } = {}): void {
  const className = plugin?.className;
  if (typeof className !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(className)) {
    throw new TfbricksError('E_LAYER_KIND', `layer kind plugin className must be an identifier, got ${echo(className)}`, { usage: true });
  }
  for (const fn of ['outputShape', 'paramCount', 'create'] as const) {
    if (typeof plugin[fn] !== 'function') {
      throw new TfbricksError('E_LAYER_KIND', `layer kind "${className}" must implement ${fn}()`, { usage: true });
    }
  }
  if (builtinNames.has(className)) {
    throw new TfbricksError('E_LAYER_KIND', `layer kind "${className}" is built in and cannot be replaced`, { usage: true });
  }
  if (kinds.has(className) && !options.replace) {
    throw new TfbricksError('E_LAYER_KIND', `layer kind "${className}" is already registered`, {
      usage: true,
      hint: 'pass { replace: true } to replace it',
    });
  }
  kinds.set(className, plugin as LayerKind);
}

/** Remove a custom layer kind (built-ins cannot be removed). Returns whether it was registered. */
export function unregisterLayerKind(className: string): boolean {
  if (builtinNames.has(className)) return false;
  return kinds.delete(className);
}

/** The kind for `className`, or a usage error naming it and listing the known kinds. */
export function getLayerKind(className: string, where = 'model spec'): LayerKind {
  const kind = kinds.get(className);
  if (!kind) {
    throw new TfbricksError('E_LAYER_KIND_UNKNOWN', `${where}: unknown layer kind ${echo(className)}`, {
      usage: true,
      hint: `known kinds: ${listLayerKinds().join(', ')}; register others with registerLayerKind()`,
      details: { className },
    });
  }
  return kind;
}

/** Class names of every registered layer kind. */
export function listLayerKinds(): string[] {
  return [...kinds.keys()];
}
