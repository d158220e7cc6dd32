import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The part of `@tensorflow/tfjs-backend-webgpu`'s `WebGPUProgram` contract our programs
 * implement (see its `webgpu_program.js`): the backend generates the bindings (`result`,
 * then one `array<f32>` per entry of `variableNames`), a `Uniforms` struct (shapes and
 * strides of every input and of the output, then `uniforms`), and calls our `main()`.
 */
export interface GpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  variableNames: string[];
  uniforms?: string;
  /** When true the backend adds `size : i32` (the output's element count) to the uniforms. */
  size?: boolean;
  getUserCode(): string;
}

/** One uniform value, as `runWebGPUProgram` takes them. */
export interface UniformValue {
  type: 'int32' | 'uint32' | 'float32';
  data: number[];
}

/** The subset of tfjs' `WebGPUBackend` our kernels use. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: GpuProgram, inputs: TensorInfo[], outputDtype: DataType, uniforms?: UniformValue[]): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  device?: { limits?: { maxComputeWorkgroupsPerDimension?: number } };
}

export function i32(...data: number[]): UniformValue {
  return { type: 'int32', data };
}

export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/**
 * Shared WGSL for the tiled GEMM: each workgroup of 8×8 invocations owns a 32×32 output
 * tile, each invocation a 4×4 block of it (rows `ty*4..`, columns `tx*4..`). `As` holds the
 * current reduction slice of the left operand as [red][row], `Bs` of the right one as
 * [red][col]; both are 32×32 f32 (8 KiB of workgroup memory in all).
 */
export const TILE = 32;
export const GEMM_WORKGROUP: [number, number, number] = [8, 8, 1];

export const gemmSharedDecls = `
  var<workgroup> As : array<f32, ${TILE * TILE}>;
  var<workgroup> Bs : array<f32, ${TILE * TILE}>;
`;

/**
 * The start of every tiled GEMM's `main()`: the invocation's place in its 8×8 workgroup
 * (`tx`, `ty`, `tid`), the output tile's first row and column, and the slice it stages
 * (invocation `tid` loads tile row/column `sm`, 16 consecutive reduction entries from `sCol`).
 */
export const gemmTilePrologue = `
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let tid = ty * 8 + tx;
    let rowBase = i32(workgroupId.y) * ${TILE};
    let colBase = i32(workgroupId.x) * ${TILE};
    let sm = tid / 2;
    let sCol = (tid % 2) * 16;
`;

/**
 * The start of the register-blocked (vec4) programs' `main()`: one invocation per
 * (batch·row, block of `pix` columns, channel or channel group), innermost the channel.
 * Declares `channel`, `wb` (the column block), `b`, `row` and `col0` (the block's first column).
 */
export function pixelBlockPrologue(o: { channel: string; channels: string; height: string; row: string; col0: string; pix: number }): string {
  return `
    if (index >= uniforms.threads) { return; }
    let ${o.channel} = index % uniforms.${o.channels};
    var t = index / uniforms.${o.channels};
    let wb = t % uniforms.wBlocks;
    let bR = t / uniforms.wBlocks;
    let b = bR / uniforms.${o.height};
    let ${o.row} = bR - b * uniforms.${o.height};
    let ${o.col0} = wb * ${o.pix};`;
}

/** Multiply-accumulate the staged tiles into `acc` (array<vec4<f32>, 4>, one vec4 per row). */
export const gemmInnerLoop = `
      for (var r = 0; r < ${TILE}; r = r + 1) {
        let ai = r * ${TILE} + ty * 4;
        let bi = r * ${TILE} + tx * 4;
        let a = vec4<f32>(As[ai], As[ai + 1], As[ai + 2], As[ai + 3]);
        let b = vec4<f32>(Bs[bi], Bs[bi + 1], Bs[bi + 2], Bs[bi + 3]);
        acc[0] = fma(vec4<f32>(a.x), b, acc[0]);
        acc[1] = fma(vec4<f32>(a.y), b, acc[1]);
        acc[2] = fma(vec4<f32>(a.z), b, acc[2]);
        acc[3] = fma(vec4<f32>(a.w), b, acc[3]);
      }
`;
