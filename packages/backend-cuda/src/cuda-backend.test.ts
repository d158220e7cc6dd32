import '@tensorflow/tfjs-layers';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { TfbricksError, createBackendRegistry, isTfbricksError } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cudaBackend } from './cuda-backend';
import type { GpuProbe } from './gpu-probe';
import { dlopenError, fakeTfjsNodeGpu, moduleNotFound } from './test-support/fake-tfjs-node-gpu';

// Install hints name the package manager from npm_config_user_agent; these expectations are pnpm's.
beforeEach(() => {
  vi.stubEnv('npm_config_user_agent', 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64');
});
afterEach(() => {
  vi.unstubAllEnvs();
});


const h200: () => Promise<GpuProbe> = async () => ({ ok: true, gpus: ['NVIDIA H200'] });
const noSmi: () => Promise<GpuProbe> = async () => ({ ok: false, gpus: [], reason: 'nvidia-smi is not installed or not on PATH (no NVIDIA driver?)' });

async function initError(plugin = cudaBackend()): Promise<TfbricksError> {
  const error = await plugin.init().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTfbricksError(error)).toBe(true);
  return error as TfbricksError;
}

async function resolveError(plugin: ReturnType<typeof cudaBackend>): Promise<TfbricksError> {
  const registry = createBackendRegistry({ env: { TFBRICKS_BACKEND: 'cuda' } }).register(cpuBackend()).register(plugin);
  const error = await registry.resolve().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTfbricksError(error)).toBe(true);
  return error as TfbricksError;
}

beforeEach(async () => {
  await createBackendRegistry({ env: {} }).register(cpuBackend()).resolve({ backend: 'cpu' });
});

describe('cudaBackend', () => {
  it('has the documented identity', () => {
    const p = cudaBackend();
    expect(p.name).toBe('cuda');
    expect(p.tfjsBackend).toBe('tensorflow');
    expect(p.priority).toBe(100);
    expect(cudaBackend({ priority: 7 }).priority).toBe(7);
    expect(p.capabilities).toEqual({ training: true, float32: true, gpu: true });
  });

  it('creating the plugin loads nothing', () => {
    let loads = 0;
    cudaBackend({ loadModule: async () => { loads++; } });
    expect(loads).toBe(0);
  });

  it('module absent → TFBRICKS_BACKEND=cuda fails with E_BACKEND_INIT, the install command and approve-builds', async () => {
    const err = await resolveError(cudaBackend({ loadModule: async () => { throw moduleNotFound('@tensorflow/tfjs-node-gpu'); } }));
    expect(err.code).toBe('E_BACKEND_INIT');
    expect(err.message).toContain('backend "cuda" (requested by TFBRICKS_BACKEND) is not usable');
    expect(err.message).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(err.hint).toContain('pnpm add @tensorflow/tfjs-node-gpu');
    expect(err.hint).toContain('pnpm approve-builds');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('native binding fails to load → names the library and CUDA 11.2 + cuDNN 8.1', async () => {
    const err = await resolveError(cudaBackend({ loadModule: async () => { throw dlopenError('libcudnn.so.8'); } }));
    expect(err.message).toContain('libcudnn.so.8');
    expect(err.hint).toContain('CUDA 11.2 and cuDNN 8.1');
  });

  it('loads but TensorFlow sees no GPU → no-gpu with nvidia-smi / CUDA_VISIBLE_DEVICES advice; previous backend kept', async () => {
    const plugin = cudaBackend({ loadModule: fakeTfjsNodeGpu({ isUsingGpuDevice: false }), probeGpus: noSmi, env: { CUDA_VISIBLE_DEVICES: '-1' } });
    const err = await initError(plugin);
    expect(err.code).toBe('E_BACKEND_INIT');
    expect((err.details as { kind: string }).kind).toBe('no-gpu');
    expect(err.message).toContain('found no usable CUDA GPU');
    expect(err.message).toContain('CUDA_VISIBLE_DEVICES="-1"');
    expect(err.hint).toContain('nvidia-smi');
    expect(err.hint).toContain('hides every GPU');
    expect(err.hint).toContain('nvidia-smi is not installed');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('loads, backend reports nothing, nvidia-smi lists no GPU → no-gpu', async () => {
    const plugin = cudaBackend({ loadModule: fakeTfjsNodeGpu({ isUsingGpuDevice: undefined }), probeGpus: async () => ({ ok: true, gpus: [], reason: 'nvidia-smi lists no GPU' }), env: {} });
    const err = await initError(plugin);
    expect((err.details as { kind: string }).kind).toBe('no-gpu');
    expect(err.hint).toContain('CUDA_VISIBLE_DEVICES is unset');
  });

  it('loads, backend reports nothing and there is no nvidia-smi → cannot confirm a GPU', async () => {
    const err = await initError(cudaBackend({ loadModule: fakeTfjsNodeGpu({ isUsingGpuDevice: undefined }), probeGpus: false, env: {} }));
    expect(err.message).toContain('cannot confirm');
  });

  it('a module that registers no "tensorflow" backend is reported', async () => {
    if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
    const err = await initError(cudaBackend({ loadModule: async () => ({}), probeGpus: h200 }));
    expect((err.details as { kind: string }).kind).toBe('no-backend-registered');
    expect(err.hint).toContain('same version');
  });

  it('success: init restores the previously active backend; the registry then activates "tensorflow" and reports the GPU', async () => {
    const plugin = cudaBackend({ loadModule: fakeTfjsNodeGpu({ isUsingGpuDevice: true }), probeGpus: h200, env: { CUDA_VISIBLE_DEVICES: '0' } });
    const { device } = await plugin.init();
    expect(tf.getBackend()).toBe('cpu');
    expect(device.description).toContain('NVIDIA H200');
    expect(device.software).toBe(false);
    expect(device.cudaVisibleDevices).toBe('0');
    const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(plugin);
    const resolved = await registry.resolve();
    expect(resolved.name).toBe('cuda');
    expect(resolved.source).toBe('priority');
    expect(tf.getBackend()).toBe('tensorflow');
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])));
    expect(Array.from(await y.data())).toEqual([11]);
    y.dispose();
  });

  it('success without nvidia-smi: trusts the backend flag and says the name is unknown', async () => {
    const { device } = await cudaBackend({ loadModule: fakeTfjsNodeGpu({ isUsingGpuDevice: true }), probeGpus: noSmi, env: {} }).init();
    expect(device.description).toContain('name unknown');
    expect(device.probe).toContain('nvidia-smi');
  });

  it('when no backend was active before, init leaves none active (importing selects nothing)', async () => {
    const engine = tf.engine() as unknown as { backendName: string | null; backendInstance: unknown };
    engine.backendName = null;
    engine.backendInstance = null;
    expect(tf.getBackend()).toBeNull();
    await cudaBackend({ loadModule: fakeTfjsNodeGpu({ isUsingGpuDevice: true }), probeGpus: h200, env: {} }).init();
    expect(tf.getBackend()).toBeNull();
  });
});
