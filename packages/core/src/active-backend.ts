import type { BackendCapabilities, DeviceInfo } from './backend';

/** What a backend registry learnt about a tfjs backend it activated. */
export interface ActivatedBackend {
  /** tfbricks plugin name (e.g. `webgpu`). */
  name: string;
  /** The tfjs backend name (what `tf.getBackend()` returns while it is active). */
  tfjsBackend: string;
  capabilities: BackendCapabilities;
  device: DeviceInfo;
}

// One table per process (on globalThis, so an ESM and a CJS copy of core share it), made on
// the first activation: importing core creates nothing.
const KEY = Symbol.for('@tfbricks/core/activated-backends');
type Table = Map<string, ActivatedBackend>;

function table(create: boolean): Table | undefined {
  const g = globalThis as { [KEY]?: Table };
  if (!g[KEY] && create) g[KEY] = new Map();
  return g[KEY];
}

/** Called by the backend registry when it activates a plugin's tfjs backend (the last one wins). */
export function recordActivatedBackend(info: ActivatedBackend): void {
  table(true)!.set(info.tfjsBackend, { ...info });
}

/**
 * The plugin, capabilities and device that a backend registry activated for the tfjs backend
 * `tfjsBackend` (e.g. `activatedBackend(tf.getBackend())`), or undefined where none did (tfjs
 * backends set with `tf.setBackend` directly). Lets a building block adapt to the device, e.g.
 * compute on the CPU instead of a software GPU adapter, without importing any backend.
 */
export function activatedBackend(tfjsBackend: string): ActivatedBackend | undefined {
  return table(false)?.get(tfjsBackend);
}

/** A GPU backend whose device is a software adapter (lavapipe, SwiftShader, WARP): the CPU emulating a GPU. */
export function isSoftwareGpu(info: ActivatedBackend | undefined): boolean {
  return Boolean(info?.capabilities.gpu && info.device.software === true);
}
