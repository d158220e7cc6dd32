import type { AdapterInfo } from './adapter-info';

/**
 * Whether the training kernels' tiled (workgroup-memory) programs are on by default for an
 * adapter: everywhere but SwiftShader, whose shader compiler never finishes them (in Chromium
 * and under Dawn in Node alike). The same GPU so gets the same kernel set in a browser and in
 * Node; on SwiftShader, channel counts not divisible by 4 go to tfjs' stock kernels.
 */
export function defaultTiledPrograms(info: Pick<AdapterInfo, 'vendor' | 'architecture' | 'adapter' | 'driver'>): boolean {
  return !/swiftshader/i.test([info.vendor, info.architecture, info.adapter, info.driver].join(' '));
}
