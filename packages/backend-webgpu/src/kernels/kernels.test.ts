import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lcgValues as values } from '@tfbricks/test-browser';
import { webgpuBackend } from '../webgpu-backend';
import { chooseSplits } from './conv2d-backprop-filter';
import { ADDED_KERNEL_NAMES, TRAINING_KERNEL_NAMES, registerTrainingKernels, setTrainingKernelVariant, trainingKernelsActive, useStockKernels } from './index';
import type { TrainingKernelVariant } from './index';
import { ADAM_UPDATE_KERNEL } from '@tfbricks/core';
import { chooseVec4Splits, isSoftwareAdapter } from './register';
import { recordingPrograms } from '../test-support/record-programs';

// TFBRICKS_REQUIRE_WEBGPU=1 (CI, with lavapipe) turns a missing adapter into a failure.
const required = process.env.TFBRICKS_REQUIRE_WEBGPU === '1';
/** tfjs' own Adam update, before any init: tfbricks never replaces it. */
const tfjsAdamApply = tf.AdamOptimizer.prototype.applyGradients;
let available = false;
let skipReason = '';

beforeAll(async () => {
  try {
    await webgpuBackend().init();
    available = await tf.setBackend('webgpu');
    if (!available) skipReason = 'tf.setBackend("webgpu") failed';
  } catch (error) {
    skipReason = error instanceof Error ? error.message : String(error);
  }
  if (!available) {
    if (required) throw new Error(`WebGPU required (TFBRICKS_REQUIRE_WEBGPU=1) but unavailable: ${skipReason}`);
    console.warn(`[backend-webgpu kernels] skipping WebGPU kernel tests: ${skipReason}`);
  }
});

afterAll(() => {
  if (available) registerTrainingKernels();
});

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Run `fn` on a backend and read every output back. */
async function on(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const data = await Promise.all(list.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(list);
  await tf.setBackend('webgpu');
  return data;
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string, tol = 1e-4): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) - tol * Math.abs(expected[i]!);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${label}: worst at ${at}: got ${actual[at]}, want ${expected[at]}`).toBeLessThanOrEqual(tol);
}

interface Case {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  fh: number;
  fw: number;
  stride: [number, number];
  pad: 'same' | 'valid' | number;
}

const cases: Case[] = [
  { n: 1, h: 7, w: 9, cin: 3, cout: 5, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
  { n: 3, h: 7, w: 9, cin: 5, cout: 13, fh: 3, fw: 3, stride: [2, 2], pad: 'same' },
  { n: 3, h: 9, w: 7, cin: 13, cout: 5, fh: 3, fw: 2, stride: [1, 1], pad: 'valid' },
  { n: 1, h: 9, w: 7, cin: 5, cout: 3, fh: 2, fw: 3, stride: [2, 1], pad: 'valid' },
  { n: 2, h: 8, w: 8, cin: 13, cout: 37, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
  { n: 2, h: 8, w: 8, cin: 40, cout: 36, fh: 3, fw: 3, stride: [2, 2], pad: 'valid' },
  { n: 2, h: 6, w: 5, cin: 4, cout: 8, fh: 3, fw: 3, stride: [1, 1], pad: 1 },
  { n: 1, h: 7, w: 9, cin: 4, cout: 4, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
  { n: 3, h: 9, w: 7, cin: 16, cout: 8, fh: 3, fw: 2, stride: [2, 1], pad: 'valid' },
  { n: 3, h: 7, w: 9, cin: 8, cout: 12, fh: 3, fw: 3, stride: [2, 2], pad: 'same' },
  { n: 2, h: 8, w: 8, cin: 32, cout: 48, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
  { n: 2, h: 3, w: 1, cin: 4, cout: 4, fh: 3, fw: 3, stride: [2, 2], pad: 'same' },
  { n: 3, h: 7, w: 9, cin: 3, cout: 8, fh: 3, fw: 3, stride: [2, 2], pad: 'same' },
  { n: 2, h: 6, w: 5, cin: 5, cout: 12, fh: 3, fw: 3, stride: [1, 1], pad: 'valid' },
  { n: 2, h: 5, w: 6, cin: 8, cout: 4, fh: 5, fw: 5, stride: [3, 2], pad: 'same' },
];

/**
 * Each case compiles up to 15 pipelines (3 variants × 5 ops, tfjs' stock ones keyed by shape)
 * on llvmpipe, which takes seconds each on a busy 2-core machine: 5–13 s alone, up to 60 s
 * beside the browser test; the budget allows for half that speed again. The shapes are the
 * smallest that still span several 32-wide tiles and split the filter-gradient reduction.
 */
const CASE_BUDGET_MS = 240_000;

const label = (c: Case) => `${c.n}x${c.h}x${c.w}x${c.cin}->${c.cout} f${c.fh}x${c.fw} s${c.stride.join(',')} ${c.pad}`;

function caseTensors(c: Case) {
  const xShape = [c.n, c.h, c.w, c.cin] as [number, number, number, number];
  const wShape = [c.fh, c.fw, c.cin, c.cout] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(xShape, wShape, c.stride, 1, c.pad);
  const dyShape = [c.n, info.outHeight, info.outWidth, c.cout] as [number, number, number, number];
  return {
    xShape,
    wShape,
    dyShape,
    x: values(size(xShape), 1),
    w: values(size(wShape), 2),
    dy: values(size(dyShape), 3),
    bias: values(c.cout, 13),
  };
}

describe('tfbricks WebGPU training kernels vs the cpu backend', () => {
  it('registers ours in place of the stock kernels and can switch back', ({ skip }) => {
    if (!available) return skip(skipReason);
    registerTrainingKernels();
    expect(trainingKernelsActive()).toBe(true);
    const ours = TRAINING_KERNEL_NAMES.map((k) => tf.getKernel(k, 'webgpu')!.kernelFunc);
    useStockKernels();
    expect(trainingKernelsActive()).toBe(false);
    const stock = TRAINING_KERNEL_NAMES.map((k) => tf.getKernel(k, 'webgpu')!.kernelFunc);
    stock.forEach((f, i) => expect(f).not.toBe(ours[i]));
    expect(registerTrainingKernels()).toEqual([...TRAINING_KERNEL_NAMES]);
    TRAINING_KERNEL_NAMES.forEach((k, i) => expect(tf.getKernel(k, 'webgpu')!.kernelFunc).toBe(ours[i]));
  });

  it('splits the N·H·W reduction into chunks that cover it exactly', () => {
    for (const [M, tiles] of [
      [63, 1],
      [768, 2],
      [32768, 9],
      [131072, 16],
      [4096, 1000],
    ] as const) {
      const { splits, chunk } = chooseSplits(M, tiles);
      expect(chunk % 32).toBe(0);
      expect(splits * chunk).toBeGreaterThanOrEqual(M);
      expect((splits - 1) * chunk).toBeLessThan(M);
    }
    expect(chooseSplits(32768, 9).splits).toBeGreaterThan(1);
    for (const [M, perSplit] of [
      [63, 8],
      [32768, 576],
      [2048, 9216],
      [131072, 9],
    ] as const) {
      const { splits, chunk } = chooseVec4Splits(M, perSplit);
      expect(splits * chunk).toBeGreaterThanOrEqual(M);
      expect((splits - 1) * chunk).toBeLessThan(M);
    }
    expect(chooseVec4Splits(32768, 576).splits).toBeGreaterThan(1);
    // A hardware GPU gets more, shorter chunks than a CPU-backed adapter.
    expect(chooseVec4Splits(131072, 576, 65535, false).splits).toBeGreaterThan(chooseVec4Splits(131072, 576, 65535, true).splits);
    for (const [M, perSplit] of [
      [131072, 576],
      [100, 9216],
    ] as const) {
      const { splits, chunk } = chooseVec4Splits(M, perSplit, 65535, false);
      expect(splits * chunk).toBeGreaterThanOrEqual(M);
      expect((splits - 1) * chunk).toBeLessThan(M);
    }
  });

  it('tells software adapters from hardware ones', () => {
    expect(isSoftwareAdapter({ adapterInfo: { vendor: 'mesa', architecture: 'software' } })).toBe(true);
    expect(isSoftwareAdapter({ adapterInfo: { vendor: 'google', architecture: 'swiftshader' } })).toBe(true);
    expect(isSoftwareAdapter({ adapterInfo: { vendor: 'nvidia', architecture: 'hopper' } })).toBe(false);
    expect(isSoftwareAdapter({})).toBe(false);
  });

  it('rejects an unknown kernel variant with a usage error naming it', () => {
    expect(() => setTrainingKernelVariant('fast' as TrainingKernelVariant)).toThrow(/got "fast", allowed: auto, tiled, vec4/);
  });

  for (const c of cases) {
    it(`Conv2DBackpropFilter, Conv2DBackpropInput, Conv2D and FusedConv2D match cpu: ${label(c)}`, async ({ skip }) => {
      if (!available) return skip(skipReason);
      registerTrainingKernels();
      const t = caseTensors(c);
      const run = () => {
        const x = tf.tensor4d(t.x, t.xShape);
        const w = tf.tensor4d(t.w, t.wShape);
        const dy = tf.tensor4d(t.dy, t.dyShape);
        const bias = tf.tensor1d(t.bias);
        return [
          tf.conv2dTranspose(dy, w, t.xShape, c.stride, c.pad),
          backpropFilter(x, dy, t.wShape, c.stride, c.pad),
          tf.conv2d(x, w, c.stride, c.pad),
          tf.fused.conv2d({ x, filter: w, strides: c.stride, pad: c.pad, bias, activation: 'relu' }),
          tf.fused.conv2d({ x, filter: w, strides: c.stride, pad: c.pad, bias }),
        ];
      };
      const [dxCpu, dwCpu, yCpu, reluCpu, biasCpu] = await on('cpu', run);
      const both4 = c.cin % 4 === 0 && c.cout % 4 === 0;
      const variants: TrainingKernelVariant[] = both4 ? ['tiled', 'vec4', 'auto'] : ['tiled', 'auto'];
      for (const v of variants) {
        setTrainingKernelVariant(v);
        try {
          const { data, programs } = await onWebgpuRecording(run);
          const [dxGpu, dwGpu, yGpu, reluGpu, biasGpu] = data;
          expectClose(dwGpu!, dwCpu!, `${v} dW ${label(c)}`);
          expectClose(dxGpu!, dxCpu!, `${v} dX ${label(c)}`);
          expectClose(yGpu!, yCpu!, `${v} conv2d ${label(c)}`);
          expectClose(reluGpu!, reluCpu!, `${v} fused conv2d+bias+relu ${label(c)}`);
          expectClose(biasGpu!, biasCpu!, `${v} fused conv2d+bias ${label(c)}`);
          const expected = {
            vec4: ['tfbricksConv2DFilterGradVec4', 'tfbricksConv2DInputGradVec4', 'tfbricksConv2DVec4_false_false', 'tfbricksConv2DVec4_true_true', 'tfbricksConv2DVec4_true_false'],
            tiled: ['tfbricksConv2DFilterGradGemm', 'tfbricksConv2DInputGradGemm'],
            // auto: vec4 when both channel counts allow; few input channels: vec4 over Cout or
            // (Cout not ÷ 4 either) tfjs' own input gradient; otherwise the tiled GEMMs.
            auto: both4
              ? ['tfbricksConv2DFilterGradVec4', 'tfbricksConv2DInputGradVec4']
              : c.cin < 16
                ? ['tfbricksConv2DFilterGradGemm', ...(c.cout % 4 === 0 ? ['tfbricksConv2DInputGradCo4'] : [])]
                : ['tfbricksConv2DFilterGradGemm', 'tfbricksConv2DInputGradGemm'],
          }[v];
          for (const key of expected) expect(programs, `${v}: ran ${key}`).toContain(key);
          if (v === 'auto' && !both4 && c.cin < 16 && c.cout % 4 !== 0) {
            expect(programs.some((k) => k.startsWith('tfbricksConv2DInputGrad')), 'auto: stock input gradient').toBe(false);
          }
        } finally {
          setTrainingKernelVariant('auto');
        }
      }
    }, CASE_BUDGET_MS);
  }

  it('falls back to the stock kernel for NCHW and gets the same numbers as cpu', async ({ skip }) => {
    if (!available) return skip(skipReason);
    registerTrainingKernels();
    const x = values(2 * 3 * 5 * 6, 4);
    const dy = values(2 * 4 * 5 * 6, 5);
    const run = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, [2, 3, 5, 6]), dy: tf.tensor4d(dy, [2, 4, 5, 6]) }, {
        strides: [1, 1],
        pad: 'same',
        dataFormat: 'NCHW',
        filterShape: [3, 3, 3, 4],
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const [want] = await on('cpu', run);
    const [got] = await on('webgpu', run);
    expectClose(got!, want!, 'NCHW dW');
  });

  it('Sum over every axis but the last (bias gradients) matches cpu; other reductions go to the stock kernel', async ({ skip }) => {
    if (!available) return skip(skipReason);
    registerTrainingKernels();
    const a = values(3 * 7 * 9 * 5, 21);
    const b = values(1000 * 13, 22);
    const ours = () => {
      const x = tf.tensor4d(a, [3, 7, 9, 5]);
      const y = tf.tensor2d(b, [1000, 13]);
      return [tf.sum(x, [0, 1, 2]), tf.sum(x, [2, 0, 1], true), tf.sum(y, 0), tf.sum(x, [-4, -3, -2])];
    };
    const stock = () => {
      const x = tf.tensor4d(a, [3, 7, 9, 5]);
      return [tf.sum(x, 3), tf.sum(x), tf.sum(x, [0, 1]), tf.sum(tf.tensor1d(b), 0)];
    };
    for (const [fn, expectOurs] of [
      [ours, true],
      [stock, false],
    ] as const) {
      const want = await on('cpu', fn);
      const { data, programs } = await onWebgpuRecording(fn);
      want.forEach((w, i) => expectClose(data[i]!, w, `sum #${i}`));
      expect(programs.filter((k) => k === 'tfbricksColumnSum').length).toBe(expectOurs ? 4 : 0);
    }
  });

  it('registers TfbricksAdamUpdate (Keras Adam, 3 programs per variable) with the Keras formula, leaks nothing, and removes it with the stock kernels', async ({ skip }) => {
    if (!available) return skip(skipReason);
    const shapes = [[3, 3, 4, 8], [8], [5, 7], []] as const;
    const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, lrT: 0.003 };
    const inputs = shapes.map((s, i) => ({
      shape: [...s],
      variable: values(Math.max(1, size([...s])), 30 + i),
      gradient: values(Math.max(1, size([...s])), 40 + i),
      m: values(Math.max(1, size([...s])), 50 + i).map((x) => x * 0.1),
      v: values(Math.max(1, size([...s])), 60 + i).map((x) => x * x * 0.01),
    }));
    // Keras' update in float64, per element.
    const want = inputs.map(({ variable, gradient, m, v }) => {
      const m1 = m.map((x, k) => x * attrs.beta1 + gradient[k]! * (1 - attrs.beta1));
      const v1 = v.map((x, k) => x * attrs.beta2 + gradient[k]! ** 2 * (1 - attrs.beta2));
      return [m1, v1, variable.map((x, k) => x - (m1[k]! / (Math.sqrt(v1[k]!) + attrs.epsilon)) * attrs.lrT)];
    });
    const update = () =>
      inputs.flatMap(({ shape, ...t }) =>
        tf.engine().runKernel(ADAM_UPDATE_KERNEL, Object.fromEntries(Object.entries(t).map(([k, x]) => [k, tf.tensor(x, shape)])), attrs as unknown as tf.NamedAttrMap) as tf.Tensor[],
      );
    registerTrainingKernels();
    expect(ADDED_KERNEL_NAMES).toEqual([ADAM_UPDATE_KERNEL]);
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'webgpu')).toBeDefined();
    await on('webgpu', update); // warm-up: compile, so the leak check below sees steady state
    const tensors = tf.memory().numTensors;
    const { data, programs } = await onWebgpuRecording(update);
    expect(tf.memory().numTensors).toBe(tensors);
    want.flat().forEach((w, i) => expectClose(data[i]!, Float32Array.from(w), `adam output ${i % 3} of variable ${Math.floor(i / 3)}`, 1e-5));
    expect(programs.filter((k) => k.startsWith('tfbricksAdam_')).length).toBe(3 * shapes.length);
    expect(() => tf.engine().runKernel(ADAM_UPDATE_KERNEL, { variable: tf.ones([2]), gradient: tf.ones([3]), m: tf.ones([2]), v: tf.ones([2]) }, attrs as unknown as tf.NamedAttrMap)).toThrow(
      /input "gradient" is float32 \[3\]; all inputs must be float32 \[2\]/,
    );
    useStockKernels();
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'webgpu')).toBeUndefined();
    // tfjs' own Adam is never touched.
    expect(tf.AdamOptimizer.prototype.applyGradients).toBe(tfjsAdamApply);
    registerTrainingKernels();
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'webgpu')).toBeDefined();
  });

  it('passes dilated forward convolutions (and other activations) to the stock kernels, same numbers as cpu', async ({ skip }) => {
    if (!available) return skip(skipReason);
    registerTrainingKernels();
    const x = values(2 * 9 * 8 * 4, 14);
    const w = values(3 * 3 * 4 * 8, 15);
    const run = () => {
      const xt = tf.tensor4d(x, [2, 9, 8, 4]);
      const wt = tf.tensor4d(w, [3, 3, 4, 8]);
      return [
        tf.conv2d(xt, wt, 1, 'same', 'NHWC', 2),
        tf.fused.conv2d({ x: xt, filter: wt, strides: 1, pad: 'valid', activation: 'elu' }),
      ];
    };
    const want = await on('cpu', run);
    const { data, programs } = await onWebgpuRecording(run);
    expectClose(data[0]!, want[0]!, 'dilated conv2d');
    expectClose(data[1]!, want[1]!, 'fused conv2d + elu');
    expect(programs.filter((k) => k.startsWith('tfbricks'))).toEqual([]);
  });

  for (const [c0, c1, c2] of [
    [3, 5, 6],
    [4, 8, 12],
  ] as const) {
    it(`a small conv net (channels ${c0}->${c1}->${c2}): variableGrads with ours, stock and cpu agree`, async ({ skip }) => {
      if (!available) return skip(skipReason);
      const xs = values(3 * 9 * 7 * c0, 6);
      const ws = [values(3 * 3 * c0 * c1, 7), values(3 * 3 * c1 * c2, 8), values(c2 * 4, 9), values(c1, 20)];
      const step = () => {
        const w1 = tf.variable(tf.tensor4d(ws[0]!, [3, 3, c0, c1]), true, 'w1');
        const b1 = tf.variable(tf.tensor1d(ws[3]!), true, 'b1');
        const w2 = tf.variable(tf.tensor4d(ws[1]!, [3, 3, c1, c2]), true, 'w2');
        const w3 = tf.variable(tf.tensor2d(ws[2]!, [c2, 4]), true, 'w3');
        const x = tf.tensor4d(xs, [3, 9, 7, c0]);
        const { value, grads } = tf.variableGrads(() => {
          let h = tf.fused.conv2d({ x, filter: w1, strides: 1, pad: 'same', bias: b1, activation: 'relu' });
          h = tf.maxPool(h, 2, 2, 'valid');
          h = tf.relu(tf.conv2d(h, w2, [2, 1], 'same'));
          const pooled = tf.mean(h, [1, 2]);
          return tf.sum(tf.square(tf.matMul(pooled, w3)));
        }, [w1, b1, w2, w3]);
        const out = [value, grads.w1!, grads.b1!, grads.w2!, grads.w3!];
        const kept = out.map((o) => o.clone());
        tf.dispose([w1, b1, w2, w3, out]);
        return kept;
      };
      const cpu = await on('cpu', step);
      registerTrainingKernels();
      const ours = await onWebgpuRecording(step);
      useStockKernels();
      const stock = await onWebgpuRecording(step);
      registerTrainingKernels();
      ['loss', 'dw1', 'db1', 'dw2', 'dw3'].forEach((name, i) => {
        expectClose(ours.data[i]!, cpu[i]!, `ours ${name}`);
        expectClose(stock.data[i]!, cpu[i]!, `stock ${name}`);
      });
      expect(ours.programs.some((k) => k.startsWith('tfbricks'))).toBe(true);
      expect(stock.programs.some((k) => k.startsWith('tfbricks'))).toBe(false);
    });
  }

  it('leaks no tensors and no GPU memory over repeated calls', async ({ skip }) => {
    if (!available) return skip(skipReason);
    registerTrainingKernels();
    const x = tf.tensor4d(values(3 * 16 * 16 * 13, 10), [3, 16, 16, 13]);
    const w = tf.tensor4d(values(3 * 3 * 13 * 37, 11), [3, 3, 13, 37]);
    const dy = tf.tensor4d(values(3 * 16 * 16 * 37, 12), [3, 16, 16, 37]);
    const x4 = tf.tensor4d(values(3 * 16 * 16 * 16, 16), [3, 16, 16, 16]);
    const w4 = tf.tensor4d(values(3 * 3 * 16 * 8, 17), [3, 3, 16, 8]);
    const dy4 = tf.tensor4d(values(3 * 16 * 16 * 8, 18), [3, 16, 16, 8]);
    const b4 = tf.tensor1d(values(8, 19));
    const once = async () => {
      const outs = [
        backpropFilter(x, dy, [3, 3, 13, 37], [1, 1], 'same'),
        tf.conv2dTranspose(dy, w, [3, 16, 16, 13], 1, 'same'),
        backpropFilter(x4, dy4, [3, 3, 16, 8], [1, 1], 'same'),
        tf.conv2dTranspose(dy4, w4, [3, 16, 16, 16], 1, 'same'),
        tf.fused.conv2d({ x: x4, filter: w4, strides: 1, pad: 'same', bias: b4, activation: 'relu' }),
      ];
      await Promise.all(outs.map((o) => o.data()));
      tf.dispose(outs);
    };
    await once();
    const tensors = tf.memory().numTensors;
    const bytes = (tf.memory() as { numBytesInGPU?: number }).numBytesInGPU;
    for (let i = 0; i < 3; i++) await once();
    expect(tf.memory().numTensors).toBe(tensors);
    expect((tf.memory() as { numBytesInGPU?: number }).numBytesInGPU).toBeLessThanOrEqual(bytes!);
    expect(bytes).toBeTypeOf('number');
    tf.dispose([x, w, dy, x4, w4, dy4, b4]);
  });

  it('the plugin option and TFBRICKS_WEBGPU_STOCK_KERNELS=1 leave the stock kernels in place', async ({ skip }) => {
    if (!available) return skip(skipReason);
    useStockKernels();
    await webgpuBackend({ trainingKernels: false }).init();
    expect(trainingKernelsActive()).toBe(false);
    process.env.TFBRICKS_WEBGPU_STOCK_KERNELS = '1';
    try {
      await webgpuBackend().init();
      expect(trainingKernelsActive()).toBe(false);
    } finally {
      delete process.env.TFBRICKS_WEBGPU_STOCK_KERNELS;
    }
    await webgpuBackend().init();
    expect(trainingKernelsActive()).toBe(true);
  });
});

describe('tiledPrograms: false (the SwiftShader default)', () => {
  it('keeps channel counts outside the vec4 programs on the stock kernels, with the same numbers', async ({ skip }) => {
    if (!available) return skip(skipReason);
    const grads = () => {
      const x = tf.tensor4d(values(2 * 6 * 6 * 3, 31), [2, 6, 6, 3]);
      const f = tf.tensor4d(values(3 * 3 * 3 * 5, 32), [3, 3, 3, 5]);
      const g = tf.grads((xi: tf.Tensor, fi: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, 1, 'same'))))([x, f]);
      tf.dispose([x, f]);
      return g;
    };
    const cpu = await on('cpu', grads);
    try {
      registerTrainingKernels({ tiledPrograms: true });
      const tiled = await onWebgpuRecording(grads);
      expect(tiled.programs).toContain('tfbricksConv2DFilterGradGemm');
      registerTrainingKernels({ tiledPrograms: false });
      const stockPath = await onWebgpuRecording(grads);
      expect(stockPath.programs.filter((k) => k.endsWith('Gemm'))).toEqual([]);
      expect(trainingKernelsActive()).toBe(true);
      cpu.forEach((want, i) => {
        expectClose(tiled.data[i]!, want, `tiled grad ${i}`);
        expectClose(stockPath.data[i]!, want, `stock-routed grad ${i}`);
      });
    } finally {
      registerTrainingKernels({ tiledPrograms: true });
    }
  });
});

/** Run `fn` on webgpu, recording the shaderKey of every program it dispatches. */
async function onWebgpuRecording(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ data: Float32Array[]; programs: string[] }> {
  await tf.setBackend('webgpu');
  const { result, programs } = await recordingPrograms(() => on('webgpu', fn));
  return { data: result, programs };
}

function backpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: number[],
  strides: [number, number] | number,
  pad: 'same' | 'valid' | number,
): tf.Tensor {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides,
    pad,
    dataFormat: 'NHWC',
    filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
