import { createBackendRegistry } from '@tfbricks/core';
import { webgpuBackend } from '@tfbricks/backend-webgpu';

/**
 * A registry with the webgpu backend initialised, for this package's WebGPU tests. When no
 * adapter is available the tests skip (with the reason printed); TFBRICKS_REQUIRE_WEBGPU=1
 * makes that a failure.
 */
export async function webgpuForTests(): Promise<{ registry: ReturnType<typeof createBackendRegistry>; available: boolean }> {
  const registry = createBackendRegistry({ env: {} }).register(webgpuBackend());
  const outcome = await registry.init('webgpu');
  if (!outcome.ok) {
    if (process.env.TFBRICKS_REQUIRE_WEBGPU === '1') throw new Error(`webgpu required but unavailable: ${outcome.reason}`);
    console.warn(`skipped: webgpu unavailable: ${outcome.reason}`);
  }
  return { registry, available: outcome.ok };
}
