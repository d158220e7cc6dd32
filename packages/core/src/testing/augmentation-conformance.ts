import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Augmentation } from '../augmentation';
import type { BackendPlugin } from '../backend';
import { Rng } from '../random';
import { createBackendRegistry } from '../registry';

export interface AugmentationConformanceOptions {
  /**
   * Backends to run on (e.g. `() => [cpuBackend(), webgpuBackend()]`). Each one that cannot
   * start here is skipped with a printed reason; the first that starts is the reference
   * for the cross-backend parity check.
   */
  backends: () => BackendPlugin[];
  /** Input batch shape, NHWC (default [4, 9, 8, 3]). */
  shape?: readonly [number, number, number, number];
  /** Whether the transform is random: different seeds must then give different outputs (default true). */
  random?: boolean;
  /** Calls in the leak check (default 1000). */
  leakCalls?: number;
  /** Cross-backend tolerance |a - e| <= atol + rtol * |e| (default 1e-3 and 1e-3). */
  atol?: number;
  rtol?: number;
}

function batch(shape: readonly number[], seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: size }, () => rng.next()), shape as [number, number, number, number]);
}

/**
 * The contract every `Augmentation` plugin runs on itself: a well-formed object; on every
 * available backend, shape and dtype kept, the same seed gives the same output, different
 * seeds differ (random transforms), the input is neither disposed nor changed, no tensor
 * leaks over many calls; and the same seed gives the same output on every backend within
 * the parity tolerance.
 */
export function describeAugmentationConformance(factory: () => Augmentation, options: AugmentationConformanceOptions): void {
  const shape = options.shape ?? [4, 9, 8, 3];
  const random = options.random ?? true;
  const leakCalls = options.leakCalls ?? 1000;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-3;
  const probe = factory();
  const plugins = options.backends();
  let registry: ReturnType<typeof createBackendRegistry> | null = null;
  const outputs = new Map<string, Float32Array[]>();
  const seeds = [0, 1, 12345, -7];

  async function activate(name: string): Promise<boolean> {
    if (!registry) {
      registry = createBackendRegistry({ env: {} });
      for (const p of options.backends()) registry.register(p);
    }
    const outcome = await registry.init(name);
    if (!outcome.ok) {
      console.info(`[augmentation conformance] ${probe.name}: backend ${name} unavailable here (${outcome.reason}); skipped`);
      return false;
    }
    await registry.resolve({ backend: name });
    return true;
  }

  describe(`augmentation conformance: ${probe.name}`, () => {
    it('is a well-formed Augmentation', () => {
      const a = factory();
      expect(typeof a.name).toBe('string');
      expect(a.name.length).toBeGreaterThan(0);
      expect(typeof a.apply).toBe('function');
    });

    for (const plugin of plugins) {
      it(`on ${plugin.name}: shape/dtype kept, deterministic per seed, input kept, ${random ? 'seeds differ, ' : ''}no leaks`, async () => {
        if (!(await activate(plugin.name))) return;
        const aug = factory();
        const x = batch(shape, 42);
        const original = Float32Array.from(await x.data());
        const results: Float32Array[] = [];
        for (const seed of seeds) {
          const y = aug.apply(x, { seed });
          expect(y.shape).toEqual([...shape]);
          expect(y.dtype).toBe('float32');
          expect(y).not.toBe(x);
          const again = aug.apply(x, { seed });
          const a = (await y.data()) as Float32Array;
          const b = (await again.data()) as Float32Array;
          expect(Array.from(b), `seed ${seed} must reproduce`).toEqual(Array.from(a));
          for (const v of a) expect(Number.isFinite(v)).toBe(true);
          results.push(Float32Array.from(a));
          tf.dispose([y, again]);
        }
        expect(x.isDisposed).toBe(false);
        expect(Array.from(await x.data())).toEqual(Array.from(original));
        if (random) {
          const differs = results.slice(1).some((r) => r.some((v, i) => v !== results[0][i]));
          expect(differs, 'different seeds must give different outputs').toBe(true);
        }
        outputs.set(plugin.name, results);
        const before = tf.memory().numTensors;
        for (let i = 0; i < leakCalls; i++) aug.apply(x, { seed: i }).dispose();
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
      });
    }

    it('gives the same output for the same seed on every available backend', () => {
      const names = [...outputs.keys()];
      if (names.length < 2) {
        console.info(`[augmentation conformance] ${probe.name}: parity needs two backends, ran on ${names.join(', ') || 'none'}; skipped`);
        return;
      }
      const ref = outputs.get(names[0])!;
      for (const name of names.slice(1)) {
        const got = outputs.get(name)!;
        got.forEach((arr, s) => {
          let worst = 0;
          arr.forEach((v, i) => {
            const e = ref[s][i];
            worst = Math.max(worst, Math.abs(v - e) - (atol + rtol * Math.abs(e)));
          });
          expect(worst, `${name} vs ${names[0]}, seed ${seeds[s]}: excess over tolerance`).toBeLessThanOrEqual(0);
        });
      }
    });
  });
}
