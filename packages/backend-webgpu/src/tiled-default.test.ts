import { describe, expect, it } from 'vitest';
import { defaultTiledPrograms } from './tiled-default';

describe('defaultTiledPrograms', () => {
  it('is off on SwiftShader, in Chromium and under Dawn in Node', () => {
    expect(defaultTiledPrograms({ vendor: 'google', architecture: 'swiftshader', adapter: '', driver: '' })).toBe(false);
    expect(defaultTiledPrograms({ vendor: 'google', architecture: '', adapter: 'SwiftShader Device (Subzero)', driver: 'SwiftShader driver' })).toBe(false);
  });

  it('is on for lavapipe and hardware adapters, in a browser as in Node', () => {
    expect(defaultTiledPrograms({ vendor: 'mesa', architecture: '', adapter: 'llvmpipe (LLVM 15.0.6, 256 bits)', driver: 'Mesa 25.0.7' })).toBe(true);
    expect(defaultTiledPrograms({ vendor: 'nvidia', architecture: 'hopper', adapter: 'NVIDIA H200', driver: 'NVIDIA 570.86' })).toBe(true);
    expect(defaultTiledPrograms({ vendor: '', architecture: '', adapter: '', driver: '' })).toBe(true);
  });
});
