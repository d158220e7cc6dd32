// Layer kinds beyond the zoo on ONNX Runtime: a tfbricks Functional spec with branches, and
// tfjs models with Concatenate, dilated and strided convs, every activation, rank-2
// BatchNormalization, the other merges and ZeroPadding2D.
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, parseModelSpec } from '@tfbricks/layers';
import { beforeAll, describe, it } from 'vitest';
import { ONNX_ACTIVATIONS } from './index';
import { expectParity } from './test-support/parity';
import { randomArray } from './test-support/runtime';
import { perturbWeights } from './test-support/weights';

const SHAPE = [12, 12, 3];

beforeAll(async () => {
  await tfc.setBackend('cpu');
});

/** A few real Adam steps on random images and labels (moves weights and BN moving statistics). */
async function trainBriefly(model: tfl.LayersModel, classes: number): Promise<void> {
  model.compile({ optimizer: tfc.train.adam(0.02), loss: 'categoricalCrossentropy' });
  const n = 16;
  const x = tfc.tensor4d(randomArray(n * 12 * 12 * 3, 13), [n, 12, 12, 3]);
  const y = tfc.oneHot(tfc.tensor1d(Array.from({ length: n }, (_, i) => i % classes), 'int32'), classes);
  await model.fit(x, y, { epochs: 2, batchSize: n, verbose: 0, shuffle: false });
  tfc.dispose([x, y]);
}

/** Inception-like branches and a residual Add, as a tfbricks Functional spec (fused Conv2D+ReLU included). */
function branchySpec() {
  const conv = (name: string, inbound: string, config: Record<string, unknown>) => ({ className: 'Conv2D', config: { name, ...config }, inbound: [inbound] });
  return parseModelSpec({
    className: 'Functional',
    name: 'branches',
    inputShape: SHAPE,
    layers: [
      conv('stem', 'input_1', { filters: 8, kernelSize: 3, padding: 'same' }),
      { className: 'Activation', config: { name: 'stem_relu', activation: 'relu' }, inbound: ['stem'] },
      conv('a', 'stem_relu', { filters: 8, kernelSize: 1 }),
      { className: 'BatchNormalization', config: { name: 'a_bn' }, inbound: ['a'] },
      conv('b1', 'stem_relu', { filters: 8, kernelSize: [3, 5], padding: 'same', strides: [1, 1], activation: 'elu' }),
      conv('b2', 'b1', { filters: 8, kernelSize: 3, padding: 'same', useBias: false }),
      { className: 'Add', config: { name: 'merge' }, inbound: ['a_bn', 'b2', 'stem_relu'] },
      { className: 'Activation', config: { name: 'merge_relu', activation: 'relu' }, inbound: ['merge'] },
      { className: 'ZeroPadding2D', config: { name: 'pad', padding: [[1, 2], [0, 1]] }, inbound: ['merge_relu'] },
      { className: 'AveragePooling2D', config: { name: 'avg', poolSize: [3, 3], strides: [2, 2], padding: 'same' }, inbound: ['pad'] },
      { className: 'MaxPooling2D', config: { name: 'max', poolSize: [2, 2], strides: [1, 1], padding: 'valid' }, inbound: ['avg'] },
      conv('c', 'max', { filters: 6, kernelSize: 2, strides: [2, 1], padding: 'valid' }),
      { className: 'Dropout', config: { name: 'drop', rate: 0.5 }, inbound: ['c'] },
      { className: 'Flatten', config: { name: 'flat' }, inbound: ['drop'] },
      { className: 'Dense', config: { name: 'hidden', units: 12, activation: 'relu' }, inbound: ['flat'] },
      { className: 'Dense', config: { name: 'logits', units: 5 }, inbound: ['hidden'] },
      { className: 'Activation', config: { name: 'probs', activation: 'softmax' }, inbound: ['logits'] },
    ],
    outputs: ['probs'],
  });
}

/** tfjs layers the specs do not build: Concatenate, dilation, every activation, other merges. */
function tfjsModel(): tfl.LayersModel {
  const input = tfl.input({ shape: SHAPE, name: 'image' });
  const stem = tfl.layers.conv2d({ filters: 6, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'dilated' }).apply(input) as tfl.SymbolicTensor;
  const valid = tfl.layers.conv2d({ filters: 6, kernelSize: 3, dilationRate: [2, 1], padding: 'valid', name: 'dilated_valid' }).apply(stem) as tfl.SymbolicTensor;
  const pooled = tfl.layers.zeroPadding2d({ padding: [[2, 2], [1, 1]], name: 'repad' }).apply(valid) as tfl.SymbolicTensor;
  const acts = ONNX_ACTIVATIONS.filter((a) => a !== 'linear').map((a) => tfl.layers.activation({ activation: a as never, name: `act_${a}` }).apply(stem) as tfl.SymbolicTensor);
  const cat = tfl.layers.concatenate({ axis: -1, name: 'cat' }).apply([...acts, pooled]) as tfl.SymbolicTensor;
  const catH = tfl.layers.concatenate({ axis: 1, name: 'cat_rows' }).apply([cat, cat]) as tfl.SymbolicTensor;
  const strided = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', name: 'strided' }).apply(catH) as tfl.SymbolicTensor;
  const gmax = tfl.layers.globalMaxPooling2d({ name: 'gmax' }).apply(strided) as tfl.SymbolicTensor;
  const gavg = tfl.layers.globalAveragePooling2d({ name: 'gavg' }).apply(strided) as tfl.SymbolicTensor;
  const mul = tfl.layers.multiply({ name: 'mul' }).apply([gmax, gavg]) as tfl.SymbolicTensor;
  const avg = tfl.layers.average({ name: 'avg' }).apply([mul, gmax, gavg]) as tfl.SymbolicTensor;
  const mx = tfl.layers.maximum({ name: 'max' }).apply([avg, gmax]) as tfl.SymbolicTensor;
  const mn = tfl.layers.minimum({ name: 'min' }).apply([mx, mul]) as tfl.SymbolicTensor;
  const flatCat = tfl.layers.concatenate({ name: 'cat_flat' }).apply([mn, tfl.layers.flatten({ name: 'flat' }).apply(strided) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({ name: 'bn_dense', center: false }).apply(flatCat) as tfl.SymbolicTensor;
  const dense = tfl.layers.dense({ units: 7, activation: 'selu', name: 'dense_selu' }).apply(bn) as tfl.SymbolicTensor;
  const drop = tfl.layers.dropout({ rate: 0.3, name: 'drop' }).apply(dense) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, activation: 'softmax', name: 'out' }).apply(drop) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name: 'coverage' });
}

describe('layer kinds on ONNX Runtime equal tfjs predict', () => {
  it('a Functional tfbricks model with branches (fused and unfused builds), random, trained and perturbed weights', async () => {
    for (const fuseActivations of [true, false]) {
      const model = buildModel(branchySpec(), { seed: 3, fuseActivations });
      try {
        await expectParity(model, `branches fused=${fuseActivations} (random)`, SHAPE);
        await trainBriefly(model, 5);
        await expectParity(model, `branches fused=${fuseActivations} (trained)`, SHAPE);
        perturbWeights(model, 9);
        await expectParity(model, `branches fused=${fuseActivations} (perturbed)`, SHAPE);
      } finally {
        model.dispose();
      }
    }
  }, 240_000);

  it('Concatenate, dilation, every activation, merges, rank-2 BatchNormalization, ZeroPadding2D (tfjs layers)', async () => {
    const model = tfjsModel();
    try {
      await expectParity(model, 'coverage (random)', SHAPE);
      perturbWeights(model, 21);
      await expectParity(model, 'coverage (perturbed)', SHAPE);
    } finally {
      model.dispose();
    }
  }, 120_000);
});
