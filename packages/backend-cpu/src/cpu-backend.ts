import type { BackendPlugin } from '@tfbricks/core';
import { TfbricksError, errorMessage, installCommand } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-core';

export interface CpuBackendOptions {
  /** Automatic-selection priority (default 0: below every GPU backend). */
  priority?: number;
}

function describeHost(): string {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const proc = (globalThis as { process?: { versions?: { node?: string }; arch?: string } }).process;
  if (proc?.versions?.node) return `CPU (pure JavaScript, Node ${proc.versions.node}, ${proc.arch ?? 'unknown arch'})`;
  return `CPU (pure JavaScript${nav?.hardwareConcurrency ? `, ${nav.hardwareConcurrency} logical cores` : ''})`;
}

/**
 * The pure-JS CPU backend. Always available, slow (no SIMD, one thread); the
 * reference that parity tests compare every other backend against.
 */
export function cpuBackend(options: CpuBackendOptions = {}): BackendPlugin {
  return {
    name: 'cpu',
    tfjsBackend: 'cpu',
    priority: options.priority ?? 0,
    description: 'pure-JS CPU backend (@tensorflow/tfjs-backend-cpu): works everywhere, slowest',
    capabilities: { training: true, float32: true, gpu: false },
    async init() {
      try {
        await import('@tensorflow/tfjs-backend-cpu');
      } catch (error) {
        throw new TfbricksError('E_BACKEND_INIT', `cannot load @tensorflow/tfjs-backend-cpu: ${errorMessage(error)}`, {
          hint: `install it: ${installCommand(['@tensorflow/tfjs-backend-cpu'])} (same version as @tensorflow/tfjs-core)`,
          cause: error,
        });
      }
      if (!tf.findBackendFactory('cpu')) {
        throw new TfbricksError('E_BACKEND_INIT', '@tensorflow/tfjs-backend-cpu loaded but registered no "cpu" backend', {
          hint: 'make sure @tensorflow/tfjs-backend-cpu and @tensorflow/tfjs-core are the same version and installed once',
        });
      }
      return { device: { description: describeHost(), software: true } };
    },
  };
}
