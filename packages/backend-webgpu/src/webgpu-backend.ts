import type { BackendPlugin } from '@tfbricks/core';
import { TfbricksError, errorMessage, installCommand } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-core';
import { describeAdapter } from './adapter-info';
import { MESA_HINT, ensureNavigatorGpu } from './navigator-gpu';
import { defaultTiledPrograms } from './tiled-default';

export interface WebGpuBackendOptions {
  /** Automatic-selection priority (default 50: above cpu, below cuda). */
  priority?: number;
  /** Dawn toggles for Node, passed to the `webgpu` package's `create()` (first creation in the process wins). */
  dawnFlags?: string[];
  /** Loads the `webgpu` package in Node (default: a lazy `import('webgpu')`); injectable for tests. */
  loadWebGpu?: () => Promise<unknown>;
  /** `requestAdapter` power preference. */
  powerPreference?: 'low-power' | 'high-performance';
  /** Replace tfjs' naive training kernels with tfbricks' WGSL ones (default true; env `TFBRICKS_WEBGPU_STOCK_KERNELS=1` turns them off). */
  trainingKernels?: boolean;
  /**
   * Let the training kernels use their tiled (workgroup-memory) programs where the vec4 ones
   * do not apply (channel counts not divisible by 4, e.g. an RGB first layer). Default: true
   * except on SwiftShader (Chromium's software adapter, in the browser or loaded by Dawn),
   * which never finishes compiling them — there those cases use tfjs' stock kernels. So the
   * same GPU runs the same kernels in a browser and in Node.
   */
  tiledPrograms?: boolean;
}

/** The WebGPU backend: native `navigator.gpu` in browsers, Dawn (`webgpu` package) in Node. */
export function webgpuBackend(options: WebGpuBackendOptions = {}): BackendPlugin {
  return {
    name: 'webgpu',
    tfjsBackend: 'webgpu',
    priority: options.priority ?? 50,
    description: 'WebGPU via @tensorflow/tfjs-backend-webgpu (browser, or Dawn in Node)',
    capabilities: { training: true, float32: true, gpu: true },
    async init() {
      const { gpu, source, dawnFlags } = await ensureNavigatorGpu({ dawnFlags: options.dawnFlags, loadWebGpu: options.loadWebGpu });
      let adapter: unknown;
      try {
        adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
      } catch (error) {
        throw new TfbricksError('E_BACKEND_INIT', `no WebGPU adapter: requestAdapter() failed: ${errorMessage(error).split('\n').join(' ')}`, {
          hint: MESA_HINT,
          cause: error,
          details: { backend: 'webgpu', kind: 'no-adapter' },
        });
      }
      if (!adapter) {
        throw new TfbricksError('E_BACKEND_INIT', 'no WebGPU adapter found (requestAdapter() returned null)', {
          hint: MESA_HINT,
          details: { backend: 'webgpu', kind: 'no-adapter' },
        });
      }
      const device = await describeAdapter(adapter, source);
      if (dawnFlags?.length) device.dawnFlags = dawnFlags;
      try {
        await import('@tensorflow/tfjs-backend-webgpu');
      } catch (error) {
        throw new TfbricksError('E_BACKEND_INIT', `cannot load @tensorflow/tfjs-backend-webgpu: ${errorMessage(error)}`, {
          hint: `install it: ${installCommand(['@tensorflow/tfjs-backend-webgpu'])} (same version as @tensorflow/tfjs-core)`,
          cause: error,
          details: { backend: 'webgpu', kind: 'tfjs-backend-missing' },
        });
      }
      if (!tf.findBackendFactory('webgpu')) {
        throw new TfbricksError('E_BACKEND_INIT', '@tensorflow/tfjs-backend-webgpu loaded but registered no "webgpu" backend (it saw no navigator.gpu)', {
          hint: 'do not import @tensorflow/tfjs-backend-webgpu yourself before the registry initialises this backend',
          details: { backend: 'webgpu', kind: 'tfjs-backend-unregistered' },
        });
      }
      if ((options.trainingKernels ?? true) && globalThis.process?.env?.TFBRICKS_WEBGPU_STOCK_KERNELS !== '1') {
        (await import('./kernels')).registerTrainingKernels({ tiledPrograms: options.tiledPrograms ?? defaultTiledPrograms(device) });
      }
      return { device };
    },
  };
}
