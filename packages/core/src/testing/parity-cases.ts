import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';

/**
 * The ops and gradients the CIFAR-10 recipe needs, as cross-backend parity cases.
 *
 * Every case builds its inputs from a seeded {@link Rng} (plain arrays, identical on every
 * backend), runs synchronously inside `tf.tidy` on the active backend and returns named
 * output tensors (values and gradients). The runner compares each output against the cpu
 * backend with `|actual − expected| ≤ atol + rtol·|expected|`.
 *
 * Tolerances: the starting point is atol = rtol = 1e-3 ({@link DEFAULT_PARITY_TOLERANCE}).
 * Cases that only move or select values (relu, gather, mirror, max pool and its gradient,
 * global max pool, dropout at inference) are compared exactly (0, 0); float32 arithmetic
 * cases are tightened to what WebGPU on lavapipe achieves, with a 5–10× margin: conv,
 * dense, mean, softmax/cross-entropy and their gradients 2e-5 + 2e-5·|e|; Adam 1e-6 + 1e-5·|e|;
 * resize-bilinear, transform and the composed warp 1e-5 + 1e-5·|e|. Backends that compute
 * in reduced precision (CUDA with TF32 on Ampere+) get {@link DEFAULT_PARITY_TOLERANCE} for
 * every non-exact case through `ParityOptions.tolerance`.
 */
export interface ParityTolerance {
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance (times |expected|). */
  rtol: number;
}

export const DEFAULT_PARITY_TOLERANCE: ParityTolerance = { atol: 1e-3, rtol: 1e-3 };

/** A tensor input, as plain values so that every backend gets identical data. */
export interface ParityInput {
  shape: number[];
  values: number[];
  dtype?: 'float32' | 'int32';
}

/** The minimal slice of `@tensorflow/tfjs-layers` the dropout case needs (core does not depend on layers). */
export interface ParityLayers {
  dropout(args: { rate: number; seed?: number }): { apply(x: tf.Tensor, kwargs?: { training?: boolean }): tf.Tensor | tf.Tensor[] | unknown };
}

export interface ParityRunContext {
  /** Present when the caller passed `@tensorflow/tfjs-layers`. */
  layers?: ParityLayers;
}

export interface ParityCase {
  /** Unique, human-readable, e.g. `conv2d same stride 2 (7x7x3 → 5)`. */
  name: string;
  /** Group for reports: conv, pool, dense, loss, optimizer, activation, image, regularization. */
  group: string;
  inputs(rng: Rng): Record<string, ParityInput>;
  /** Runs inside `tf.tidy`; returns the named outputs to compare (gradients included). */
  run(inputs: Record<string, tf.Tensor>, ctx: ParityRunContext): Record<string, tf.Tensor>;
  tolerance?: ParityTolerance;
  /** Kernels that may legitimately be missing on a backend: the case is skipped there, with the reason. */
  optionalKernels?: string[];
  /** Needs `ctx.layers`; skipped with the reason when it was not passed. */
  needsLayers?: boolean;
  /** Extra check on the reference outputs (e.g. dropout at inference is the identity). */
  check?(outputs: Record<string, { shape: number[]; values: Float32Array | Int32Array | Uint8Array }>, inputs: Record<string, ParityInput>): string | undefined;
}

// ----- input helpers -------------------------------------------------------------------

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function normalInput(rng: Rng, shape: number[], std = 1): ParityInput {
  const values = new Array<number>(size(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal(0, std);
  return { shape, values };
}

export function uniformInput(rng: Rng, shape: number[], low = 0, high = 1): ParityInput {
  const values = new Array<number>(size(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(low, high);
  return { shape, values };
}

function oneHot(rng: Rng, rows: number, classes: number): ParityInput {
  const values = new Array<number>(rows * classes).fill(0);
  for (let r = 0; r < rows; r++) values[r * classes + rng.int(0, classes)] = 1;
  return { shape: [rows, classes], values };
}

/** Value and gradients of `sum(f(...xs) * dy)` w.r.t. every x: a random upstream gradient, not all ones. */
function withGrads(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  xs: tf.Tensor[],
  dy: tf.Tensor,
  names: string[],
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = { y: f(...xs) };
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), dy)))(xs);
  grads.forEach((g, i) => {
    out[`d${names[i]}`] = g;
  });
  return out;
}

// ----- cases ---------------------------------------------------------------------------

// Measured on WebGPU (Dawn on lavapipe) against cpu: conv/dense/gradients differ by at most
// ~1.3e-5 absolute (worst |diff|/(1e-4 + 1e-4·|e|) ≈ 0.02); 2e-5 + 2e-5·|e| leaves a 5–10× margin.
const ARITH: ParityTolerance = { atol: 2e-5, rtol: 2e-5 };
const EXACT: ParityTolerance = { atol: 0, rtol: 0 };

function conv2dCase(x: number[], w: number[], strides: 1 | 2, pad: 'same' | 'valid'): ParityCase {
  const outShape = (s: number) => (pad === 'same' ? Math.ceil(s / strides) : Math.ceil((s - w[0] + 1) / strides));
  return {
    name: `conv2d ${pad} stride ${strides} (${x.slice(1).join('x')} → ${w[3]}): y, dx, dw`,
    group: 'conv',
    inputs: (rng) => ({
      x: normalInput(rng, x),
      w: normalInput(rng, w, 0.3),
      dy: normalInput(rng, [x[0], outShape(x[1]), outShape(x[2]), w[3]]),
    }),
    run: ({ x: xt, w: wt, dy }) =>
      withGrads((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), [xt, wt], dy, ['x', 'w']),
    tolerance: ARITH,
  };
}

function fusedConvCase(x: number[], w: number[], strides: 1 | 2, pad: 'same' | 'valid'): ParityCase {
  const outShape = (s: number) => (pad === 'same' ? Math.ceil(s / strides) : Math.ceil((s - w[0] + 1) / strides));
  return {
    name: `fused conv2d + bias + relu ${pad} stride ${strides} (${x.slice(1).join('x')} → ${w[3]}): y, dx, dw, dbias`,
    group: 'conv',
    inputs: (rng) => ({
      x: normalInput(rng, x),
      w: normalInput(rng, w, 0.3),
      bias: normalInput(rng, [w[3]], 0.5),
      dy: normalInput(rng, [x[0], outShape(x[1]), outShape(x[2]), w[3]]),
    }),
    run: ({ x: xt, w: wt, bias, dy }) =>
      withGrads(
        (a, b, c) => tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides, pad, bias: c, activation: 'relu' }),
        [xt, wt, bias],
        dy,
        ['x', 'w', 'bias'],
      ),
    tolerance: ARITH,
  };
}

function maxPoolCase(x: number[], pad: 'same' | 'valid'): ParityCase {
  const o = (s: number) => (pad === 'same' ? Math.ceil(s / 2) : Math.floor(s / 2));
  return {
    name: `maxPool 2x2 stride 2 ${pad} (${x.slice(1).join('x')}): y, dx`,
    group: 'pool',
    inputs: (rng) => ({ x: normalInput(rng, x), dy: normalInput(rng, [x[0], o(x[1]), o(x[2]), x[3]]) }),
    run: ({ x: xt, dy }) => withGrads((a) => tf.maxPool(a as tf.Tensor4D, 2, 2, pad), [xt], dy, ['x']),
    tolerance: EXACT,
  };
}

/**
 * Bilinear affine warp built from elementary ops, as an augmentation would compose it;
 * `matrix` is tf.image.transform's `[a0, a1, a2, b0, b1, b2]` (output → input), fill 0.
 */
export function composedAffineWarp(image: tf.Tensor4D, matrix: number[]): tf.Tensor4D {
  const [n, h, w, c] = image.shape;
  const [a0, a1, a2, b0, b1, b2] = matrix;
  const xsOut = tf.tile(tf.reshape(tf.range(0, w, 1, 'float32'), [1, w]), [h, 1]);
  const ysOut = tf.tile(tf.reshape(tf.range(0, h, 1, 'float32'), [h, 1]), [1, w]);
  // Source coordinates (output → input), as tf.image.transform defines them.
  const xs = tf.add(tf.add(tf.mul(xsOut, a0), tf.mul(ysOut, a1)), a2);
  const ys = tf.add(tf.add(tf.mul(xsOut, b0), tf.mul(ysOut, b1)), b2);
  const x0 = tf.floor(xs);
  const y0 = tf.floor(ys);
  const fx = tf.sub(xs, x0);
  const fy = tf.sub(ys, y0);
  const flat = tf.reshape(image, [n * h * w, c]);
  const batchOffset = tf.reshape(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(h * w, 'int32')), [n, 1, 1]);
  const sample = (xi: tf.Tensor, yi: tf.Tensor): tf.Tensor => {
    const inside = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(xi, 0), tf.lessEqual(xi, w - 1)),
      tf.logicalAnd(tf.greaterEqual(yi, 0), tf.lessEqual(yi, h - 1)),
    );
    const xc = tf.cast(tf.clipByValue(xi, 0, w - 1), 'int32');
    const yc = tf.cast(tf.clipByValue(yi, 0, h - 1), 'int32');
    const index = tf.add(batchOffset, tf.add(tf.mul(yc, tf.scalar(w, 'int32')), xc)); // [n, h, w], int32
    const values = tf.reshape(tf.gather(flat, tf.reshape(index, [-1])), [n, h, w, c]);
    const mask = tf.reshape(inside, [1, h, w, 1]);
    return tf.where(tf.broadcastTo(mask, [n, h, w, c]), values, tf.zerosLike(values));
  };
  const x1 = tf.add(x0, 1);
  const y1 = tf.add(y0, 1);
  const wx = tf.reshape(fx, [1, h, w, 1]);
  const wy = tf.reshape(fy, [1, h, w, 1]);
  const one = tf.scalar(1);
  const top = tf.add(tf.mul(sample(x0, y0), tf.sub(one, wx)), tf.mul(sample(x1, y0), wx));
  const bottom = tf.add(tf.mul(sample(x0, y1), tf.sub(one, wx)), tf.mul(sample(x1, y1), wx));
  return tf.add(tf.mul(top, tf.sub(one, wy)), tf.mul(bottom, wy)) as tf.Tensor4D;
}

/** Rotation by `angle` and scale `s` about the image centre, plus a shift: output → input coordinates. */
export function affineMatrix(h: number, w: number, angle: number, s: number, dx: number, dy: number): number[] {
  const cos = Math.cos(angle) / s;
  const sin = Math.sin(angle) / s;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  return [cos, -sin, cx - cos * cx + sin * cy + dx, sin, cos, cy - sin * cx - cos * cy + dy];
}

const IMAGE = [2, 9, 11, 3];

/** The case list: every op and gradient the recipe needs. */
export function parityCases(): ParityCase[] {
  return [
    {
      name: 'relu: y, dx',
      group: 'activation',
      inputs: (rng) => ({ x: normalInput(rng, [2, 5, 5, 3]), dy: normalInput(rng, [2, 5, 5, 3]) }),
      run: ({ x, dy }) => withGrads((a) => tf.relu(a), [x], dy, ['x']),
      tolerance: EXACT,
    },
    conv2dCase([2, 7, 7, 3], [3, 3, 3, 5], 1, 'same'),
    conv2dCase([2, 7, 7, 3], [3, 3, 3, 5], 2, 'same'),
    conv2dCase([2, 7, 7, 3], [3, 3, 3, 5], 1, 'valid'),
    conv2dCase([2, 9, 9, 6], [3, 3, 6, 10], 2, 'valid'),
    fusedConvCase([2, 9, 9, 6], [3, 3, 6, 10], 1, 'same'),
    fusedConvCase([2, 7, 7, 3], [3, 3, 3, 5], 2, 'valid'),
    maxPoolCase([2, 8, 8, 5], 'valid'),
    maxPoolCase([1, 7, 7, 3], 'same'),
    {
      name: 'global max pool (max over axes 1,2): y, dx',
      group: 'pool',
      inputs: (rng) => ({ x: normalInput(rng, [3, 5, 5, 7]), dy: normalInput(rng, [3, 7]) }),
      run: ({ x, dy }) => withGrads((a) => tf.max(a, [1, 2]), [x], dy, ['x']),
      tolerance: EXACT,
    },
    {
      name: 'global average pool (mean over axes 1,2): y, dx',
      group: 'pool',
      inputs: (rng) => ({ x: normalInput(rng, [3, 5, 5, 7]), dy: normalInput(rng, [3, 7]) }),
      run: ({ x, dy }) => withGrads((a) => tf.mean(a, [1, 2]), [x], dy, ['x']),
      tolerance: ARITH,
    },
    {
      name: 'dense (matMul + bias) 4x12 · 12x10: y, dx, dw, db',
      group: 'dense',
      inputs: (rng) => ({ x: normalInput(rng, [4, 12]), w: normalInput(rng, [12, 10], 0.3), b: normalInput(rng, [10]), dy: normalInput(rng, [4, 10]) }),
      run: ({ x, w, b, dy }) => withGrads((a, c, d) => tf.add(tf.matMul(a as tf.Tensor2D, c as tf.Tensor2D), d), [x, w, b], dy, ['x', 'w', 'b']),
      tolerance: ARITH,
    },
    {
      name: 'matMul odd sizes 17x75 · 75x33: y, da, db',
      group: 'dense',
      inputs: (rng) => ({ a: normalInput(rng, [17, 75]), b: normalInput(rng, [75, 33], 0.2), dy: normalInput(rng, [17, 33]) }),
      run: ({ a, b, dy }) => withGrads((p, q) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), [a, b], dy, ['a', 'b']),
      tolerance: ARITH,
    },
    {
      name: 'softmax + categorical cross-entropy (Keras, clipped probabilities) and softmaxCrossEntropy: loss, dlogits',
      group: 'loss',
      inputs: (rng) => ({ logits: normalInput(rng, [6, 10], 2), labels: oneHot(rng, 6, 10) }),
      run: ({ logits, labels }) => {
        const keras = (z: tf.Tensor) => {
          const p = tf.softmax(z);
          const clipped = tf.clipByValue(p, 1e-7, 1 - 1e-7);
          return tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.log(clipped)), -1)));
        };
        const dKeras = tf.grad((z: tf.Tensor) => keras(z))(logits);
        const dFused = tf.grad((z: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, z))(logits);
        return {
          softmax: tf.softmax(logits),
          loss: keras(logits),
          lossFused: tf.losses.softmaxCrossEntropy(labels, logits),
          dlogits: dKeras,
          dlogitsFused: dFused,
        };
      },
      tolerance: ARITH,
    },
    {
      name: 'one Adam step (lr 0.01) then two more on a dense least-squares loss: updated weights',
      group: 'optimizer',
      inputs: (rng) => ({ w0: normalInput(rng, [5, 4], 0.5), x: normalInput(rng, [8, 5]), t: normalInput(rng, [8, 4]) }),
      run: ({ w0, x, t }) => {
        const w = tf.variable(w0.clone(), true, undefined, 'float32');
        const optimizer = tf.train.adam(0.01);
        const loss = () => tf.mean(tf.square(tf.sub(tf.matMul(x as tf.Tensor2D, w as unknown as tf.Tensor2D), t))) as tf.Scalar;
        optimizer.minimize(loss, false, [w]);
        const afterOne = w.clone();
        optimizer.minimize(loss, false, [w]);
        optimizer.minimize(loss, false, [w]);
        const afterThree = w.clone();
        optimizer.dispose();
        w.dispose();
        return { afterOne, afterThree };
      },
      tolerance: { atol: 1e-6, rtol: 1e-5 },
    },
    {
      name: 'dropout (rate 0.5) at inference is the identity',
      group: 'regularization',
      needsLayers: true,
      inputs: (rng) => ({ x: normalInput(rng, [4, 3, 3, 8]) }),
      run: ({ x }, ctx) => {
        const layer = ctx.layers!.dropout({ rate: 0.5, seed: 1 });
        const y = layer.apply(x, { training: false }) as tf.Tensor;
        return { y: y === x ? x.clone() : y };
      },
      check: (outputs, inputs) => {
        const y = outputs.y.values;
        const x = inputs.x.values;
        for (let i = 0; i < x.length; i++) if (y[i] !== Math.fround(x[i])) return `dropout at inference changed element ${i}: ${x[i]} → ${y[i]}`;
        return undefined;
      },
      tolerance: EXACT,
    },
    {
      name: 'image: mirror (reverse axis 2) and flipLeftRight',
      group: 'image',
      inputs: (rng) => ({ x: uniformInput(rng, IMAGE) }),
      run: ({ x }) => ({ reversed: tf.reverse(x, 2), flipped: tf.image.flipLeftRight(x as tf.Tensor4D) }),
      tolerance: EXACT,
    },
    {
      name: 'image: gather along width and height (int32 indices)',
      group: 'image',
      inputs: (rng) => ({
        x: uniformInput(rng, IMAGE),
        cols: { shape: [11], values: Array.from(rng.permutation(11)), dtype: 'int32' },
        rows: { shape: [5], values: [8, 0, 3, 3, 7], dtype: 'int32' },
      }),
      run: ({ x, cols, rows }) => ({ byCols: tf.gather(x, cols, 2), byRows: tf.gather(x, rows, 1) }),
      tolerance: EXACT,
    },
    {
      name: 'image: resizeBilinear up/down (alignCorners, halfPixelCenters)',
      group: 'image',
      inputs: (rng) => ({ x: uniformInput(rng, IMAGE) }),
      run: ({ x }) => {
        const img = x as tf.Tensor4D;
        return {
          up: tf.image.resizeBilinear(img, [13, 17]),
          down: tf.image.resizeBilinear(img, [5, 6]),
          alignCorners: tf.image.resizeBilinear(img, [13, 17], true),
          halfPixel: tf.image.resizeBilinear(img, [13, 17], false, true),
        };
      },
      tolerance: { atol: 1e-5, rtol: 1e-5 },
    },
    {
      // One image: in tfjs 4.22 the Transform kernel is wrong for every image after the first
      // in a batch (cpu returns zeros for them even under the identity transform; webgpu returns
      // other wrong values), so only single-image results can be compared. Augmentations should
      // transform image by image, or use a composed warp like composedAffineWarp below.
      name: 'image: tf.image.transform (bilinear rotation+zoom, nearest integer shift with reflect)',
      group: 'image',
      optionalKernels: ['Transform'],
      inputs: (rng) => ({ x: uniformInput(rng, [1, ...IMAGE.slice(1)]) }),
      run: ({ x }) => {
        const img = x as tf.Tensor4D;
        const m = affineMatrix(IMAGE[1], IMAGE[2], 0.3, 1.1, 0.37, -0.61);
        return {
          bilinear: tf.image.transform(img, tf.tensor2d([[...m, 0, 0]]), 'bilinear', 'constant', 0),
          nearest: tf.image.transform(img, tf.tensor2d([[1, 0, -2, 0, 1, 3, 0, 0]]), 'nearest', 'reflect'),
        };
      },
      tolerance: { atol: 1e-5, rtol: 1e-5 },
    },
    {
      name: 'image: composed affine warp (gather, mul/add, floor, clip, where) and a horizontal flip by gather',
      group: 'image',
      inputs: (rng) => ({ x: uniformInput(rng, IMAGE) }),
      run: ({ x }) => {
        const img = x as tf.Tensor4D;
        const w = IMAGE[2];
        return {
          warped: composedAffineWarp(img, affineMatrix(IMAGE[1], w, -0.2, 0.9, 1.3, 0.45)),
          flipByGather: tf.gather(img, tf.range(w - 1, -1, -1, 'int32'), 2),
        };
      },
      tolerance: { atol: 1e-5, rtol: 1e-5 },
    },
  ];
}
