import '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { createBackendRegistry, describeResolution } from '@tfbricks/core';
import { describeBackendConformance } from '@tfbricks/core/testing';
import { wasmBackend } from './wasm-backend';

describeBackendConformance(() => wasmBackend(), { expectAvailable: true });

describe('wasm in automatic selection', () => {
  it('auto picks wasm over cpu, and over a software-only WebGPU adapter (lavapipe) saying why; by name webgpu still wins', async () => {
    const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(webgpuBackend()).register(wasmBackend());
    const webgpu = await registry.init('webgpu');
    const resolved = await registry.resolve();
    const line = describeResolution(resolved);
    console.info(`[wasm] ${line}`);
    expect(resolved.name).toBe('wasm');
    if (webgpu.ok && webgpu.device.software) {
      expect(line).toContain("wasm (faster than webgpu's software adapter)");
      expect(line).toMatch(/\[webgpu\] software adapter \(.+\): wasm is faster on this CPU/);
      expect((await registry.resolve({ backend: 'webgpu' })).name).toBe('webgpu');
    } else if (!webgpu.ok) {
      expect(line).toContain('highest priority available');
    }
  });
});
