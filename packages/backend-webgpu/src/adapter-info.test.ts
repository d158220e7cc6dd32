import { describe, expect, it } from 'vitest';
import { describeAdapter } from './adapter-info';

describe('describeAdapter', () => {
  it('lavapipe (Dawn in Node): software via isFallbackAdapter, with vendor, architecture, device and driver', async () => {
    const d = await describeAdapter(
      {
        info: {
          vendor: 'mesa',
          architecture: 'software',
          device: 'llvmpipe-llvm-15-0-6-256-bits-',
          description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)',
          isFallbackAdapter: true,
        },
        limits: { maxStorageBufferBindingSize: 134217728 },
      },
      'dawn',
    );
    expect(d).toMatchObject({
      vendor: 'mesa',
      architecture: 'software',
      adapter: 'llvmpipe-llvm-15-0-6-256-bits-',
      driver: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)',
      software: true,
      softwareReason: 'the adapter reports isFallbackAdapter',
      source: 'dawn',
      maxStorageBufferBindingSize: 134217728,
    });
    expect(d.description).toBe('WebGPU (Dawn in Node): mesa software llvmpipe-llvm-15-0-6-256-bits- (software adapter)');
  });

  it('software rasterisers are recognised by name when not flagged as fallback', async () => {
    for (const [info, word] of [
      [{ vendor: 'google', architecture: '', device: 'SwiftShader Device (Subzero)' }, 'SwiftShader'],
      [{ vendor: 'microsoft', device: 'Microsoft Basic Render Driver' }, 'Microsoft Basic Render'],
      [{ vendor: 'mesa', device: 'llvmpipe (LLVM 17.0.6, 256 bits)' }, 'llvmpipe'],
    ] as const) {
      const d = await describeAdapter({ info }, 'native');
      expect(d.software, JSON.stringify(info)).toBe(true);
      expect(d.softwareReason).toContain(word);
      expect(d.description.startsWith('WebGPU (browser): ')).toBe(true);
    }
  });

  it('a hardware adapter is not software; the legacy requestAdapterInfo() is used when info is absent', async () => {
    const d = await describeAdapter({ requestAdapterInfo: async () => ({ vendor: 'nvidia', architecture: 'ada', device: 'NVIDIA GeForce RTX 4090' }) }, 'native');
    expect(d.software).toBe(false);
    expect(d.softwareReason).toContain('hardware');
    expect(d.description).toBe('WebGPU (browser): nvidia ada NVIDIA GeForce RTX 4090');
  });

  it('an adapter that reveals nothing (or throws) is "unknown adapter", not an error', async () => {
    expect((await describeAdapter({}, 'dawn')).description).toBe('WebGPU (Dawn in Node): unknown adapter');
    const throwing = { requestAdapterInfo: async () => { throw new Error('denied'); } };
    expect((await describeAdapter(throwing, 'native')).adapter).toBe('');
    expect((await describeAdapter({ isFallbackAdapter: true }, 'native')).software).toBe(true);
  });
});
