import type { TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { GEMM_WORKGROUP, TILE, ceilDiv, gemmInnerLoop, gemmSharedDecls, gemmTilePrologue, i32 } from './program';
import type { GpuProgram, WebGpuBackendLike } from './program';

/**
 * Filter gradient of a 2-D convolution (NHWC, dilation 1) as a GEMM over an implicit
 * im2col: dW[k, c] = Σ_m X[m, k] · dY[m, c], with m = (batch, outRow, outCol) the long
 * N·H·W reduction, k = (filterRow, filterCol, inChannel) and c the output channel.
 *
 * The reduction is split into `splits` chunks along m (grid z), each workgroup writing a
 * 32×32 partial tile into a [splits, K, C] buffer; {@link FilterGradReduceProgram} then
 * sums the partials. This keeps thousands of invocations busy even though dW is small.
 */
export class FilterGradGemmProgram implements GpuProgram {
  outputShape: number[];
  shaderKey = 'tfbricksConv2DFilterGradGemm';
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = GEMM_WORKGROUP;
  variableNames = ['x', 'dy'];
  uniforms =
    'M : i32, K : i32, C : i32, chunk : i32, inH : i32, inW : i32, inC : i32, outH : i32, outW : i32, fw : i32, pads : vec2<i32>, strides : vec2<i32>,';

  constructor(splits: number, K: number, C: number) {
    this.outputShape = [splits, K, C];
    this.dispatch = [ceilDiv(C, TILE), ceilDiv(K, TILE), splits];
  }

  getUserCode(): string {
    // Staging assignment: invocation `tid` loads reduction row `tid / 2` and the 16
    // consecutive tile columns starting at `(tid % 2) * 16`, for both operands.
    const q16 = Array.from({ length: 16 }, (_, q) => q);
    const kSetup = q16
      .map(
        (q) => `
    {
      let k = kFirst + ${q};
      let ci = k % uniforms.inC;
      let t = k / uniforms.inC;
      let wC = t % uniforms.fw;
      let wR = t / uniforms.fw;
      kOff[${q}] = (wR * uniforms.inW + wC) * uniforms.inC + ci;
      kR[${q}] = select(-1073741824, wR, k < uniforms.K);
      kC[${q}] = wC;
    }`,
      )
      .join('');
    const loadA = q16
      .map(
        (q) => `
        {
          let xR = baseR + kR[${q}];
          let xC = baseC + kC[${q}];
          var v = 0.0;
          if (mOk && xR >= 0 && xR < uniforms.inH && xC >= 0 && xC < uniforms.inW) {
            v = x[xBase + kOff[${q}]];
          }
          As[sRow + ${q}] = v;
        }`,
      )
      .join('');
    const loadB = q16
      .map(
        (q) => `
        {
          var v = 0.0;
          if (mOk && cFirst + ${q} < uniforms.C) { v = dy[dyOff + ${q}]; }
          Bs[sRow + ${q}] = v;
        }`,
      )
      .join('');
    return `
  ${gemmSharedDecls}
  fn main() {${gemmTilePrologue}
    let split = i32(workgroupId.z);
    let mStart = split * uniforms.chunk;
    let mEnd = min(mStart + uniforms.chunk, uniforms.M);

    let sRow = sm * ${TILE} + sCol;
    let kFirst = rowBase + sCol;
    let cFirst = colBase + sCol;

    // Per staged k: offset of (wR, wC, ci) inside an input row block, and its filter row/col.
    var kOff : array<i32, 16>;
    var kR : array<i32, 16>;
    var kC : array<i32, 16>;
    ${kSetup}

    let outHW = uniforms.outH * uniforms.outW;
    let rowStride = uniforms.inW * uniforms.inC;
    var acc : array<vec4<f32>, 4>;
    for (var i = 0; i < 4; i = i + 1) { acc[i] = vec4<f32>(0.0); }

    // The trip count only depends on uniforms, so the barriers below sit in uniform
    // control flow (workgroup ids are not uniform to WGSL's analysis); rows past mEnd load 0.
    let steps = uniforms.chunk / ${TILE};
    for (var step = 0; step < steps; step = step + 1) {
      let m0 = mStart + step * ${TILE};
      {
        let m = m0 + sm;
        let mOk = m < mEnd;
        let b = m / outHW;
        let rem = m - b * outHW;
        let yR = rem / uniforms.outW;
        let yC = rem - yR * uniforms.outW;
        let baseR = yR * uniforms.strides.x - uniforms.pads.x;
        let baseC = yC * uniforms.strides.y - uniforms.pads.y;
        let xBase = b * uniforms.inH * rowStride + baseR * rowStride + baseC * uniforms.inC;
        ${loadA}
        let dyOff = m * uniforms.C + cFirst;
        ${loadB}
      }
      workgroupBarrier();
      ${gemmInnerLoop}
      workgroupBarrier();
    }

    let col = colBase + tx * 4;
    for (var i = 0; i < 4; i = i + 1) {
      let row = rowBase + ty * 4 + i;
      if (row < uniforms.K) {
        let o = (split * uniforms.K + row) * uniforms.C;
        for (var j = 0; j < 4; j = j + 1) {
          if (col + j < uniforms.C) { result[o + col + j] = acc[i][j]; }
        }
      }
    }
  }
`;
  }
}

/** Second pass: out[i] = Σ_s partial[s, i]. */
export class FilterGradReduceProgram implements GpuProgram {
  outputShape: number[];
  shaderKey = 'tfbricksConv2DFilterGradReduce';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  variableNames = ['partial'];
  uniforms = 'splits : i32,';
  size = true;

  constructor(outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const n = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [ceilDiv(n, 64), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var s = 0.0;
      for (var i = 0; i < uniforms.splits; i = i + 1) {
        s = s + partial[i * uniforms.size + index];
      }
      setOutputAtIndex(index, s);
    }
  }
`;
  }
}

/** Target number of workgroups when choosing the split of the reduction. */
const TARGET_WORKGROUPS = 512;
/** Smallest reduction chunk worth a split of its own (a multiple of the tile). */
const MIN_CHUNK = 8 * TILE;

export function chooseSplits(M: number, tiles: number, maxPerDimension = 65535): { splits: number; chunk: number } {
  const wanted = Math.max(1, Math.ceil(TARGET_WORKGROUPS / tiles));
  const most = Math.max(1, Math.floor(M / MIN_CHUNK));
  let splits = Math.min(wanted, most, maxPerDimension);
  const chunk = ceilDiv(ceilDiv(M, splits), TILE) * TILE;
  splits = ceilDiv(M, chunk);
  return { splits, chunk };
}

/** Whether {@link runFilterGrad} handles this convolution (else the stock kernel runs). */
export function filterGradSupported(info: backend_util.Conv2DInfo, x: TensorInfo, dy: TensorInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    x.shape.length === 4 &&
    info.batchSize * info.outHeight * info.outWidth > 0
  );
}

export function runFilterGrad(backend: WebGpuBackendLike, info: backend_util.Conv2DInfo, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const M = info.batchSize * info.outHeight * info.outWidth;
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const C = info.outChannels;
  const tiles = ceilDiv(K, TILE) * ceilDiv(C, TILE);
  const { splits, chunk } = chooseSplits(M, tiles, backend.device?.limits?.maxComputeWorkgroupsPerDimension);
  const gemm = new FilterGradGemmProgram(splits, K, C);
  const uniforms = [
    i32(M),
    i32(K),
    i32(C),
    i32(chunk),
    i32(info.inHeight),
    i32(info.inWidth),
    i32(info.inChannels),
    i32(info.outHeight),
    i32(info.outWidth),
    i32(info.filterWidth),
    i32(info.padInfo.top, info.padInfo.left),
    i32(info.strideHeight, info.strideWidth),
  ];
  const partial = backend.runWebGPUProgram(gemm, [x, dy], 'float32', uniforms);
  const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  if (splits === 1) {
    // One chunk: the partial buffer already is dW; hand it over under the filter's shape.
    return { dataId: partial.dataId, shape: filterShape, dtype: 'float32' };
  }
  const reduce = new FilterGradReduceProgram(filterShape);
  const out = backend.runWebGPUProgram(reduce, [partial], 'float32', [i32(splits)]);
  backend.disposeData(partial.dataId);
  return out;
}
