import type { DeviceInfo } from '@tfbricks/core';

interface AdapterLike {
  info?: Record<string, unknown>;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<Record<string, unknown>>;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|warp|software|basic render/i;

/** Read vendor, architecture, device and whether the adapter is a software one. */
export async function describeAdapter(adapter: unknown, source: 'native' | 'dawn'): Promise<DeviceInfo> {
  const a = adapter as AdapterLike;
  let info: Record<string, unknown> = {};
  try {
    info = a.info ?? (a.requestAdapterInfo ? await a.requestAdapterInfo() : {});
  } catch {
    info = {};
  }
  const pick = (k: string) => (typeof info[k] === 'string' ? (info[k] as string) : '');
  const vendor = pick('vendor');
  const architecture = pick('architecture');
  const device = pick('device');
  const text = pick('description');
  const software =
    a.isFallbackAdapter === true || info.isFallbackAdapter === true || SOFTWARE.test([vendor, architecture, device, text].join(' '));
  const name = [vendor, architecture, device || text].filter(Boolean).join(' ') || 'unknown adapter';
  return {
    description: `WebGPU (${source === 'dawn' ? 'Dawn in Node' : 'browser'}): ${name}${software ? ' (software adapter)' : ''}`,
    vendor,
    architecture,
    adapter: device || text,
    software,
    source,
  };
}
