import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { ModelSpec } from '@tfbricks/core';
import { buildModel, createOptimizer, fusedPairs, getModelSpec, specFromModel, summary } from './index';

async function weightsByName(model: tf.LayersModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const layer of model.layers) for (const w of layer.weights) out.set(w.originalName, (await w.read().data()) as Float32Array);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Loss and gradients keyed by Keras weight name. */
function lossAndGrads(model: tf.LayersModel, x: tfc.Tensor, y: tfc.Tensor): { loss: number; grads: Map<string, Float32Array> } {
  const vars = model.trainableWeights.map((w) => w.read() as tfc.Variable);
  const names = new Map(model.trainableWeights.map((w) => [w.name, w.originalName]));
  const { value, grads } = tfc.variableGrads(() => tfc.losses.softmaxCrossEntropy(y, model.apply(x, { training: false }) as tfc.Tensor) as tfc.Scalar, vars);
  const out = new Map<string, Float32Array>();
  for (const [k, g] of Object.entries(grads)) out.set(names.get(k)!, g.dataSync() as Float32Array);
  const loss = value.dataSync()[0];
  tfc.dispose([value, ...Object.values(grads)]);
  return { loss, grads: out };
}

describe('buildModel', () => {
  tfc.setBackend('cpu');

  it('fuses Conv2D/Dense + Activation(relu) into the layer but keeps the Keras structure and names', () => {
    const spec = getModelSpec('keras-cifar10-deep');
    const fused = buildModel(spec, { seed: 1 });
    const plain = buildModel(spec, { seed: 1, fuseActivations: false });
    expect(fused.layers.map((l) => l.name)).toEqual(plain.layers.map((l) => l.name));
    expect(fusedPairs(fused)).toHaveLength(16); // 15 conv + dense_1
    expect(fusedPairs(fused)[0]).toEqual(['conv2d_1', 'activation_1']);
    expect(fusedPairs(plain)).toEqual([]);
    // For a spec: the pairs buildModel fuses by default, the same list.
    expect(fusedPairs(spec)).toEqual(fusedPairs(fused));
    expect((fused.getLayer('conv2d_1').getConfig() as { activation: string }).activation).toBe('relu');
    expect((fused.getLayer('activation_1').getConfig() as { activation: string }).activation).toBe('linear');
    expect((plain.getLayer('conv2d_1').getConfig() as { activation: string }).activation).toBe('linear');
    // dense_2 feeds a softmax: not fused.
    expect((fused.getLayer('dense_2').getConfig() as { activation: string }).activation).toBe('linear');
    expect((fused.getLayer('activation_17').getConfig() as { activation: string }).activation).toBe('softmax');
    // The spec, and so summary and saved configs, still show the Keras model.
    expect(specFromModel(fused)).toEqual(specFromModel(plain));
    expect(summary(fused)).toBe(summary(plain));
    fused.dispose();
    plain.dispose();
  });

  it('the fused build runs tfjs fused kernels (FusedConv2D, _FusedMatMul) instead of separate ReLUs', async () => {
    const spec = getModelSpec('keras-cifar10-deep', { inputShape: [8, 8, 3] });
    const x = tfc.zeros([1, 8, 8, 3]);
    const kernels = async (fuse: boolean) => {
      const model = buildModel(spec, { fuseActivations: fuse });
      const info = await tfc.profile(() => model.predict(x) as tfc.Tensor);
      model.dispose();
      const count: Record<string, number> = {};
      for (const k of info.kernels) count[k.name] = (count[k.name] ?? 0) + 1;
      return count;
    };
    const fused = await kernels(true);
    const plain = await kernels(false);
    expect(fused.FusedConv2D).toBe(15);
    expect(fused.Relu ?? 0).toBe(0);
    expect(fused._FusedMatMul).toBe(2);
    expect(plain.Relu).toBe(16);
    expect(plain.FusedConv2D ?? 0).toBe(15); // tfjs fuses the bias either way
    x.dispose();
  });

  it('the fused build stays fused while training (tfjs alone would split conv, bias add and relu under a gradient tape)', async () => {
    const spec = getModelSpec('tiny', { inputShape: [8, 8, 3] });
    const x = tfc.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1);
    const y = tfc.oneHot(tfc.tensor1d([1, 2], 'int32'), 10);
    const step = async (fuse: boolean) => {
      const model = buildModel(spec, { seed: 1, fuseActivations: fuse });
      const vars = model.trainableWeights.map((w) => w.read() as tfc.Variable);
      const info = await tfc.profile(() => {
        const { value, grads } = tfc.variableGrads(() => tfc.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tfc.Tensor) as tfc.Scalar, vars);
        tfc.dispose([value, ...Object.values(grads)]);
        return tfc.scalar(0);
      });
      model.dispose();
      const count: Record<string, number> = {};
      for (const k of info.kernels) count[k.name] = (count[k.name] ?? 0) + 1;
      return { total: info.kernels.length, count };
    };
    const fused = await step(true);
    const plain = await step(false);
    expect(fused.count.FusedConv2D).toBe(2);
    expect(fused.count.Relu ?? 0).toBe(0);
    expect(plain.count.Relu).toBe(2);
    expect(fused.total).toBeLessThan(plain.total);
    tfc.dispose([x, y]);
  });

  it('fused and unfused builds give the same outputs and gradients', async () => {
    const spec = getModelSpec('keras-cifar10-deep', { inputShape: [8, 8, 3] });
    const fused = buildModel(spec, { seed: 7 });
    const plain = buildModel(spec, { seed: 7, fuseActivations: false });
    const wf = await weightsByName(fused);
    const wp = await weightsByName(plain);
    for (const [k, v] of wf) expect(maxAbsDiff(v, wp.get(k)!), k).toBe(0);
    const x = tfc.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3);
    const y = tfc.oneHot(tfc.tensor1d([1, 7], 'int32'), 10);
    const pf = fused.predict(x) as tfc.Tensor;
    const pp = plain.predict(x) as tfc.Tensor;
    expect(maxAbsDiff(pf.dataSync(), pp.dataSync())).toBeLessThan(1e-6);
    const gf = lossAndGrads(fused, x, y);
    const gp = lossAndGrads(plain, x, y);
    expect(Math.abs(gf.loss - gp.loss)).toBeLessThan(1e-6);
    expect([...gf.grads.keys()].sort()).toEqual([...gp.grads.keys()].sort());
    expect(gf.grads.size).toBe(34);
    for (const [k, g] of gf.grads) {
      const scale = Array.from(g, Math.abs).reduce((a, b) => Math.max(a, b), 1e-6);
      expect(maxAbsDiff(g, gp.grads.get(k)!) / scale, k).toBeLessThan(1e-4);
    }
    tfc.dispose([x, y, pf, pp]);
    fused.dispose();
    plain.dispose();
    // The seed model's forward and backward twice on tfjs-cpu: ~10 s with the 2 shared cores at
    // load 6, 124 s at load 27; the budget holds at half the first speed with room to spare.
  }, 180_000);

  it('training the fused build leaks no tensors', async () => {
    const model = buildModel(getModelSpec('tiny', { inputShape: [8, 8, 3] }), { seed: 2 });
    model.compile({ optimizer: createOptimizer('adam', { learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    const x = tfc.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 5);
    const y = tfc.oneHot(tfc.tensor1d([0, 1, 2, 3], 'int32'), 10);
    await model.trainOnBatch(x, y);
    const before = tfc.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    expect(tfc.memory().numTensors).toBe(before);
    const p = model.predict(x) as tfc.Tensor;
    p.dispose();
    expect(tfc.memory().numTensors).toBe(before);
    tfc.dispose([x, y]);
    model.dispose();
  });

  it('a seed gives deterministic Keras-default init: glorot_uniform kernels in the Glorot limit, zero biases', async () => {
    const spec = getModelSpec('tiny');
    const a = await weightsByName(buildModel(spec, { seed: 42 }));
    const b = await weightsByName(buildModel(spec, { seed: 42 }));
    const c = await weightsByName(buildModel(spec, { seed: 43 }));
    for (const [k, v] of a) expect(maxAbsDiff(v, b.get(k)!), k).toBe(0);
    expect(maxAbsDiff(a.get('conv2d_1/kernel')!, c.get('conv2d_1/kernel')!)).toBeGreaterThan(0);
    // conv2d_2: 3x3x8 -> 16, Glorot limit sqrt(6 / (72 + 144)).
    const k = a.get('conv2d_2/kernel')!;
    const limit = Math.sqrt(6 / (3 * 3 * 8 + 3 * 3 * 16));
    const maxAbs = Math.max(...Array.from(k, Math.abs));
    expect(maxAbs).toBeLessThanOrEqual(limit);
    expect(maxAbs).toBeGreaterThan(0.8 * limit); // uniform over the whole range, not a normal
    expect(Array.from(a.get('conv2d_2/bias')!).every((v) => v === 0)).toBe(true);
    const d = a.get('dense_1/kernel')!;
    expect(Math.max(...Array.from(d, Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (16 + 10)));
  });

  it('builds functional models with Add and BatchNormalization (resnet20 forward pass)', () => {
    const model = buildModel(getModelSpec('resnet20', { inputShape: [8, 8, 3] }), { seed: 1 });
    const y = model.predict(tfc.ones([1, 8, 8, 3])) as tfc.Tensor;
    const sum = tfc.sum(y).dataSync()[0];
    expect(sum).toBeCloseTo(1, 5);
    const losses = model.calculateLosses();
    expect(losses.length).toBe(21);
    tfc.dispose(losses); // l2(1e-4) kernel regularizers
    y.dispose();
    model.dispose();
  });

  it('ZeroPadding2D, AveragePooling2D, GlobalAveragePooling2D, Flatten and Dense activations build with the spec shapes', () => {
    const spec: ModelSpec = {
      className: 'Sequential',
      name: 'mixed',
      inputShape: [9, 9, 2],
      layers: [
        { className: 'ZeroPadding2D', config: { padding: [[1, 2], [0, 1]] } },
        { className: 'Conv2D', config: { filters: 4, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' } },
        { className: 'AveragePooling2D', config: { poolSize: 2, strides: 1, padding: 'same' } },
        { className: 'BatchNormalization', config: {} },
        { className: 'Flatten', config: {} },
        { className: 'Dense', config: { units: 3, activation: 'softmax' } },
      ],
    };
    const model = buildModel(spec);
    expect(model.getLayer('zero_padding2d_1').outputShape).toEqual([null, 12, 10, 2]);
    expect(model.getLayer('conv2d_1').outputShape).toEqual([null, 5, 4, 4]);
    expect(model.getLayer('flatten_1').outputShape).toEqual([null, 80]);
    expect(summary(spec)).toContain('Non-trainable params: 8');
    expect(model.countParams()).toBe(2 * 3 * 3 * 4 + 4 + 16 + 80 * 3 + 3);
    model.dispose();
  });
});
