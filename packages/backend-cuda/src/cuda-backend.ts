import type { BackendPlugin, DeviceInfo } from '@tfbricks/core';
import { TfbricksError, detectPackageManager } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-core';
import { rememberActiveBackend } from './active-backend';
import { type GpuProbe, cudaVisibleDevices, probeNvidiaGpus } from './gpu-probe';
import { CUDA_REQUIREMENT, TFJS_NODE_GPU, classifyLoadError } from './load-errors';

/** The tfjs backend name that @tensorflow/tfjs-node-gpu registers. */
export const TENSORFLOW_BACKEND = 'tensorflow';

export interface CudaBackendOptions {
  /** Automatic-selection priority (default 100: above webgpu and cpu). */
  priority?: number;
  /**
   * Loads `@tensorflow/tfjs-node-gpu` (default: a lazy dynamic `import()`). Injectable so
   * that tests can exercise every failure path and the success path without the module.
   */
  loadModule?: () => Promise<unknown>;
  /**
   * Lists NVIDIA GPUs for the device report (default: `nvidia-smi -L` with a 5 s timeout).
   * Pass `false` to skip the probe.
   */
  probeGpus?: (() => Promise<GpuProbe>) | false;
  /** Environment to read `CUDA_VISIBLE_DEVICES` from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

interface NodeBackendLike {
  isUsingGpuDevice?: unknown;
  isGPUPackage?: unknown;
}

const defaultLoad = (): Promise<unknown> => {
  // A variable specifier keeps bundlers and TypeScript from resolving the optional peer.
  const specifier: string = TFJS_NODE_GPU;
  return import(/* @vite-ignore */ specifier);
};

/** Whether TensorFlow placed ops on a GPU: tfjs-node's backend exposes `isUsingGpuDevice`. */
function tensorflowUsesGpu(): boolean | undefined {
  let backend: NodeBackendLike | undefined;
  try {
    backend = tf.findBackend(TENSORFLOW_BACKEND) as unknown as NodeBackendLike | undefined;
  } catch {
    return undefined;
  }
  const flag = backend?.isUsingGpuDevice;
  if (typeof flag === 'boolean') return flag;
  if (typeof flag === 'function') {
    try {
      const value = (flag as () => unknown).call(backend);
      return typeof value === 'boolean' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function noGpuHint(env: Record<string, string | undefined>, probe: GpuProbe | undefined): string {
  const parts = [
    'check that `nvidia-smi` lists a GPU (install the NVIDIA driver; in Docker run with `--gpus all`)',
  ];
  const visible = cudaVisibleDevices(env);
  if (visible) parts.push(`CUDA_VISIBLE_DEVICES is "${visible.value}"${visible.hidesAll ? ', which hides every GPU: unset it' : ''}`);
  else parts.push('CUDA_VISIBLE_DEVICES is unset (all GPUs visible)');
  if (probe && !probe.ok && probe.reason) parts.push(probe.reason);
  parts.push(`the driver must support ${CUDA_REQUIREMENT}`);
  parts.push('without an NVIDIA GPU use the webgpu or cpu backend');
  return parts.join('; ');
}

/**
 * The CUDA backend: TensorFlow's C library with CUDA kernels, through the optional peer
 * `@tensorflow/tfjs-node-gpu`, which is imported only inside `init()`. That module calls
 * `tf.setBackend('tensorflow')` when imported; `init()` restores whatever was active
 * before, so only the registry switches backends.
 */
export function cudaBackend(options: CudaBackendOptions = {}): BackendPlugin {
  const load = options.loadModule ?? defaultLoad;
  const env = options.env ?? (typeof process !== 'undefined' ? process.env : {});
  const probeGpus = options.probeGpus === false ? undefined : (options.probeGpus ?? (() => probeNvidiaGpus()));
  return {
    name: 'cuda',
    tfjsBackend: TENSORFLOW_BACKEND,
    priority: options.priority ?? 100,
    description: `NVIDIA CUDA via ${TFJS_NODE_GPU} (TensorFlow C library; needs ${CUDA_REQUIREMENT})`,
    capabilities: { training: true, float32: true, gpu: true },
    async init() {
      const visible = cudaVisibleDevices(env);
      const restore = rememberActiveBackend();
      let loadError: unknown;
      let loaded = false;
      try {
        await load();
        loaded = true;
      } catch (error) {
        loadError = error;
      } finally {
        await restore();
      }
      if (!loaded) throw classifyLoadError(loadError);

      if (!tf.findBackendFactory(TENSORFLOW_BACKEND)) {
        throw new TfbricksError(
          'E_BACKEND_INIT',
          `${TFJS_NODE_GPU} loaded but registered no "${TENSORFLOW_BACKEND}" tfjs backend in this process's @tensorflow/tfjs-core`,
          {
            hint: `keep @tensorflow/tfjs-core and ${TFJS_NODE_GPU} at the same version (4.22.x) so that one tfjs engine is shared ("${detectPackageManager()} why @tensorflow/tfjs-core" shows the copies)`,
            details: { backend: 'cuda', kind: 'no-backend-registered' },
          },
        );
      }

      const probe = probeGpus ? await probeGpus() : undefined;
      let usesGpu = tensorflowUsesGpu();
      if (usesGpu === undefined && probe?.ok) usesGpu = probe.gpus.length > 0 && !visible?.hidesAll;
      if (usesGpu !== true) {
        const why =
          usesGpu === false
            ? 'TensorFlow found no usable CUDA GPU and would silently run on the CPU'
            : 'cannot confirm that TensorFlow sees a CUDA GPU (the backend does not report it and nvidia-smi gave no answer)';
        throw new TfbricksError('E_BACKEND_INIT', `${TFJS_NODE_GPU} loaded, but ${why}${visible?.hidesAll ? ` (CUDA_VISIBLE_DEVICES="${visible.value}")` : ''}`, {
          hint: noGpuHint(env, probe),
          details: { backend: 'cuda', kind: 'no-gpu', probe, cudaVisibleDevices: visible?.value },
        });
      }

      const names = probe?.ok ? probe.gpus : [];
      const device: DeviceInfo = {
        description: `CUDA (TensorFlow via ${TFJS_NODE_GPU}): ${names.length ? names.join(', ') : 'NVIDIA GPU (name unknown: nvidia-smi unavailable)'}`,
        vendor: 'nvidia',
        software: false,
        gpus: names,
      };
      if (visible) device.cudaVisibleDevices = visible.value;
      if (probe && !probe.ok && probe.reason) device.probe = probe.reason;
      return { device };
    },
  };
}
