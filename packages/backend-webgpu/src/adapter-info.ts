import type { DeviceInfo } from '@tfbricks/core';

interface AdapterLike {
  info?: Record<string, unknown>;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<Record<string, unknown>>;
  limits?: Record<string, unknown>;
}

/** Names of software rasterisers: lavapipe/llvmpipe (Mesa), SwiftShader (Chrome), WARP (Windows). */
const SOFTWARE = /llvmpipe|lavapipe|swiftshader|\bwarp\b|microsoft basic render|software/i;

/** What the adapter says about itself, plus whether it is a software (fallback) adapter. */
export interface AdapterInfo extends DeviceInfo {
  vendor: string;
  architecture: string;
  /** Adapter/device name, e.g. `llvmpipe-llvm-15-0-6-256-bits-` or `NVIDIA GeForce RTX 4090`. */
  adapter: string;
  /** Driver description, e.g. `llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)`. */
  driver: string;
  software: boolean;
  /** Why `software` is what it is: `isFallbackAdapter`, a software rasteriser's name, or neither. */
  softwareReason: string;
  source: 'native' | 'dawn';
  /** Largest storage buffer binding, bytes (bounds the largest tensor a kernel can bind). */
  maxStorageBufferBindingSize?: number;
}

/** Read vendor, architecture, device, driver and whether the adapter is a software one. */
export async function describeAdapter(adapter: unknown, source: 'native' | 'dawn'): Promise<AdapterInfo> {
  const a = (adapter ?? {}) as AdapterLike;
  let info: Record<string, unknown> = {};
  try {
    info = a.info ?? (a.requestAdapterInfo ? await a.requestAdapterInfo() : {});
  } catch {
    info = {};
  }
  const pick = (k: string) => (typeof info[k] === 'string' ? (info[k] as string).trim() : '');
  const vendor = pick('vendor');
  const architecture = pick('architecture');
  const device = pick('device');
  const driver = pick('description');
  const fallback = a.isFallbackAdapter === true || info.isFallbackAdapter === true;
  const named = SOFTWARE.exec([vendor, architecture, device, driver].join(' '));
  const software = fallback || named !== null;
  const softwareReason = fallback
    ? 'the adapter reports isFallbackAdapter'
    : named
      ? `its name mentions "${named[0]}"`
      : 'hardware adapter (not a fallback, no software rasteriser named)';
  const name = [vendor, architecture, device || driver].filter(Boolean).join(' ') || 'unknown adapter';
  const maxStorage = a.limits?.maxStorageBufferBindingSize;
  const result: AdapterInfo = {
    description: `WebGPU (${source === 'dawn' ? 'Dawn in Node' : 'browser'}): ${name}${software ? ' (software adapter)' : ''}`,
    vendor,
    architecture,
    adapter: device || driver,
    driver,
    software,
    softwareReason,
    source,
  };
  if (typeof maxStorage === 'number') result.maxStorageBufferBindingSize = maxStorage;
  return result;
}
