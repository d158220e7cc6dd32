import * as tf from '@tensorflow/tfjs-core';
import { isTfbricksError } from '@tfbricks/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator, type TransformParams, kerasAffineMap, mapCoordinate, planSampling, setResampleKernelsEnabled } from '../src';
import { applySamplingPlan, composedSample } from '../src/batched-ops';
import { maxAbsDiff, useBackend } from './helpers';

/** h x w x 1 image with value 10*row + col. */
function ramp(h: number, w: number): tf.Tensor3D {
  return tf.tensor3d(Float32Array.from({ length: h * w }, (_, k) => 10 * Math.floor(k / w) + (k % w)), [h, w, 1]);
}
async function grid(t: tf.Tensor): Promise<number[][]> {
  const [h, w] = t.shape;
  const d = await t.data();
  return Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => Math.round(d[(i * w + j) * (t.shape[2] ?? 1)] * 1e4) / 1e4));
}
function transform(x: tf.Tensor3D, p: TransformParams, fillMode: 'nearest' | 'constant' | 'reflect' | 'wrap' = 'nearest', order: 0 | 1 = 1, cval = -1): tf.Tensor3D {
  return new ImageDataGenerator({ fillMode, interpolationOrder: order, cval }).applyTransform(x, p);
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('analytic transforms (Keras 1.1.2 conventions)', () => {
  it('integer shifts: tx moves columns (reads column j + tx), ty moves rows, as Keras actually does', async () => {
    const x = ramp(4, 5);
    for (const order of [0, 1] as const) {
      const y = transform(x, { tx: 1 }, 'nearest', order);
      expect(await grid(y)).toEqual([
        [1, 2, 3, 4, 4],
        [11, 12, 13, 14, 14],
        [21, 22, 23, 24, 24],
        [31, 32, 33, 34, 34],
      ]);
      const z = transform(x, { ty: -2 }, 'nearest', order);
      expect((await grid(z)).map((r) => r[0])).toEqual([0, 0, 0, 10]);
      tf.dispose([y, z]);
    }
    x.dispose();
  });

  it('each fill mode at the border (shift by 2 rows, 4-row image)', async () => {
    const x = ramp(4, 3);
    const col0 = async (mode: 'nearest' | 'constant' | 'reflect' | 'wrap') => {
      const y = transform(x, { ty: -2 }, mode, 1, -1);
      const g = (await grid(y)).map((r) => r[0]);
      y.dispose();
      return g;
    };
    expect(await col0('nearest')).toEqual([0, 0, 0, 10]); // a a | a b c d
    expect(await col0('constant')).toEqual([-1, -1, 0, 10]); // cval outside
    expect(await col0('reflect')).toEqual([10, 0, 0, 10]); // b a | a b c d (half-sample symmetric)
    expect(await col0('wrap')).toEqual([10, 20, 0, 10]); // scipy's wrap: period n-1 = 3
    x.dispose();
  });

  it('constant mode: strictly outside [0, n-1] is cval, even a hair outside; bilinear inside', () => {
    expect(mapCoordinate(-1e-9, 5, 'constant')).toBeNaN();
    expect(mapCoordinate(4 + 1e-9, 5, 'constant')).toBeNaN();
    expect(mapCoordinate(4, 5, 'constant')).toBe(4);
    expect(mapCoordinate(-0.5, 5, 'nearest')).toBe(0);
    expect(mapCoordinate(-1.5, 5, 'reflect')).toBe(0.5);
    expect(mapCoordinate(9.5, 5, 'reflect')).toBe(-0.5);
    expect(mapCoordinate(-0.5, 5, 'wrap')).toBe(3.5);
    expect(mapCoordinate(4.5, 5, 'wrap')).toBe(0.5);
  });

  it('theta = 90 is numpy rot90 (counter-clockwise in array coordinates), about the centre', async () => {
    for (const [h, order] of [[4, 1], [5, 0], [6, 1]] as const) {
      const x = ramp(h, h);
      const y = transform(x, { theta: 90 }, 'nearest', order);
      const g = await grid(x);
      const rot = g.map((_, i) => g.map((__, j) => g[j][h - 1 - i]));
      const got = await grid(y);
      expect(maxAbsDiff(got.flat(), rot.flat())).toBeLessThan(1e-4);
      const y180 = transform(x, { theta: 180 }, 'nearest', order);
      expect(maxAbsDiff((await grid(y180)).flat(), g.map((r) => [...r].reverse()).reverse().flat())).toBeLessThan(1e-4);
      tf.dispose([x, y, y180]);
    }
  });

  it('flips are exact permutations; zoom 1 / theta 0 / no params copy the input bit for bit', async () => {
    const x = ramp(3, 4);
    const h = transform(x, { flipHorizontal: true });
    const v = transform(x, { flipVertical: true });
    const id = transform(x, { theta: 0, zx: 1, zy: 1, tx: 0 });
    const g = await grid(x);
    expect(await grid(h)).toEqual(g.map((r) => [...r].reverse()));
    expect(await grid(v)).toEqual([...g].reverse());
    expect(Array.from(await id.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, h, v, id]);
  });

  it("zoom: zx scales Keras' first axis, which after its swap is the columns", () => {
    const m = kerasAffineMap({ zx: 2 }, 5, 5)!;
    expect(m.a00).toBe(1);
    expect(m.a11).toBe(2);
    expect(m.o1).toBeCloseTo(-2, 12); // centre (2, 2) is fixed
  });

  it('channel shift: clip(x + s, min(x), max(x)) over the whole image', async () => {
    const x = tf.tensor3d([0, 0.5, 1, 0.25], [1, 2, 2]);
    const y = transform(x, { channelShiftIntensity: 0.3 });
    expect(maxAbsDiff(await y.data(), [0.3, 0.8, 1, 0.55])).toBeLessThan(1e-6);
    tf.dispose([x, y]);
  });

  it('brightness goes through PIL like Keras: 0..255 scale, truncations, clipping', async () => {
    const a = tf.tensor3d([0.125, 0.25, 0.5, 1], [1, 4, 1]);
    const ya = transform(a, { brightness: 1.5 });
    expect(Array.from(await ya.data())).toEqual([46, 94, 190, 255]);
    const b = tf.tensor3d([-1, 0, 1, 3], [1, 4, 1]);
    const yb = transform(b, { brightness: 0.5 });
    expect(Array.from(await yb.data())).toEqual([0, 31, 63, 127]);
    const z = tf.zeros([2, 2, 3]) as tf.Tensor3D;
    const yz = transform(z, { brightness: 2 });
    expect(Array.from(await yz.data())).toEqual(new Array(12).fill(0));
    tf.dispose([a, ya, b, yb, z, yz]);
  });

  it('a batch in one call equals each image transformed alone; the composed fallback gives the same numbers', async () => {
    const gen = new ImageDataGenerator({ rotationRange: 40, widthShiftRange: 0.3, heightShiftRange: 3, shearRange: 10, zoomRange: 0.2, horizontalFlip: true, verticalFlip: true, channelShiftRange: 0.1, fillMode: 'constant', cval: 0.25 });
    const batch = tf.randomUniform([6, 7, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const params = gen.getRandomTransform(batch.shape, 99) as TransformParams[];
    const all = gen.applyTransform(batch, params);
    const data = await all.data();
    for (let i = 0; i < 6; i++) {
      const one = tf.tidy(() => gen.applyTransform(tf.squeeze(tf.slice(batch, [i, 0, 0, 0], [1, 7, 9, 3]), [0]) as tf.Tensor3D, params[i]));
      expect(maxAbsDiff(await one.data(), data.subarray(i * 189, (i + 1) * 189))).toBeLessThan(1e-6);
      one.dispose();
    }
    setResampleKernelsEnabled(false);
    try {
      const composed = gen.applyTransform(batch, params);
      expect(maxAbsDiff(await composed.data(), data)).toBeLessThan(1e-6);
      composed.dispose();
    } finally {
      setResampleKernelsEnabled(true);
    }
    const plan = planSampling([{ map: kerasAffineMap({ theta: 30 }, 7, 9), flipHorizontal: false, flipVertical: false }], 7, 9, 1, 'constant');
    expect(plan.usesCval).toBe(true);
    const c = tf.tidy(() => composedSample(tf.reshape(tf.slice(batch, [0, 0, 0, 0], [1, 7, 9, 3]), [63, 3]) as tf.Tensor2D, plan, 0.25, [1, 7, 9, 3]));
    expect(c.shape).toEqual([1, 7, 9, 3]);
    tf.dispose([batch, all, c]);
  });
});

describe('the three execution paths agree (cpu one-pass kernel, planned kernel, composed gather)', () => {
  for (const mode of ['nearest', 'constant', 'reflect', 'wrap'] as const) {
    for (const order of [0, 1] as const) {
      it(`${mode}, order ${order}`, async () => {
        const gen = new ImageDataGenerator({ rotationRange: 180, widthShiftRange: 6, heightShiftRange: 0.5, shearRange: 30, zoomRange: 0.5, horizontalFlip: true, verticalFlip: true, fillMode: mode, interpolationOrder: order, cval: 0.75 });
        const x = tf.randomUniform([5, 6, 7, 2], 0, 1, 'float32', 11) as tf.Tensor4D;
        const params = gen.getRandomTransform(x.shape, 4) as TransformParams[];
        const direct = gen.applyTransform(x, params); // cpu: one-pass kernel
        const geometries = params.map((p) => ({ map: kerasAffineMap(p, 6, 7), flipHorizontal: Boolean(p.flipHorizontal), flipVertical: Boolean(p.flipVertical) }));
        const plan = planSampling(geometries, 6, 7, order, mode);
        const planned = tf.tidy(() => applySamplingPlan(x, plan, 0.75)); // cpu: planned kernel
        const composed = tf.tidy(() => composedSample(tf.reshape(x, [210, 2]) as tf.Tensor2D, plan, 0.75, [5, 6, 7, 2]));
        const d = await direct.data();
        expect(maxAbsDiff(await planned.data(), d)).toBeLessThan(1e-6);
        expect(maxAbsDiff(await composed.data(), d)).toBeLessThan(1e-6);
        tf.dispose([x, direct, planned, composed]);
      });
    }
  }
});

describe("getRandomTransform: Keras' range semantics", () => {
  const draws = (o: ConstructorParameters<typeof ImageDataGenerator>[0], shape = [20, 10, 3]) =>
    new ImageDataGenerator(o).getRandomTransform([1000, ...shape], 7) as TransformParams[];

  it('float shift < 1 is a fraction of the size; >= 1 pixels; integer ranges draw integers; lists draw from the list', () => {
    const f = draws({ heightShiftRange: 0.2, widthShiftRange: 0.3 });
    expect(Math.max(...f.map((p) => Math.abs(p.tx!)))).toBeLessThanOrEqual(0.2 * 20);
    expect(Math.max(...f.map((p) => Math.abs(p.tx!)))).toBeGreaterThan(0.18 * 20);
    expect(Math.max(...f.map((p) => Math.abs(p.ty!)))).toBeGreaterThan(0.28 * 10);
    const px = draws({ heightShiftRange: 2.5 });
    expect(Math.max(...px.map((p) => Math.abs(p.tx!)))).toBeLessThanOrEqual(2.5);
    expect(px.some((p) => !Number.isInteger(p.tx))).toBe(true);
    const ints = draws({ heightShiftRange: 3 });
    expect(new Set(ints.map((p) => p.tx))).toEqual(new Set([-2, -1, 0, 1, 2]));
    const list = draws({ widthShiftRange: [1, 4] });
    expect(new Set(list.map((p) => p.ty))).toEqual(new Set([-4, -1, 1, 4]));
    const frac = draws({ widthShiftRange: [0.1, 0.5] });
    expect(new Set(frac.map((p) => Math.round(p.ty! * 1e9) / 1e9))).toEqual(new Set([-5, -1, 1, 5]));
    const forced = draws({ heightShiftRange: { uniform: 2 } });
    expect(forced.some((p) => !Number.isInteger(p.tx))).toBe(true);
  });

  it('zoom z draws zx, zy independently in [1-z, 1+z]; rotation and shear within ±range; flips ~50%', () => {
    const z = draws({ zoomRange: 0.2, rotationRange: 15, shearRange: 5, horizontalFlip: true });
    for (const p of z) {
      expect(p.zx! >= 0.8 && p.zx! < 1.2 && p.zy! >= 0.8 && p.zy! < 1.2).toBe(true);
      expect(Math.abs(p.theta!)).toBeLessThan(15);
      expect(Math.abs(p.shear!)).toBeLessThan(5);
      expect(p.flipVertical).toBe(false);
      expect(p.channelShiftIntensity).toBeNull();
      expect(p.brightness).toBeNull();
    }
    expect(z.some((p) => p.zx !== p.zy)).toBe(true);
    const flips = z.filter((p) => p.flipHorizontal).length;
    expect(flips).toBeGreaterThan(430);
    expect(flips).toBeLessThan(570);
    const pair = draws({ zoomRange: [0.5, 0.6] });
    expect(pair.every((p) => p.zx! >= 0.5 && p.zx! < 0.6)).toBe(true);
  });

  it('same seed, same draws; one HWC shape gives one parameter set', () => {
    const gen = new ImageDataGenerator({ rotationRange: 10 });
    expect(gen.getRandomTransform([8, 8, 3], 5)).toEqual(gen.getRandomTransform([8, 8, 3], 5));
    expect(Array.isArray(gen.getRandomTransform([8, 8, 3], 5))).toBe(false);
    expect(gen.getRandomTransform([8, 8, 3], 5)).not.toEqual(gen.getRandomTransform([8, 8, 3], 6));
  });
});

describe("standardize: Keras' order and semantics", () => {
  it('preprocessingFunction -> rescale -> samplewise center/std (per image) -> featurewise -> (fit) mean/std', async () => {
    const calls: number[][] = [];
    const gen = new ImageDataGenerator({
      preprocessingFunction: (b) => {
        calls.push(b.shape);
        return tf.add(b, 1);
      },
      rescale: 2,
      samplewiseStdNormalization: true,
    });
    expect(gen.samplewiseCenter).toBe(true); // Keras' override
    expect(gen.warnings.length).toBe(1);
    const x = tf.tensor4d([0, 1, 2, 3, 10, 10, 10, 14], [2, 2, 2, 1]);
    const y = gen.standardize(x);
    expect(calls).toEqual([[2, 2, 2, 1]]);
    const expected: number[] = [];
    for (const img of [[0, 1, 2, 3], [10, 10, 10, 14]]) {
      const v = img.map((a) => (a + 1) * 2);
      const m = v.reduce((s, a) => s + a, 0) / 4;
      const sd = Math.sqrt(v.reduce((s, a) => s + (a - m) ** 2, 0) / 4);
      expected.push(...v.map((a) => (a - m) / (sd + 1e-6)));
    }
    expect(maxAbsDiff(await y.data(), expected)).toBeLessThan(1e-5);
    tf.dispose([x, y]);
  });

  it('fit(): featurewise mean/std per channel; standardize then gives mean 0, std 1 on the fit data; augment+rounds works', async () => {
    const x = tf.tidy(() => tf.concat([tf.randomUniform([20, 4, 4, 1], 0, 1, 'float32', 1), tf.randomUniform([20, 4, 4, 1], 5, 9, 'float32', 2)], 3)) as tf.Tensor4D;
    const gen = new ImageDataGenerator({ featurewiseStdNormalization: true });
    expect(gen.featurewiseCenter).toBe(true);
    await gen.fit(x);
    const y = gen.standardize(x);
    const [m, v] = tf.tidy(() => {
      const mo = tf.moments(y, [0, 1, 2]);
      return [mo.mean, mo.variance];
    });
    expect(maxAbsDiff(await m.data(), [0, 0])).toBeLessThan(1e-5);
    expect(maxAbsDiff(await v.data(), [1, 1])).toBeLessThan(1e-4);
    const flipOnly = new ImageDataGenerator({ featurewiseCenter: true, horizontalFlip: true });
    await flipOnly.fit(x, { augment: true, rounds: 3, seed: 1 });
    expect(maxAbsDiff(flipOnly.mean!, gen.mean!)).toBeLessThan(1e-5); // flips keep the mean
    const shifted = new ImageDataGenerator({ featurewiseCenter: true, channelShiftRange: 0.5 });
    await shifted.fit(x, { augment: true, rounds: 2, seed: 1 });
    expect(maxAbsDiff(shifted.mean!, gen.mean!)).toBeGreaterThan(1e-3);
    tf.dispose([x, y, m, v]);
  });
});

describe('bad input: TfbricksError naming the input, the value and what is allowed', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['fillMode', () => new ImageDataGenerator({ fillMode: 'mirror' as never }), /fillMode must be one of nearest, constant, reflect, wrap; got "mirror"/],
    ['interpolationOrder', () => new ImageDataGenerator({ interpolationOrder: 3 as never }), /interpolationOrder must be 0 .* or 1 .*; got 3/],
    ['widthShiftRange', () => new ImageDataGenerator({ widthShiftRange: -1 }), /widthShiftRange must be .*; got -1/],
    ['zoomRange', () => new ImageDataGenerator({ zoomRange: [1.2, 0.8] }), /zoomRange must be .*; got \[1.2,0.8\]/],
    ['brightnessRange', () => new ImageDataGenerator({ brightnessRange: [1] as never }), /brightnessRange must be a pair/],
    ['validationSplit', () => new ImageDataGenerator({ validationSplit: 1 }), /validationSplit must be a number in \[0, 1\); got 1/],
    ['rank', () => new ImageDataGenerator().applyTransform(tf.zeros([3, 3]) as never, {}), /applyTransform x must have rank 3 \(HWC\) or 4 \(NHWC\); got shape \[3, 3\]/],
    ['seed', () => new ImageDataGenerator().apply(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, { seed: 1.5 }), /seed must be an integer; got 1.5/],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(isTfbricksError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as { usage: boolean }).usage).toBe(true);
    });
  }
});
