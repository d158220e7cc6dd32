import { TfbricksError, errorMessage } from '@tfbricks/core';

/** Options for creating `navigator.gpu` in Node. */
export interface NodeGpuOptions {
  /** Dawn toggles passed to `webgpu`'s `create()`, e.g. `['backend=vulkan']`. */
  dawnFlags?: string[];
}

const MESA_HINT =
  'WebGPU in Node needs a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver. Without a GPU on Debian/Ubuntu install ' +
  "Mesa >= 24's lavapipe: add bookworm-backports and `apt-get install -t bookworm-backports mesa-vulkan-drivers`.";

type GpuLike = { requestAdapter(options?: unknown): Promise<unknown> };

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

/**
 * Make sure `navigator.gpu` exists: the browser's own, or in Node one created from the
 * optional `webgpu` package (Dawn). Must run before `@tensorflow/tfjs-backend-webgpu`
 * is imported, since it checks `navigator.gpu` at import time.
 */
export async function ensureNavigatorGpu(options: NodeGpuOptions = {}): Promise<{ gpu: GpuLike; source: 'native' | 'dawn' }> {
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  if (g.navigator?.gpu) return { gpu: g.navigator.gpu, source: 'native' };
  if (!isNode()) {
    throw new TfbricksError('E_BACKEND_INIT', 'this browser does not expose navigator.gpu (WebGPU)', {
      hint: 'use a browser with WebGPU enabled (Chrome/Edge 113+, Safari 18+, Firefox 141+) over https or localhost',
    });
  }
  let webgpu: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    const mod = (await import('webgpu')) as unknown as { default?: typeof webgpu } & typeof webgpu;
    webgpu = typeof mod.create === 'function' ? mod : (mod.default as typeof webgpu);
  } catch (error) {
    throw new TfbricksError('E_BACKEND_INIT', `the optional "webgpu" package (Dawn for Node) is not installed or failed to load: ${errorMessage(error)}`, {
      hint: 'install it next to @tfbricks/backend-webgpu: pnpm add webgpu (and allow its build script: pnpm approve-builds)',
      cause: error,
    });
  }
  Object.assign(globalThis, webgpu.globals);
  let gpu: GpuLike;
  try {
    gpu = webgpu.create(options.dawnFlags ?? []);
  } catch (error) {
    throw new TfbricksError('E_BACKEND_INIT', `Dawn could not create a WebGPU instance: ${errorMessage(error)}`, { hint: MESA_HINT, cause: error });
  }
  if (g.navigator) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  return { gpu, source: 'dawn' };
}

export { MESA_HINT };
