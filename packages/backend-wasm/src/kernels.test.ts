import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lcgValues as values } from '@tfbricks/test-browser';
import { buildModel, createOptimizer, getModelSpec, optimizerNames } from '@tfbricks/layers';
import { fit } from '@tfbricks/train';
import { planFilterGrad } from './kernels/conv2d-backprop-filter';
import { planInputGrad } from './kernels/conv2d-backprop-input';
import { stockFallbackCount, trainingKernelsActive } from './kernels/register';
import { convGrads, expectParity, explicit, initCpuAndWasm, input } from './test-support/parity';
import type { Pad } from './test-support/parity';

// tfbricks' wasm kernels and the stock tfjs-backend-wasm kernels the recipe relies on,
// against tfjs-backend-cpu on geometries the parity suite does not cover.

beforeAll(async () => {
  await initCpuAndWasm();
});

describe('wasm convolution gradients vs cpu', () => {
  const geometries: [string, number[], number[], number | [number, number], Pad][] = [
    ['same stride 1, RGB input', [2, 7, 7, 3], [3, 3, 3, 5], 1, 'same'],
    ['same stride 2, odd size', [2, 7, 7, 3], [3, 3, 3, 5], 2, 'same'],
    ['same stride 2, even size (pad 0 above, 1 below)', [2, 8, 8, 4], [3, 3, 4, 6], 2, 'same'],
    ['valid stride 2 (last row unread)', [2, 8, 8, 4], [3, 3, 4, 6], 2, 'valid'],
    ['valid stride 1, non-square', [2, 9, 6, 4], [3, 3, 4, 8], 1, 'valid'],
    ['1x1 stride 2 (ResNet shortcut)', [2, 8, 8, 4], [1, 1, 4, 8], 2, 'same'],
    ['5x5 stride 3 same', [1, 9, 10, 2], [5, 5, 2, 3], 3, 'same'],
    ['2x3 filter, strides [2, 1], valid', [2, 6, 7, 3], [2, 3, 3, 4], [2, 1], 'valid'],
    ['explicit asymmetric pads, stride 1', [2, 6, 6, 3], [3, 3, 3, 4], 1, explicit(1, 2, 0, 1)],
    ['explicit asymmetric pads, stride 2', [2, 7, 6, 3], [3, 3, 3, 4], 2, explicit(0, 2, 2, 1)],
  ];
  for (const [name, x, w, s, pad] of geometries) {
    it(`${name}: y, dx, dw`, async () => {
      const fallbacks = stockFallbackCount();
      await expectParity(convGrads(x, w, s, pad));
      expect(stockFallbackCount(), 'Conv2DBackpropInput went to the scalar stock kernel').toBe(fallbacks);
    });
  }

  it('padding larger than the filter: the input gradient goes to tfjs-backend-wasm, still correct', async () => {
    const info = tf.backend_util.computeConv2DInfo([1, 5, 5, 2], [3, 3, 2, 3], 1, 1, explicit(3, 3, 3, 3) as never);
    expect(planInputGrad(info)).toBeNull();
    const fallbacks = stockFallbackCount();
    await expectParity(convGrads([1, 5, 5, 2], [3, 3, 2, 3], 1, explicit(3, 3, 3, 3)));
    expect(stockFallbackCount()).toBe(fallbacks + 1);
  });

  it('plans the filter gradient: bottom pad so that KH rows come out, or a crop when negative', () => {
    const same = tf.backend_util.computeConv2DInfo([1, 8, 8, 1], [3, 3, 1, 1], 2, 1, 'same');
    expect(planFilterGrad(same)).toEqual({ pads: [0, 1, 0, 1], cropHeight: 8, cropWidth: 8 });
    const valid = tf.backend_util.computeConv2DInfo([1, 8, 8, 1], [3, 3, 1, 1], 2, 1, 'valid');
    expect(planFilterGrad(valid)).toEqual({ pads: [0, 0, 0, 0], cropHeight: 7, cropWidth: 7 });
  });

  it('fused conv2d + bias + relu: y, dx, dw, dbias', async () => {
    await expectParity(() => {
      const x = input([2, 8, 8, 4], 4);
      const w = input([3, 3, 4, 8], 5);
      const bias = input([8], 6);
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, bias: c, strides: 1, pad: 'same', activation: 'relu' });
      const y = f(x, w, bias);
      const grads = tf.grads(f)([x, w, bias], input(y.shape, 7));
      return [y, ...grads];
    });
  });

  it('NCHW filter gradient (kernel called directly)', async () => {
    await expectParity(() => {
      const x = input([2, 3, 7, 6], 8);
      const dy = input([2, 4, 4, 3], 9);
      const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] };
      return [tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor];
    });
  });
});

describe('wasm pooling, batch norm and reductions vs cpu (stock tfjs-backend-wasm kernels, ours for MaxPoolGrad)', () => {
  const poolGrads = (op: 'max' | 'avg', x: number[], size: number | [number, number], stride: number, pad: 'same' | 'valid') => () => {
    const xt = input(x, 10);
    const f = (a: tf.Tensor) => (op === 'max' ? tf.maxPool : tf.avgPool)(a as tf.Tensor4D, size, stride, pad);
    const y = f(xt);
    return [y, tf.grad(f)(xt, input(y.shape, 11))];
  };
  it('avgPool 2x2 stride 2 same and valid, 3x3 stride 1 same, whole map (ResNet): y, dx', async () => {
    await expectParity(poolGrads('avg', [2, 7, 7, 3], 2, 2, 'same'));
    await expectParity(poolGrads('avg', [2, 8, 8, 3], 2, 2, 'valid'));
    await expectParity(poolGrads('avg', [2, 6, 6, 4], 3, 1, 'same'));
    await expectParity(poolGrads('avg', [2, 8, 8, 16], [8, 8], 8, 'valid'));
  });
  it('maxPool with overlapping windows (3x3 stride 1 same, 3x3 stride 2 valid): y, dx', async () => {
    await expectParity(poolGrads('max', [2, 6, 6, 4], 3, 1, 'same'), { atol: 0, rtol: 0 });
    await expectParity(poolGrads('max', [2, 9, 9, 3], 3, 2, 'valid'), { atol: 0, rtol: 0 });
  });
  it('global max and mean over the spatial axes: y, dx', async () => {
    await expectParity(() => {
      const x = input([3, 5, 5, 6], 12);
      const fm = (a: tf.Tensor) => tf.max(a, [1, 2]);
      const fa = (a: tf.Tensor) => tf.mean(a, [1, 2]);
      return [fm(x), tf.grad(fm)(x, input([3, 6], 13)), fa(x), tf.grad(fa)(x, input([3, 6], 14))];
    });
  });
  it('batch norm in training mode (batch moments, as Keras): y, dx, dgamma, dbeta', async () => {
    await expectParity(() => {
      const x = input([4, 5, 5, 6], 15);
      const gamma = input([6], 16);
      const beta = input([6], 17);
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.batchNorm(a, mean, variance, b, g, 1e-3);
      };
      const y = f(x, gamma, beta);
      return [y, ...tf.grads(f)([x, gamma, beta], input(y.shape, 18))];
    });
  });
});

describe('wasm training vs cpu', () => {
  it("every Keras optimizer's update (3 steps): same weights", async () => {
    for (const name of optimizerNames) {
      await expectParity(() => {
        const w = tf.variable(input([4, 3], 20));
        const x = input([5, 4], 21);
        const opt = createOptimizer(name, { learningRate: 0.05 });
        for (let i = 0; i < 3; i++) opt.minimize(() => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar);
        const out = w.clone();
        opt.dispose();
        w.dispose();
        return [out];
      }, { atol: 1e-5, rtol: 1e-5 });
    }
  });

  // Plain SGD, so that weight differences are gradient differences (Adam's normalisation
  // would blow up the rounding noise of near-zero gradients).
  const weightsAfterFit = async (backend: string, model: string, size: number): Promise<Float32Array[]> => {
    await tf.setBackend(backend);
    const m = buildModel(getModelSpec(model, { inputShape: [size, size, 3], numClasses: 4 }), { seed: 3 });
    const n = 4;
    const images = Uint8Array.from(values(n * size * size * 3, 30), (v) => Math.floor((v + 1) * 127));
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 4);
    await fit({ model: m, optimizer: createOptimizer('sgd', { learningRate: 0.05 }), train: { images, labels }, epochs: 1, batchSize: 2, seed: 1 });
    const out = await Promise.all(m.getWeights().map(async (w) => (await w.data()) as Float32Array));
    m.dispose();
    return out;
  };

  for (const [model, size] of [
    ['tiny', 8],
    ['resnet20', 8],
  ] as const) {
    it(`${model}: two fit steps give the same weights, all on wasm (tfbricks kernels, no scalar fallback)`, async () => {
      const fallbacks = stockFallbackCount();
      const expected = await weightsAfterFit('cpu', model, size);
      const actual = await weightsAfterFit('wasm', model, size);
      expect(trainingKernelsActive()).toBe(true);
      expect(stockFallbackCount()).toBe(fallbacks);
      expect(actual.length).toBe(expected.length);
      let worst = 0;
      actual.forEach((a, k) => a.forEach((v, i) => void (worst = Math.max(worst, Math.abs(v - expected[k]![i]!)))));
      expect(worst).toBeLessThan(1e-4);
    });
  }
});

describe('wasm Tile (tfbricks block copies) vs cpu', () => {
  it('batch norm statistics to an activation, matrices, vectors, scalars-as-rank-1, int32 and bool: exactly', async () => {
    await expectParity(
      () => [
        tf.tile(input([1, 1, 1, 5], 20), [2, 3, 4, 1]),
        tf.tile(input([2, 3], 21), [3, 2]),
        tf.tile(input([2, 1, 3], 22), [1, 4, 2]),
        tf.tile(input([4], 23), [3]),
        tf.tile(input([1], 24), [1]),
        tf.tile(input([3, 2], 25), [1, 1]),
        tf.tile(tf.tensor([[1, -2], [3, 4]], undefined, 'int32'), [2, 3]),
        tf.tile(tf.tensor([true, false, true], undefined, 'bool'), [2]),
        tf.tile(tf.zeros([0, 3]), [2, 2]),
      ],
      { atol: 0, rtol: 0 },
    );
  });
  it("batch norm's gradients (training mode, ResNet's layer) match cpu", async () => {
    const bn = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3);
    };
    await expectParity(() => {
      const x = input([2, 4, 4, 6], 26);
      const gamma = input([6], 27);
      const beta = input([6], 28);
      return [bn(x, gamma, beta), ...tf.grads(bn)([x, gamma, beta], input([2, 4, 4, 6], 29))];
    }, { atol: 1e-4, rtol: 1e-4 });
  });
});

describe('registering and removing the kernels', () => {
  it("unregisterTrainingKernels() puts tfjs-backend-wasm's own kernels back; registerTrainingKernels() is idempotent", async () => {
    const { registerTrainingKernels, unregisterTrainingKernels, TRAINING_KERNEL_NAMES } = await import('./kernels/register');
    const ours = TRAINING_KERNEL_NAMES.map((n) => tf.getKernel(n, 'wasm')!.kernelFunc);
    unregisterTrainingKernels();
    try {
      expect(trainingKernelsActive()).toBe(false);
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
      expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).not.toBe(ours[1]);
      expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).not.toBe(ours[2]);
      expect(tf.getKernel('Tile', 'wasm')?.kernelFunc).not.toBe(ours[4]);
      // The stock kernels work on the running backend (tfjs ran only ours' setup when it started).
      await tf.setBackend('wasm');
      const tiled = tf.tile(tf.tensor([1, 2]), [2]);
      expect(Array.from(await tiled.data())).toEqual([1, 2, 1, 2]);
      const pooled = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'))(tf.tensor4d([1, 3, 2, 0], [1, 2, 2, 1]));
      expect(Array.from(await pooled.data())).toEqual([0, 1, 0, 0]);
      tf.dispose([tiled, pooled]);
    } finally {
      registerTrainingKernels();
      registerTrainingKernels();
    }
    expect(TRAINING_KERNEL_NAMES.map((n) => tf.getKernel(n, 'wasm')!.kernelFunc)).toEqual(ours);
  });
});
