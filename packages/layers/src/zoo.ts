import type { LayerSpec, ModelSpec, ModelZooEntry } from '@tfbricks/core';
import { TfbricksError } from '@tfbricks/core';
import { parseModelSpec } from './spec';

export interface ZooOptions {
  /** Input shape without batch (default `[32, 32, 3]`, CIFAR-10). */
  inputShape?: number[];
  /** Number of classes (default 10). */
  numClasses?: number;
}

const L = (className: string, config: LayerSpec['config'] = {}): LayerSpec => ({ className, config });
const conv = (filters: number, padding: 'same' | 'valid' = 'same'): LayerSpec => L('Conv2D', { filters, kernelSize: [3, 3], padding });
const act = (activation: string): LayerSpec => L('Activation', { activation });

function options(o: ZooOptions = {}): { inputShape: number[]; numClasses: number } {
  const numClasses = o.numClasses ?? 10;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new TfbricksError('E_USAGE', `model zoo: "numClasses" must be a positive integer, got ${String(o.numClasses)}`, { usage: true });
  }
  return { inputShape: o.inputShape ?? [32, 32, 3], numClasses };
}

/** The tutorial's model: 15 Conv2D + 17 Activation, 4 Dropout(0.25), 1,071,542 params on CIFAR-10. */
function kerasCifar10Deep(o?: ZooOptions): ModelSpec {
  const { inputShape, numClasses } = options(o);
  const layers: LayerSpec[] = [];
  const convRelu = (f: number) => layers.push(conv(f), act('relu'));
  [32, 32, 32, 48, 48].forEach(convRelu);
  layers.push(L('MaxPooling2D', { poolSize: [2, 2] }), L('Dropout', { rate: 0.25 }));
  for (let i = 0; i < 5; i++) convRelu(80);
  layers.push(L('MaxPooling2D', { poolSize: [2, 2] }), L('Dropout', { rate: 0.25 }));
  for (let i = 0; i < 5; i++) convRelu(128);
  layers.push(L('GlobalMaxPooling2D'), L('Dropout', { rate: 0.25 }));
  layers.push(L('Dense', { units: 500 }), act('relu'), L('Dropout', { rate: 0.25 }));
  layers.push(L('Dense', { units: numClasses }), act('softmax'));
  return parseModelSpec({ className: 'Sequential', name: 'sequential_1', inputShape, layers });
}

/** Keras' `examples/cifar10_cnn.py` model (1,250,858 params on CIFAR-10). */
function kerasCifar10Cnn(o?: ZooOptions): ModelSpec {
  const { inputShape, numClasses } = options(o);
  const layers: LayerSpec[] = [
    conv(32),
    act('relu'),
    conv(32, 'valid'),
    act('relu'),
    L('MaxPooling2D', { poolSize: [2, 2] }),
    L('Dropout', { rate: 0.25 }),
    conv(64),
    act('relu'),
    conv(64, 'valid'),
    act('relu'),
    L('MaxPooling2D', { poolSize: [2, 2] }),
    L('Dropout', { rate: 0.25 }),
    L('Flatten'),
    L('Dense', { units: 512 }),
    act('relu'),
    L('Dropout', { rate: 0.5 }),
    L('Dense', { units: numClasses }),
    act('softmax'),
  ];
  return parseModelSpec({ className: 'Sequential', name: 'sequential_1', inputShape, layers });
}

/**
 * ResNet v1 as in Keras' `examples/cifar10_resnet.py` (`resnet_v1`, depth = 6n + 2):
 * conv-BN-ReLU stem, three stages of n basic blocks (16, 32, 64 filters; the first block of
 * stages 2 and 3 strides 2 and has a 1x1 conv shortcut without BN), he_normal kernels with
 * l2(1e-4), average pooling, Dense softmax.
 */
function resnetV1(depth: number, o?: ZooOptions): ModelSpec {
  const { inputShape, numClasses } = options(o);
  if ((depth - 2) % 6 !== 0) throw new TfbricksError('E_USAGE', `resnet v1 depth must be 6n+2, got ${depth}`, { usage: true });
  const n = (depth - 2) / 6;
  const layers: LayerSpec[] = [];
  const count = new Map<string, number>();
  const nextName = (base: string) => {
    const i = (count.get(base) ?? 0) + 1;
    count.set(base, i);
    return `${base}_${i}`;
  };
  const add = (className: string, config: LayerSpec['config'], inbound: string[]): string => {
    const base = { Conv2D: 'conv2d', BatchNormalization: 'batch_normalization', Activation: 'activation', Add: 'add', AveragePooling2D: 'average_pooling2d', Flatten: 'flatten', Dense: 'dense' }[className]!;
    const name = nextName(base);
    layers.push({ className, config: { name, ...config }, inbound });
    return name;
  };
  const resnetLayer = (x: string, filters: number, opts: { kernelSize?: number; strides?: number; activation?: string | null; bn?: boolean } = {}): string => {
    const k = opts.kernelSize ?? 3;
    const s = opts.strides ?? 1;
    let y = add('Conv2D', { filters, kernelSize: [k, k], strides: [s, s], padding: 'same', kernelInitializer: 'heNormal', kernelRegularizer: { l2: 1e-4 } }, [x]);
    if (opts.bn ?? true) y = add('BatchNormalization', {}, [y]);
    const activation = opts.activation === undefined ? 'relu' : opts.activation;
    if (activation !== null) y = add('Activation', { activation }, [y]);
    return y;
  };
  let x = resnetLayer('input_1', 16);
  let filters = 16;
  let spatial = inputShape.slice(0, 2);
  for (let stack = 0; stack < 3; stack++) {
    for (let block = 0; block < n; block++) {
      const strides = stack > 0 && block === 0 ? 2 : 1;
      let y = resnetLayer(x, filters, { strides });
      y = resnetLayer(y, filters, { activation: null });
      if (stack > 0 && block === 0) x = resnetLayer(x, filters, { kernelSize: 1, strides, activation: null, bn: false });
      x = add('Add', {}, [x, y]);
      x = add('Activation', { activation: 'relu' }, [x]);
    }
    if (stack > 0) spatial = spatial.map((d) => Math.ceil(d / 2));
    filters *= 2;
  }
  // Keras uses pool_size=8, i.e. the whole 8x8 map of a 32x32 input; keep "whole map" for other sizes.
  x = add('AveragePooling2D', { poolSize: spatial }, [x]);
  x = add('Flatten', {}, [x]);
  x = add('Dense', { units: numClasses, activation: 'softmax', kernelInitializer: 'heNormal' }, [x]);
  return parseModelSpec({ className: 'Functional', name: 'model_1', inputShape, inputName: 'input_1', layers, outputs: [x] });
}

/** A tiny CNN for tests and smoke runs (1,562 params on CIFAR-10). */
function tiny(o?: ZooOptions): ModelSpec {
  const { inputShape, numClasses } = options(o);
  const layers: LayerSpec[] = [
    L('Conv2D', { filters: 8, kernelSize: [3, 3], padding: 'same' }),
    act('relu'),
    L('MaxPooling2D', { poolSize: [2, 2] }),
    L('Conv2D', { filters: 16, kernelSize: [3, 3], padding: 'same' }),
    act('relu'),
    L('GlobalAveragePooling2D'),
    L('Dense', { units: numClasses }),
    act('softmax'),
  ];
  return parseModelSpec({ className: 'Sequential', name: 'tiny', inputShape, layers });
}

/** The built-in models. */
export const modelZoo: readonly ModelZooEntry[] = [
  { name: 'keras-cifar10-deep', description: "the Keras tutorial's seed model: 15 conv + ReLU, 2 max-pools, global max-pool, dense 500, 4 dropouts (1,071,542 params)", spec: kerasCifar10Deep },
  { name: 'keras-cifar10-cnn', description: "Keras' classic cifar10_cnn example: 4 conv, 2 max-pools, dense 512 (1,250,858 params)", spec: kerasCifar10Cnn },
  { name: 'resnet20', description: "ResNet-20 v1 from Keras' cifar10_resnet example, with batch norm (274,442 params)", spec: (o) => resnetV1(20, o) },
  { name: 'resnet32', description: "ResNet-32 v1 from Keras' cifar10_resnet example (470,218 params)", spec: (o) => resnetV1(32, o) },
  { name: 'resnet56', description: "ResNet-56 v1 from Keras' cifar10_resnet example (861,770 params)", spec: (o) => resnetV1(56, o) },
  { name: 'tiny', description: 'a tiny CNN for tests and smoke runs: 2 small conv + ReLU, global average pool, dense (1,562 params)', spec: tiny },
];

/** The spec of a zoo model; an unknown name is a usage error listing the zoo. */
export function getModelSpec(name: string, options?: ZooOptions): ModelSpec {
  const entry = modelZoo.find((e) => e.name === name);
  if (!entry) {
    throw new TfbricksError('E_MODEL_UNKNOWN', `unknown model "${name}"; the zoo has: ${modelZoo.map((e) => e.name).join(', ')}`, {
      usage: true,
      hint: 'pick a zoo model or pass a model spec JSON file',
    });
  }
  return entry.spec(options);
}
