import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { BackendPlugin } from '../backend';
import { isTfbricksError } from '../errors';
import { createBackendRegistry } from '../registry';

export interface BackendConformanceOptions {
  /**
   * Whether init must succeed here. `'auto'` accepts either outcome, but a failure must
   * be a TfbricksError with a code and a hint. The suite prints which path it took.
   */
  expectAvailable: boolean | 'auto';
}

/**
 * The contract every backend plugin package runs on itself:
 * a well-formed plugin object, init once, a clear error when unusable, and real
 * numerics plus no tensor leaks when usable.
 */
export function describeBackendConformance(factory: () => BackendPlugin, options: BackendConformanceOptions): void {
  const probe = factory();
  describe(`backend conformance: ${probe.name}`, () => {
    it('is a well-formed plugin object', () => {
      const p = factory();
      expect(typeof p.name).toBe('string');
      expect(p.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(typeof p.tfjsBackend).toBe('string');
      expect(Number.isFinite(p.priority)).toBe(true);
      expect(typeof p.description).toBe('string');
      expect(typeof p.capabilities.training).toBe('boolean');
      expect(typeof p.capabilities.float32).toBe('boolean');
      expect(typeof p.capabilities.gpu).toBe('boolean');
      expect(typeof p.init).toBe('function');
    });

    it('initialises at most once per registry and reports the outcome', async () => {
      const plugin = factory();
      let calls = 0;
      const counted: BackendPlugin = { ...plugin, init: () => { calls++; return plugin.init(); } };
      const registry = createBackendRegistry({ env: {} }).register(counted);
      const [a, b] = await Promise.all([registry.init(plugin.name), registry.init(plugin.name)]);
      await registry.init(plugin.name);
      expect(calls).toBe(1);
      expect(a).toBe(b);
      if (a.ok) {
        console.info(`[conformance] ${plugin.name}: available on ${a.device.description}`);
        expect(typeof a.device.description).toBe('string');
        expect(a.device.description.length).toBeGreaterThan(0);
        if (options.expectAvailable === false) throw new Error(`${plugin.name} was expected to be unavailable here`);
      } else {
        console.info(`[conformance] ${plugin.name}: NOT available here (${a.reason}); usable-path checks are skipped`);
        if (options.expectAvailable === true) throw new Error(`${plugin.name} must be available here but failed: ${a.reason}`);
        expect(isTfbricksError(a.error)).toBe(true);
        const err = a.error as { code: string; hint?: string };
        expect(err.code).toMatch(/^E_[A-Z_]+$/);
        expect(err.hint ?? '').not.toBe('');
      }
    });

    it('when asked for by name: activates and computes correctly, or fails with reason and hint', async () => {
      const plugin = factory();
      const registry = createBackendRegistry({ env: { TFBRICKS_BACKEND: plugin.name } }).register(plugin);
      const outcome = await registry.init(plugin.name);
      if (!outcome.ok) {
        const error = await registry.resolve().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isTfbricksError(error)).toBe(true);
        expect((error as Error).message).toContain(plugin.name);
        expect((error as Error).message).toContain(outcome.reason);
        expect((error as { code: string }).code).toBe('E_BACKEND_INIT');
        return;
      }
      const previous = tf.getBackend();
      const resolved = await registry.resolve();
      try {
        expect(resolved.name).toBe(plugin.name);
        expect(resolved.source).toBe('env');
        expect(tf.getBackend()).toBe(plugin.tfjsBackend);
        const before = tf.memory().numTensors;
        const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
        const b = tf.tensor2d([1, 0, -1, 2, -0.5, 3], [3, 2]);
        const c = tf.tidy(() => tf.relu(tf.matMul(a, b)));
        const values = Array.from(await c.data());
        expect(values).toEqual([0, 13, 0, 28]);
        tf.dispose([a, b, c]);
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        if (previous && previous !== plugin.tfjsBackend && tf.findBackend(previous)) await tf.setBackend(previous);
      }
    });
  });
}
