import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { directKernelCalls, kernelRuntime } from './kernels/kernel-runtime';
import { convGrads, expectParity, explicit, initCpuAndWasm, input } from './test-support/parity';
import type { Pad } from './test-support/parity';

// tfbricks' own WebAssembly kernels (wasm/*.mjs: direct convolution, filter gradient, max-pool
// gradient, leading-axes sum) against tfjs-backend-cpu, on geometries they serve: output channels
// in fours, every tile tail (channels and columns), strides, paddings, fused bias + relu. Each
// case also checks that the direct kernel, not a fallback, computed it.

beforeAll(async () => {
  await initCpuAndWasm();
});

/** Run `body` and return how many calls of each direct kernel it made. */
async function counting(body: () => Promise<void>): Promise<Record<string, number>> {
  const before = directKernelCalls();
  await body();
  const after = directKernelCalls();
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

describe('direct convolution kernels vs cpu', () => {
  const cases: Array<[string, number[], number[], number | [number, number], Pad]> = [
    ['same stride 1, channel tails (Ci 5, Co 12)', [2, 7, 9, 5], [3, 3, 5, 12], 1, 'same'],
    ['same stride 2, odd map (Ci 3, Co 8)', [3, 9, 7, 3], [3, 3, 3, 8], 2, 'same'],
    ['valid stride 1, one input channel, Co 20', [2, 8, 8, 1], [3, 3, 1, 20], 1, 'valid'],
    ['valid stride 2, 5x5 filter (Ci 8, Co 4)', [2, 11, 12, 8], [5, 5, 8, 4], 2, 'valid'],
    ['explicit asymmetric pads, stride 1 (Ci 4, Co 16)', [2, 6, 7, 4], [3, 3, 4, 16], 1, explicit(1, 2, 0, 1)],
    ['explicit asymmetric pads, strides 2x1 (Ci 6, Co 8)', [2, 7, 6, 6], [3, 3, 6, 8], [2, 1], explicit(0, 2, 2, 1)],
    ['1x1 stride 2 (ResNet shortcut, Ci 16, Co 32)', [2, 8, 8, 16], [1, 1, 16, 32], 2, 'same'],
    ['rows shorter than a tile (width 3, Co 8)', [4, 5, 3, 4], [3, 3, 4, 8], 1, 'same'],
  ];
  for (const [name, xShape, wShape, strides, pad] of cases) {
    it(`${name}: y, dx, dw`, async () => {
      const calls = await counting(() => expectParity(convGrads(xShape, wShape, strides, pad)));
      expect(calls.conv_forward, 'forward on the direct kernel').toBeGreaterThan(0);
      expect(calls.filter_grad, 'filter gradient on the direct kernel').toBeGreaterThan(0);
      // dx is a direct convolution too where the input channels come in fours.
      if (xShape[3]! % 4 === 0) expect(calls.conv_forward).toBeGreaterThanOrEqual(2);
    });
  }

  it('F(3x3, 2x2) filter gradient: odd output sizes, 5 images (slices of one), same and valid, 64 input channels', async () => {
    for (const [xShape, pad] of [
      [[5, 7, 9, 64], 'same'],
      [[3, 8, 5, 64], 'valid'],
    ] as const) {
      const calls = await counting(() => expectParity(convGrads([...xShape], [3, 3, 64, 8], 1, pad)));
      expect(calls.wgrad_out, `${xShape} ${pad}`).toBe(1);
    }
  });

  const winograd: Array<[string, number[], number[], Pad, boolean]> = [
    ['same stride 1, odd map (Ci 64, Co 12): forward by Winograd', [2, 7, 5, 64], [3, 3, 64, 12], 'same', false],
    ['valid stride 1 (Ci 64, Co 64): forward and input gradient by Winograd', [1, 6, 9, 64], [3, 3, 64, 64], 'valid', true],
    ['explicit asymmetric pads (Ci 68, Co 72): forward and input gradient by Winograd', [1, 6, 7, 68], [3, 3, 68, 72], explicit(1, 0, 2, 1), true],
  ];
  for (const [name, xShape, wShape, pad, both] of winograd) {
    it(`F(2x2, 3x3), ${name}: y, dx, dw`, async () => {
      const calls = await counting(() => expectParity(convGrads(xShape, wShape, 1, pad)));
      // The forward pass twice (y, and tf.grads' own forward pass), plus the input gradient.
      expect(calls.wino_fused, 'Winograd convolutions').toBe(both ? 3 : 2);
      expect(calls.wino_filter).toBe(calls.wino_fused);
      // The filter gradient by F(3×3, 2×2): one call per slice of the batch, then the output transform.
      expect(calls.wgrad_out, 'filter gradient by Winograd').toBe(1);
      expect(calls.filter_grad ?? 0, 'not on the direct filter-gradient kernel').toBe(0);
    });
  }

  it('fused conv2d + bias + relu (and linear) through tfjs-layers-style fused ops: y, dx, dw, dbias', async () => {
    for (const activation of ['relu', 'linear'] as const) {
      const calls = await counting(() =>
        expectParity(() => {
          // 64 input channels: the forward pass by Winograd, bias and ReLU in its output transform.
          const x = input([2, 8, 8, 64], 1);
          const w = input([3, 3, 64, 8], 2);
          const b = input([8], 3);
          const f = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.fused.conv2d({ x: a as tf.Tensor4D, filter: k as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation });
          const y = f(x, w, b);
          const [dx, dw, db] = tf.grads(f)([x, w, b], input(y.shape, 4));
          return [y, dx!, dw!, db!];
        }),
      );
      expect(calls.wino_fused, activation).toBe(2); // y and the gradient's forward pass
    }
  });

  it('NaN propagates as on cpu (XNNPACK clamps it; the direct kernels do not)', async () => {
    await expectParity(() => {
      const x = tf.tensor4d(Float32Array.from({ length: 2 * 4 * 4 * 4 }, (_, i) => (i === 5 ? Number.NaN : Math.sin(i))), [2, 4, 4, 4]);
      const w = input([3, 3, 4, 8], 2);
      return [tf.cast(tf.isNaN(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')), 'float32')];
    });
  });

  it('falls back to XNNPACK where the direct kernels do not apply (Co not in fours, dilation, prelu), still matching cpu', async () => {
    const calls = await counting(async () => {
      await expectParity(convGrads([2, 7, 7, 3], [3, 3, 3, 5], 1, 'same'));
      await expectParity(() => [tf.conv2d(input([1, 9, 9, 4], 1) as tf.Tensor4D, input([3, 3, 4, 8], 2) as tf.Tensor4D, 1, 'same', 'NHWC', 2)]);
      await expectParity(() => [
        tf.fused.conv2d({ x: input([1, 6, 6, 4], 1) as tf.Tensor4D, filter: input([3, 3, 4, 8], 2) as tf.Tensor4D, strides: 1, pad: 'same', activation: 'prelu', preluActivationWeights: input([8], 3) }),
      ]);
    });
    expect(calls.conv_forward ?? 0).toBe(0);
    expect(calls.filter_grad ?? 0).toBe(0);
  });
});

describe('direct max-pool gradient and leading-axes sum vs cpu', () => {
  it('maxPool 2x2 stride 2 (valid, same on an odd map) with ties and -Infinity: y, dx exactly; with NaN: dx exactly', async () => {
    const calls = await counting(async () => {
      for (const [shape, pad] of [
        [[2, 8, 6, 8], 'valid'],
        [[2, 7, 5, 4], 'same'],
      ] as const) {
        for (const withNaN of [false, true]) {
          await expectParity(
            () => {
              const n = shape.reduce((a, b) => a * b, 1);
              // Few distinct values: many ties, where the first maximum (rows, then columns) wins.
              const v = Float32Array.from({ length: n }, (_, i) => (i % 37 === 0 ? Number.NEGATIVE_INFINITY : withNaN && i % 41 === 0 ? Number.NaN : Math.floor(Math.sin(i) * 3)));
              const x = tf.tensor4d(v, [...shape]);
              const pool = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, pad);
              const y = pool(x);
              const dx = tf.grad(pool)(x, input(y.shape, 5));
              // XNNPACK's forward max pool treats NaN otherwise than cpu; the gradient is ours.
              return withNaN ? [dx] : [y, dx];
            },
            { atol: 0, rtol: 0 },
          );
        }
      }
    });
    expect(calls.max_pool_grad).toBe(4);
  });

  it('sum over the leading axes (bias gradients), with and without keepDims: exactly', async () => {
    const calls = await counting(async () => {
      await expectParity(() => [tf.sum(input([4, 6, 5, 12], 1), [0, 1, 2]), tf.sum(input([3, 7, 8], 2), [0, 1], true), tf.sum(input([9, 16], 3), 0)], { atol: 0, rtol: 0 });
    });
    expect(calls.leading_sum).toBe(3);
  });

  it('mean over the leading axes (batch norm’s moments), with and without keepDims: exactly as cpu (divide, then sum)', async () => {
    const calls = await counting(async () => {
      await expectParity(() => [tf.mean(input([4, 6, 5, 12], 1), [0, 1, 2]), tf.mean(input([3, 7, 8], 2), [0, 1], true), tf.mean(input([5, 6, 3], 3), [0, 1])], { atol: 0, rtol: 0 });
    });
    expect(calls.leading_sum).toBe(2); // the 3-channel one in JavaScript
  });

  it('the same sums where the rows are not whole vectors go through JavaScript, exactly; other axes go to tfjs', async () => {
    const calls = await counting(async () => {
      await expectParity(() => [tf.sum(input([4, 6, 5, 3], 1), [0, 1, 2])], { atol: 0, rtol: 0 });
      // tfjs-backend-wasm's own Sum accumulates in float32: within the suite's tolerance.
      await expectParity(() => [tf.sum(input([4, 6, 8], 2), [1]), tf.sum(input([4, 6, 8], 3))]);
    });
    expect(calls.leading_sum ?? 0).toBe(0);
  });
});

describe('elementwise binary ops on the kernel runtime', () => {
  it('Multiply, Add, Sub, RealDiv with a per-channel operand on either side (whole or scalar other side), exactly as cpu; same-shape, scalar, other broadcasts and small tensors go to tfjs', async () => {
    const shape = [4, 16, 16, 32]; // 32,768 elements: above the direct kernel's threshold
    const calls = await counting(() =>
      expectParity(
        () => {
          const x = input(shape, 1);
          const y = input(shape, 2);
          const perChannel = input([32], 3);
          const keep = input([1, 1, 1, 32], 4);
          const s = tf.scalar(0.37);
          const odd = tf.tensor4d(Float32Array.from({ length: 4 * 16 * 16 * 3 }, (_, i) => Math.sin(i)), [4, 16, 16, 3]);
          return [
            tf.mul(x, y),
            tf.add(x, perChannel),
            tf.sub(perChannel, x),
            tf.sub(x, keep),
            tf.div(x, s),
            tf.div(s, tf.add(tf.abs(y), 1)),
            tf.mul(keep, y),
            tf.div(x, tf.add(tf.abs(perChannel), 1)),
            tf.mul(odd, tf.tensor1d([1, 2, 3])), // 3 channels: tfjs' kernel
            tf.mul(input([2, 3], 5), input([2, 3], 6)), // small: tfjs' kernel
          ];
        },
        { atol: 0, rtol: 0 },
      ),
    );
    expect(calls.binary).toBe(5); // add, sub, sub, mul and div with a 32-channel operand
  });
});

describe('broadcast Equal, shared Identity and Cast', () => {
  it('Equal with broadcasting (global max pooling’s gradient), NaN, int32: exactly', async () => {
    await expectParity(
      () => {
        const x = tf.tensor4d(Float32Array.from({ length: 2 * 3 * 3 * 4 }, (_, i) => (i === 7 ? Number.NaN : i % 5)), [2, 3, 3, 4]);
        const m = tf.max(x, [1, 2], true);
        const ints = tf.tensor2d([1, 2, 3, 4, 2, 2], [2, 3], 'int32');
        return [tf.equal(x, m), tf.equal(ints, tf.tensor1d([2, 2, 3], 'int32')), tf.equal(tf.scalar(2), x)].map((t) => tf.cast(t, 'float32'));
      },
      { atol: 0, rtol: 0 },
    );
  });

  it('Identity and a same-dtype Cast share the buffer: the copy outlives the original, and memory is freed with the last one', async () => {
    await tf.setBackend('wasm');
    const bytes = tf.memory().numBytes;
    const x = tf.tensor1d([1, 2, 3]);
    const y = x.clone();
    const z = tf.cast(x, 'float32');
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    expect(Array.from(await z.data())).toEqual([1, 2, 3]);
    z.dispose();
    expect(tf.memory().numBytes).toBe(bytes);
  });
});

describe('the kernel runtime', () => {
  it('runs on the wasm heap with the threads the plugin asked for (2 here unless the machine has 1 core)', async () => {
    await tf.setBackend('wasm');
    const runtime = kernelRuntime(tf.backend());
    expect(runtime).not.toBeNull();
    await runtime!.ready;
    expect(runtime!.threads()).toBeGreaterThanOrEqual(1);
  });
});
