import { TfbricksError, allowBuildHint, detectPackageManager, errorMessage, installCommand } from '@tfbricks/core';

/** Options for creating `navigator.gpu` in Node. */
export interface NodeGpuOptions {
  /**
   * Dawn toggles passed to `webgpu`'s `create()`, e.g. `['backend=vulkan']` or
   * `['adapter=NVIDIA GeForce RTX 3080']`. They apply when this process first creates
   * `navigator.gpu`; later calls reuse that instance.
   */
  dawnFlags?: string[];
  /** Loads the `webgpu` package (default: a lazy `import('webgpu')`); injectable for tests. */
  loadWebGpu?: () => Promise<unknown>;
}

export type GpuLike = { requestAdapter(options?: unknown): Promise<unknown> };

interface WebGpuModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

const MESA_HINT =
  'WebGPU in Node needs a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver. Without a GPU on Debian/Ubuntu install ' +
  "Mesa >= 24's lavapipe: add bookworm-backports and `apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1`.";

/** How to install the optional `webgpu` package, in the user's package manager's words. */
function installHint(): string {
  const pm = detectPackageManager();
  const allow = allowBuildHint('webgpu', pm);
  return `install it next to @tfbricks/backend-webgpu: ${installCommand(['webgpu'], pm)}` + (allow ? ` (its postinstall only checks the prebuilt Dawn binary; ${allow})` : '');
}

/** `navigator.gpu` objects this module created, and with which Dawn flags. */
const created = new WeakMap<object, string[]>();

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

function isModuleNotFound(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = errorMessage(error);
  const notFound =
    code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (?:module|package)|Could not resolve|Failed to load url/.test(message);
  // "Cannot find module '…/webgpu/dist/<platform>/dawn.node'" is a missing prebuilt binary, not a missing package.
  return notFound && new RegExp(`['"]${name}['"]`).test(message);
}

/** Turn a failure to load the `webgpu` package into an error that says what to do. */
export function webgpuLoadError(error: unknown): TfbricksError {
  const message = errorMessage(error).split('\n')[0];
  if (isModuleNotFound(error, 'webgpu')) {
    return new TfbricksError('E_BACKEND_INIT', `the optional "webgpu" package (Dawn for Node) is not installed (${message})`, {
      hint: installHint(),
      cause: error,
      details: { backend: 'webgpu', kind: 'webgpu-not-installed' },
    });
  }
  if (/dawn\.node/.test(message)) {
    return new TfbricksError(
      'E_BACKEND_INIT',
      `the "webgpu" package has no working prebuilt Dawn binary for ${typeof process !== 'undefined' ? `${process.platform}-${process.arch}` : 'this platform'}: ${message}`,
      {
        hint: `the webgpu package ships binaries for linux-x64/arm64, darwin and win32-x64/arm64; reinstall it (${installCommand(['webgpu'])}) or use the cpu backend. ${MESA_HINT}`,
        cause: error,
        details: { backend: 'webgpu', kind: 'dawn-binary' },
      },
    );
  }
  if (/cannot open shared object file|Library not loaded|specified module could not be found/i.test(message)) {
    return new TfbricksError('E_BACKEND_INIT', `Dawn (the "webgpu" package) could not load a system library: ${message}`, {
      hint: MESA_HINT,
      cause: error,
      details: { backend: 'webgpu', kind: 'system-library' },
    });
  }
  return new TfbricksError('E_BACKEND_INIT', `the optional "webgpu" package (Dawn for Node) failed to load: ${message}`, {
    hint: `reinstall it: ${installCommand(['webgpu'])}. ${MESA_HINT}`,
    cause: error,
    details: { backend: 'webgpu', kind: 'webgpu-load-failed' },
  });
}

const defaultLoad = (): Promise<unknown> => import('webgpu');

/**
 * Make sure `navigator.gpu` exists: the browser's own, or in Node one created from the
 * optional `webgpu` package (Dawn). Must run before `@tensorflow/tfjs-backend-webgpu`
 * is imported, since it checks `navigator.gpu` at import time.
 *
 * Dawn's instance keeps no handle open that would stop Node from exiting; nothing needs
 * disposing at the end of a program.
 */
export async function ensureNavigatorGpu(
  options: NodeGpuOptions = {},
): Promise<{ gpu: GpuLike; source: 'native' | 'dawn'; dawnFlags?: string[] }> {
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  const existing = g.navigator?.gpu;
  if (existing) {
    const flags = created.get(existing as object);
    return flags ? { gpu: existing, source: 'dawn', dawnFlags: flags } : { gpu: existing, source: 'native' };
  }
  if (!isNode()) {
    throw new TfbricksError('E_BACKEND_INIT', 'this browser does not expose navigator.gpu (WebGPU)', {
      hint: 'use a browser with WebGPU enabled (Chrome/Edge 113+, Safari 26+, Firefox 141+ on Windows) over https or localhost',
      details: { backend: 'webgpu', kind: 'no-navigator-gpu' },
    });
  }
  let webgpu: WebGpuModule;
  try {
    const mod = (await (options.loadWebGpu ?? defaultLoad)()) as Partial<WebGpuModule> & { default?: Partial<WebGpuModule> };
    const picked = typeof mod?.create === 'function' ? mod : mod?.default;
    if (!picked || typeof picked.create !== 'function' || typeof picked.globals !== 'object' || picked.globals === null) {
      throw new Error('the module does not export create() and globals (expected the "webgpu" package, version >= 0.6)');
    }
    webgpu = picked as WebGpuModule;
  } catch (error) {
    throw webgpuLoadError(error);
  }
  Object.assign(globalThis, webgpu.globals);
  const flags = options.dawnFlags ?? [];
  let gpu: GpuLike;
  try {
    gpu = webgpu.create(flags);
  } catch (error) {
    throw new TfbricksError('E_BACKEND_INIT', `Dawn could not create a WebGPU instance: ${errorMessage(error)}`, {
      hint: MESA_HINT,
      cause: error,
      details: { backend: 'webgpu', kind: 'create-failed' },
    });
  }
  created.set(gpu as object, flags);
  if (g.navigator) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  return { gpu, source: 'dawn', dawnFlags: flags };
}

export { MESA_HINT };
