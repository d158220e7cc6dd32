import { createBackendRegistry, isTfbricksError } from '@tfbricks/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureNavigatorGpu, webgpuLoadError } from './navigator-gpu';
import { webgpuBackend } from './webgpu-backend';

// Install hints name the package manager from npm_config_user_agent; these expectations are pnpm's.
beforeEach(() => {
  vi.stubEnv('npm_config_user_agent', 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64');
});
afterEach(() => {
  vi.unstubAllEnvs();
});


type Nav = { navigator?: { gpu?: unknown } };

function clearNavigatorGpu(): void {
  const g = globalThis as Nav;
  if (g.navigator && 'gpu' in g.navigator) delete g.navigator.gpu;
}

async function initError(plugin: ReturnType<typeof webgpuBackend>) {
  const error = await plugin.init().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTfbricksError(error)).toBe(true);
  return error as { code: string; message: string; hint: string; details: { kind: string } };
}

// These run before anything creates navigator.gpu in this worker, and clean up after themselves.
afterEach(clearNavigatorGpu);

describe('webgpu init failures (injected loaders)', () => {
  it('the "webgpu" package missing → E_BACKEND_INIT with the install command', async () => {
    const err = await initError(
      webgpuBackend({ loadWebGpu: async () => { throw Object.assign(new Error("Cannot find package 'webgpu' imported from /app/x.js"), { code: 'ERR_MODULE_NOT_FOUND' }); } }),
    );
    expect(err.code).toBe('E_BACKEND_INIT');
    expect(err.details.kind).toBe('webgpu-not-installed');
    expect(err.message).toContain('"webgpu" package');
    expect(err.hint).toContain('pnpm add webgpu');
    expect((globalThis as Nav).navigator?.gpu).toBeUndefined();
  });

  it('the install hint names the package manager the user runs (npm: no approve-builds; npm without a user agent)', () => {
    const missing = Object.assign(new Error("Cannot find package 'webgpu' imported from /app/x.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    vi.stubEnv('npm_config_user_agent', 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false');
    const npm = webgpuLoadError(missing).hint ?? '';
    expect(npm).toContain('npm install webgpu');
    expect(npm).not.toContain('pnpm');
    vi.stubEnv('npm_config_user_agent', '');
    expect(webgpuLoadError(missing).hint).toContain('npm install webgpu');
    vi.stubEnv('npm_config_user_agent', 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64');
    expect(webgpuLoadError(missing).hint).toContain('pnpm approve-builds');
  });

  it('TFBRICKS_BACKEND=webgpu without the package fails naming the reason and the fix', async () => {
    const plugin = webgpuBackend({ loadWebGpu: async () => { throw Object.assign(new Error("Cannot find module 'webgpu'"), { code: 'MODULE_NOT_FOUND' }); } });
    const error = await createBackendRegistry({ env: { TFBRICKS_BACKEND: 'webgpu' } }).register(plugin).resolve().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { code: string }).code).toBe('E_BACKEND_INIT');
    expect((error as Error).message).toContain('not installed');
    expect((error as { hint: string }).hint).toContain('pnpm add webgpu');
  });

  it('a missing prebuilt dawn.node, a missing system library, a wrong module and a failing create() are told apart', async () => {
    expect(webgpuLoadError(new Error("Cannot find module '/app/node_modules/webgpu/dist/freebsd-x64/dawn.node'")).details?.kind).toBe('dawn-binary');
    const lib = webgpuLoadError(new Error('libvulkan.so.1: cannot open shared object file: No such file or directory'));
    expect(lib.details?.kind).toBe('system-library');
    expect(lib.hint).toContain('mesa-vulkan-drivers');
    expect((await initError(webgpuBackend({ loadWebGpu: async () => ({ nothing: true }) }))).message).toContain('does not export create()');
    const failingCreate = await initError(
      webgpuBackend({ loadWebGpu: async () => ({ create: () => { throw new Error('no Vulkan ICD'); }, globals: {} }) }),
    );
    expect(failingCreate.details.kind).toBe('create-failed');
    expect(failingCreate.message).toContain('no Vulkan ICD');
  });

  it('no adapter (requestAdapter() → null) → E_BACKEND_INIT with the Mesa/lavapipe hint', async () => {
    const err = await initError(webgpuBackend({ loadWebGpu: async () => ({ create: () => ({ requestAdapter: async () => null }), globals: {} }) }));
    expect(err.details.kind).toBe('no-adapter');
    expect(err.message).toContain('no WebGPU adapter');
    expect(err.hint).toContain('lavapipe');
    expect(err.hint).toContain('Vulkan');
  });

  it('real Dawn asked for an adapter that does not exist → no-adapter with Dawn\'s own list', async () => {
    const err = await initError(webgpuBackend({ dawnFlags: ['adapter=no-such-adapter-tfbricks'] }));
    console.info(`[webgpu] real Dawn, bogus adapter: ${err.message}`);
    expect(err.details.kind).toBe('no-adapter');
    expect(err.message).toContain('requestAdapter() failed');
  });

  it('navigator.gpu created here is reported as Dawn (with its flags) on later calls', async () => {
    const fake = { requestAdapter: async () => null };
    const first = await ensureNavigatorGpu({ dawnFlags: ['backend=vulkan'], loadWebGpu: async () => ({ create: () => fake, globals: {} }) });
    expect(first).toEqual({ gpu: fake, source: 'dawn', dawnFlags: ['backend=vulkan'] });
    const second = await ensureNavigatorGpu({ loadWebGpu: async () => { throw new Error('must not load again'); } });
    expect(second).toEqual({ gpu: fake, source: 'dawn', dawnFlags: ['backend=vulkan'] });
    clearNavigatorGpu();
    const foreign = { requestAdapter: async () => null };
    Object.defineProperty((globalThis as Nav).navigator!, 'gpu', { value: foreign, configurable: true });
    expect((await ensureNavigatorGpu()).source).toBe('native');
  });
});
