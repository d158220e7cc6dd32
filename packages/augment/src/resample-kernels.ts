import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { resampleDirect } from './direct-resample';
import type { FillMode, InterpolationOrder } from './fill-mode';
import type { ImageGeometry } from './sampling';

/**
 * Our own resampling kernel: `out[p, c] = sum_k w[p, k] * (idx[p, k] < 0 ? cval : x[idx[p, k], c])`
 * with `x` the flattened `[rows, C]` batch. Registered lazily (on first use, never at
 * import) for the `cpu` and `webgpu` backends; any other backend (tfjs-node, webgl) runs the
 * composed gather/mul/sum version instead, which gives the same numbers. (On cpu and wasm the
 * affine step normally takes {@link DIRECT_KERNEL} instead.)
 */
export const RESAMPLE_KERNEL = 'TfbricksAugmentResample';

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuResample({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const b = backend as CpuBackendLike;
  const { x, indices, weights } = inputs;
  const taps = attrs!.taps as number;
  const cval = attrs!.cval as number;
  const c = x.shape[1];
  const xv = b.data.get(x.dataId).values as Float32Array;
  const iv = b.data.get(indices.dataId).values as Int32Array;
  const wv = b.data.get(weights.dataId).values as Float32Array;
  const p = iv.length / taps;
  const out = new Float32Array(p * c);
  for (let q = 0; q < p; q++) {
    const o = q * c;
    for (let k = 0; k < taps; k++) {
      const w = wv[q * taps + k];
      if (w === 0) continue;
      const idx = iv[q * taps + k];
      if (idx < 0) {
        for (let ch = 0; ch < c; ch++) out[o + ch] += w * cval;
      } else {
        const s = idx * c;
        for (let ch = 0; ch < c; ch++) out[o + ch] += w * xv[s + ch];
      }
    }
  }
  return b.makeTensorInfo([p, c], 'float32', out);
}

interface GpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  variableNames: string[];
  uniforms: string;
  size: boolean;
  getUserCode(): string;
}
interface WebGpuBackendLike {
  runWebGPUProgram(
    program: GpuProgram,
    inputs: TensorInfo[],
    dtype: 'float32',
    uniforms: { type: 'int32' | 'float32'; data: number[] }[],
  ): TensorInfo;
}

/** Largest output (elements) one flat dispatch of 64-wide workgroups covers. */
export const WEBGPU_MAX_OUTPUT = 65535 * 64;

function webgpuResample({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const b = backend as WebGpuBackendLike;
  const { x, indices, weights } = inputs;
  const taps = attrs!.taps as number;
  const cval = attrs!.cval as number;
  const c = x.shape[1];
  const p = indices.shape[0] / taps;
  // One invocation per output pixel: reads its taps once, writes all channels.
  const program: GpuProgram = {
    outputShape: [p, c],
    shaderKey: `tfbricksAugmentResample_${taps}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil(p / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    variableNames: ['x', 'indices', 'weights'],
    uniforms: 'channels : i32, cval : f32, pixels : i32,',
    size: true,
    getUserCode: () => `
  fn main(q : i32) {
    if (q < uniforms.pixels) {
      var w : array<f32, ${taps}>;
      var s : array<i32, ${taps}>;
      for (var k = 0; k < ${taps}; k = k + 1) {
        w[k] = weights[q * ${taps} + k];
        s[k] = indices[q * ${taps} + k] * uniforms.channels;
      }
      for (var ch = 0; ch < uniforms.channels; ch = ch + 1) {
        var acc = 0.0;
        for (var k = 0; k < ${taps}; k = k + 1) {
          var v = uniforms.cval;
          if (s[k] >= 0) { v = x[s[k] + ch]; }
          if (w[k] != 0.0) { acc = acc + w[k] * v; }
        }
        setOutputAtIndex(q * uniforms.channels + ch, acc);
      }
    }
  }
`,
  };
  return b.runWebGPUProgram(program, [x, indices, weights], 'float32', [
    { type: 'int32', data: [c] },
    { type: 'float32', data: [cval] },
    { type: 'int32', data: [p] },
  ]);
}

/**
 * Plans and resamples in one pass (no plan arrays), in JS on the host: for backends whose
 * tensors live in CPU memory (`cpu`, `wasm`). `attrs.geometries` holds the per-image affine
 * maps and flips.
 */
export const DIRECT_KERNEL = 'TfbricksAugmentAffineDirect';

/** Backends that run {@link DIRECT_KERNEL} (registered on first use). */
export const DIRECT_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/**
 * Uses only tfjs-core's public `KernelBackend` storage API: `readSync` (cpu: the tensor's own
 * array; wasm: a copy out of the heap) and `write` (cpu: keeps the array; wasm: copies it in).
 */
function hostDirect({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const b = backend as KernelBackend;
  const { x } = inputs;
  const [n, h, w, c] = x.shape;
  const a = attrs as unknown as { geometries: ImageGeometry[]; order: InterpolationOrder; mode: FillMode; cval: number };
  if (a.geometries.length !== n) throw new Error(`${DIRECT_KERNEL}: ${a.geometries.length} geometries for ${n} images`);
  const out = resampleDirect(b.readSync(x.dataId) as Float32Array, a.geometries, h, w, c, a.order, a.mode, a.cval);
  return { dataId: b.write(out, x.shape, 'float32'), shape: x.shape, dtype: 'float32' };
}

/** Whether the active backend runs the one-pass kernel (cpu, wasm; registered on first use). */
export function directKernelAvailable(): boolean {
  const backend = tf.getBackend();
  if (disabled || !DIRECT_BACKENDS.includes(backend)) return false;
  if (!tf.getKernel(DIRECT_KERNEL, backend)) {
    tf.registerKernel({ kernelName: DIRECT_KERNEL, backendName: backend, kernelFunc: hostDirect as unknown as tf.KernelFunc });
  }
  return true;
}

const IMPLEMENTATIONS: Record<string, (args: KernelArgs) => TensorInfo> = { cpu: cpuResample, webgpu: webgpuResample };

let disabled = false;

/** Forces the composed (gather-based) path everywhere, e.g. to compare both; returns the previous setting. */
export function setResampleKernelsEnabled(enabled: boolean): boolean {
  const previous = !disabled;
  disabled = !enabled;
  return previous;
}

/** Whether the active backend runs our kernel (registering it on first use). */
export function resampleKernelAvailable(outputElements: number): boolean {
  if (disabled) return false;
  const backend = tf.getBackend();
  const impl = IMPLEMENTATIONS[backend];
  if (!impl) return false;
  if (backend === 'webgpu' && outputElements > WEBGPU_MAX_OUTPUT) return false; // (pixels <= elements)
  if (!tf.getKernel(RESAMPLE_KERNEL, backend)) {
    tf.registerKernel({ kernelName: RESAMPLE_KERNEL, backendName: backend, kernelFunc: impl as unknown as tf.KernelFunc });
  }
  return true;
}
