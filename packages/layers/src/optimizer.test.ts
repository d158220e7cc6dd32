import { describe, expect, it } from 'vitest';
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { isTfbricksError } from '@tfbricks/core';
import { createOptimizer, describeOptimizer, KerasAdam } from './optimizer';

/** Runs `steps` updates of f(p) = sum(c * p^2 / 2) (gradient c * p) and returns p. */
function run(opt: tfc.Optimizer, p0: number[], c: number[], steps: number): Float32Array {
  const p = tfc.variable(tfc.tensor1d(p0), true);
  const ct = tfc.tensor1d(c);
  for (let i = 0; i < steps; i++) opt.minimize(() => tfc.div(tfc.sum(tfc.mul(ct, tfc.square(p))), 2) as tfc.Scalar, false, [p]);
  const out = p.dataSync() as Float32Array;
  p.dispose();
  ct.dispose();
  return out;
}

describe('createOptimizer', () => {
  tfc.setBackend('cpu');

  it("adam follows Keras' update (epsilon hat) with Keras defaults", () => {
    const opt = createOptimizer('adam', { learningRate: 0.1 });
    expect(opt.getClassName()).toBe(KerasAdam.className);
    expect(opt.getConfig()).toEqual({ learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: 0 });
    const p0 = [1, -2, 1e-6];
    const c = [1, 0.5, 1e-3];
    const got = run(opt, p0, c, 3);
    // Reference in float64, Keras formula.
    const p = [...p0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    for (let t = 1; t <= 3; t++) {
      const lrT = (0.1 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      for (let i = 0; i < 3; i++) {
        const g = c[i] * p[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        p[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + 1e-7);
      }
    }
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(p[i], 5);
    // tfjs' own Adam puts epsilon on sqrt(v_hat): visibly different for tiny gradients.
    const tfjs = run(tfc.train.adam(0.1, 0.9, 0.999, 1e-7), p0, c, 3);
    expect(Math.abs(tfjs[2] - got[2])).toBeGreaterThan(1e-8);
    opt.dispose();
  });

  it('sgd with momentum and nesterov, rmsprop and decay follow Keras', () => {
    const sgd = run(createOptimizer('sgd', { learningRate: 0.1, momentum: 0.9 }), [1], [1], 2);
    // v1 = -0.1, p1 = 0.9; g = 0.9, v2 = -0.09 - 0.09 = -0.18, p2 = 0.72
    expect(sgd[0]).toBeCloseTo(0.72, 6);
    const nesterov = run(createOptimizer('sgd', { learningRate: 0.1, momentum: 0.9, nesterov: true }), [1], [1], 1);
    // v1 = -0.1, p1 = 1 + 0.9 * -0.1 - 0.1 = 0.81
    expect(nesterov[0]).toBeCloseTo(0.81, 6);
    const adamax = run(createOptimizer('adamax', { learningRate: 0.1 }), [1], [1], 1);
    // m = 0.1, u = 1, p = 1 - 0.1 / (1 - 0.9) * 0.1 / (1 + 1e-7)
    expect(adamax[0]).toBeCloseTo(1 - 0.1 / (1 + 1e-7), 6);
    const rms = run(createOptimizer('rmsprop', { learningRate: 0.01, decay: 1 }), [1], [1], 2);
    // step 1: a = 0.1, p = 1 - 0.01 / (sqrt(0.1) + 1e-7); step 2: lr = 0.01 / 2
    let p = 1 - 0.01 / (Math.sqrt(0.1) + 1e-7);
    const a = 0.9 * 0.1 + 0.1 * p * p;
    p -= (0.005 * p) / (Math.sqrt(a) + 1e-7);
    expect(rms[0]).toBeCloseTo(p, 6);
  });

  it('tfjs-backed optimizers get Keras defaults and can be described for saving', () => {
    const o = createOptimizer('adadelta', { learningRate: 0.001 });
    expect(describeOptimizer(o)).toEqual({ name: 'adadelta', options: { learningRate: 0.001, rho: 0.95, epsilon: 1e-7 } });
    expect(describeOptimizer(createOptimizer('adagrad', { learningRate: 0.01 }))?.options.initialAccumulatorValue).toBe(0.1);
    expect(describeOptimizer(tfc.train.momentum(0.1, 0.9))).toBeUndefined();
  });

  it('bad names and options are usage errors naming the input', () => {
    const bad = (f: () => unknown, text: string) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(isTfbricksError(e) && e.usage).toBe(true);
        expect((e as Error).message).toContain(text);
      }
    };
    bad(() => createOptimizer('adamw', { learningRate: 0.1 }), '"adamw"');
    bad(() => createOptimizer('adam', { learningRate: -1 }), '"learningRate"');
    bad(() => createOptimizer('adam', { learningRate: 0.1, momentum: 0.9 }), '"momentum"');
    bad(() => createOptimizer('adam', { learningRate: 0.1, beta1: 1 }), '"beta1"');
    bad(() => createOptimizer('sgd', { learningRate: 0.1, nesterov: 1 as unknown as boolean }), '"nesterov"');
  });
});
