import '@tensorflow/tfjs-layers';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { cudaBackend } from '@tfbricks/backend-cuda';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { type BackendRegistry, createBackendRegistry, describeResolution, isTfbricksError } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Install hints name the package manager from npm_config_user_agent; these expectations are pnpm's.
beforeEach(() => {
  vi.stubEnv('npm_config_user_agent', 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64');
});

// The issue's "done when", with the real plugins and the real environment variable
// (createBackendRegistry() reads process.env): webgpu selects WebGPU on lavapipe, cuda fails
// clearly here, nonsense lists the valid names, unset picks the best and says why.
const requireWebgpu = process.env.TFBRICKS_REQUIRE_WEBGPU === '1';
const cudaInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
    return true;
  } catch {
    return false;
  }
})();

function registry(): BackendRegistry {
  return createBackendRegistry().register(cpuBackend()).register(webgpuBackend()).register(cudaBackend());
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; hint?: string; usage: boolean }> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTfbricksError(error), String(error)).toBe(true);
  return error as { code: string; message: string; hint?: string; usage: boolean };
}

let webgpuReason: string | undefined;

beforeAll(async () => {
  const outcome = await createBackendRegistry({ env: {} }).register(webgpuBackend()).init('webgpu');
  webgpuReason = outcome.ok ? undefined : outcome.reason;
  if (webgpuReason) {
    console.info(`[registry e2e] webgpu is NOT available here (${webgpuReason}); webgpu-selection checks ${requireWebgpu ? 'FAIL (TFBRICKS_REQUIRE_WEBGPU=1)' : 'are skipped'}`);
    if (requireWebgpu) throw new Error(`TFBRICKS_REQUIRE_WEBGPU=1 but webgpu is unavailable: ${webgpuReason}`);
  }
  console.info(`[registry e2e] @tensorflow/tfjs-node-gpu ${cudaInstalled ? 'is installed: cuda failure-path checks are skipped' : 'is not installed: checking that cuda fails clearly'}`);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('backend selection with the real cpu, webgpu and cuda plugins', () => {
  it('lists them by priority: cuda (100), webgpu (50), cpu (0)', () => {
    expect(registry().list().map((p) => `${p.name}:${p.priority}`)).toEqual(['cuda:100', 'webgpu:50', 'cpu:0']);
  });

  it('TFBRICKS_BACKEND=webgpu selects WebGPU (a software adapter on lavapipe)', async (ctx) => {
    if (webgpuReason) ctx.skip(`webgpu unavailable: ${webgpuReason}`);
    vi.stubEnv('TFBRICKS_BACKEND', 'webgpu');
    const resolved = await registry().resolve();
    console.info(`[registry e2e] ${describeResolution(resolved)}`);
    expect(resolved.name).toBe('webgpu');
    expect(resolved.source).toBe('env');
    expect(tf.getBackend()).toBe('webgpu');
    expect(resolved.device.description).toMatch(/^WebGPU/);
    if (/llvmpipe|lavapipe/i.test(resolved.device.description)) expect(resolved.device.software).toBe(true);
    const y = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 5, 6]))));
    expect((await y.data())[0]).toBe(32);
    y.dispose();
  });

  it.skipIf(cudaInstalled)('TFBRICKS_BACKEND=cuda fails with E_BACKEND_INIT naming the reason and the fix', async () => {
    vi.stubEnv('TFBRICKS_BACKEND', 'cuda');
    const before = tf.getBackend();
    const err = await rejection(registry().resolve());
    console.info(`[registry e2e] cuda: error[${err.code}]: ${err.message}\n  hint: ${err.hint}`);
    expect(err.code).toBe('E_BACKEND_INIT');
    expect(err.message).toContain('backend "cuda" (requested by TFBRICKS_BACKEND) is not usable');
    expect(err.message).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(err.hint).toContain('pnpm add @tensorflow/tfjs-node-gpu');
    expect(err.hint).toContain('approve-builds');
    expect(err.hint).toContain('CUDA 11.2 and cuDNN 8.1');
    expect(tf.getBackend()).toBe(before);
  });

  it('TFBRICKS_BACKEND=nonsense fails listing the valid names', async () => {
    vi.stubEnv('TFBRICKS_BACKEND', 'nonsense');
    const err = await rejection(registry().resolve());
    expect(err.code).toBe('E_BACKEND_UNKNOWN');
    expect(err.usage).toBe(true);
    expect(err.message).toContain('unknown backend "nonsense" (from TFBRICKS_BACKEND)');
    expect(err.message).toContain('registered backends: cuda, webgpu, cpu');
    expect(err.hint).toContain('"auto"');
  });

  it('unset picks the best available one, says which and why cuda was passed over', async () => {
    vi.stubEnv('TFBRICKS_BACKEND', undefined);
    expect(process.env.TFBRICKS_BACKEND).toBeUndefined();
    const resolved = await registry().resolve();
    const line = describeResolution(resolved);
    console.info(`[registry e2e] unset: ${line}`);
    expect(resolved.source).toBe('priority');
    expect(line).toContain('highest priority available');
    if (cudaInstalled) return;
    const cuda = resolved.passedOver.find((p) => p.name === 'cuda');
    expect(cuda?.reason).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(line).toContain('passed over: [cuda]');
    if (webgpuReason) {
      expect(resolved.name).toBe('cpu');
      expect(resolved.passedOver.map((p) => p.name)).toEqual(['cuda', 'webgpu']);
    } else {
      expect(resolved.name).toBe('webgpu');
      expect(resolved.passedOver.map((p) => p.name)).toEqual(['cuda']);
    }
  });

  it('"auto" behaves like unset', async () => {
    vi.stubEnv('TFBRICKS_BACKEND', 'auto');
    const resolved = await registry().resolve();
    expect(resolved.source).toBe('priority');
    expect(resolved.name).toBe(webgpuReason ? 'cpu' : cudaInstalled ? resolved.name : 'webgpu');
  });

  it('status() reports every backend with its device or its reason', async () => {
    const status = await registry().status();
    for (const s of status) console.info(`[registry e2e] status ${s.name}: ${s.available ? `available on ${s.device?.description}` : `unavailable: ${s.reason}`}`);
    expect(status.map((s) => s.name)).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(status.find((s) => s.name === 'cpu')?.available).toBe(true);
    if (!cudaInstalled) expect(status.find((s) => s.name === 'cuda')?.reason).toContain('not installed');
  });
});
