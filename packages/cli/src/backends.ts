import { cpuBackend } from '@tfbricks/backend-cpu';
import { cudaBackend } from '@tfbricks/backend-cuda';
import { wasmBackend } from '@tfbricks/backend-wasm';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { type BackendRegistry, createBackendRegistry, usageError } from '@tfbricks/core';

/**
 * The registry the CLI uses: cuda (100) > webgpu (50) > wasm (25) > cpu (0); auto prefers wasm
 * over a software-only WebGPU adapter. Nothing is initialised yet.
 */
export function createCliRegistry(env: Record<string, string | undefined>): BackendRegistry {
  return createBackendRegistry({ env }).register(cudaBackend()).register(webgpuBackend()).register(wasmBackend()).register(cpuBackend());
}

/**
 * Check `--backend` (or `TFBRICKS_BACKEND` when the flag is absent) names a registered
 * backend or `auto`, without initialising anything. Returns the value to pass to `resolve`.
 */
export function validateBackendChoice(registry: BackendRegistry, flag: string | undefined, env: Record<string, string | undefined>): string | undefined {
  const names = registry.list().map((p) => p.name);
  const allowed = `one of ${[...names, 'auto'].join(', ')}`;
  if (flag !== undefined) {
    const name = flag.trim();
    if (name !== 'auto' && !names.includes(name)) {
      throw usageError('E_USAGE', `invalid value for --backend: ${JSON.stringify(flag)} (allowed: ${allowed})`);
    }
    return name;
  }
  const fromEnv = env.TFBRICKS_BACKEND?.trim();
  if (fromEnv && fromEnv !== 'auto' && !names.includes(fromEnv)) {
    throw usageError('E_USAGE', `invalid value for TFBRICKS_BACKEND: ${JSON.stringify(env.TFBRICKS_BACKEND)} (allowed: ${allowed})`);
  }
  return undefined;
}
