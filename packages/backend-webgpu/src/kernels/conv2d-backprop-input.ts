import type { TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { GEMM_WORKGROUP, TILE, ceilDiv, gemmInnerLoop, gemmSharedDecls, gemmTilePrologue, i32 } from './program';
import type { GpuProgram, WebGpuBackendLike } from './program';

/**
 * Input gradient of a 2-D convolution (NHWC, dilation 1) as an implicit GEMM:
 * dX[m, ci] = Σ_(wR, wC, co) dY[b, yR, yC, co] · W[wR, wC, ci, co], with m = (batch, row, col)
 * of dX and (yR, yC) = ((row + padTop − wR) / strideH, (col + padLeft − wC) / strideW) when
 * both divide exactly and fall inside dY. The reduction walks the filter taps and, per tap,
 * 32-wide slices of the output channels; each workgroup owns a 32 (pixels) × 32 (input
 * channels) tile of dX, staged through workgroup memory.
 */
export class InputGradGemmProgram implements GpuProgram {
  outputShape: number[];
  shaderKey = 'tfbricksConv2DInputGradGemm';
  dispatchLayout = { x: [3], y: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = GEMM_WORKGROUP;
  variableNames = ['dy', 'W'];
  uniforms =
    'M : i32, inH : i32, inW : i32, inC : i32, outH : i32, outW : i32, outC : i32, fh : i32, fw : i32, pads : vec2<i32>, strides : vec2<i32>,';

  constructor(inShape: number[]) {
    this.outputShape = inShape;
    const [n, h, w, c] = inShape as [number, number, number, number];
    this.dispatch = [ceilDiv(c, TILE), ceilDiv(n * h * w, TILE), 1];
  }

  getUserCode(): string {
    const q16 = Array.from({ length: 16 }, (_, q) => q);
    const loadA = q16
      .map(
        (q) => `
          {
            var v = 0.0;
            if (dyOff >= 0 && coFirst + ${q} < uniforms.outC) { v = dy[dyOff + coFirst + ${q}]; }
            As[(sCol + ${q}) * ${TILE} + sm] = v;
          }`,
      )
      .join('');
    const loadB = q16
      .map(
        (q) => `
          {
            var v = 0.0;
            if (ciOk && coFirst + ${q} < uniforms.outC) { v = W[wOff + coFirst + ${q}]; }
            Bs[(sCol + ${q}) * ${TILE} + sm] = v;
          }`,
      )
      .join('');
    return `
  ${gemmSharedDecls}
  fn main() {${gemmTilePrologue}

    // The dX pixel this invocation stages dY for.
    let m = rowBase + sm;
    let mOk = m < uniforms.M;
    let hw = uniforms.inH * uniforms.inW;
    let b = m / hw;
    let rem = m - b * hw;
    let xR = rem / uniforms.inW;
    let xC = rem - xR * uniforms.inW;
    // The input channel this invocation stages W for.
    let ci = colBase + sm;
    let ciOk = ci < uniforms.inC;

    var acc : array<vec4<f32>, 4>;
    for (var i = 0; i < 4; i = i + 1) { acc[i] = vec4<f32>(0.0); }

    for (var wR = 0; wR < uniforms.fh; wR = wR + 1) {
      let yRs = xR + uniforms.pads.x - wR;
      let yR = yRs / uniforms.strides.x;
      let rOk = yRs >= 0 && yR * uniforms.strides.x == yRs && yR < uniforms.outH;
      for (var wC = 0; wC < uniforms.fw; wC = wC + 1) {
        let yCs = xC + uniforms.pads.y - wC;
        let yC = yCs / uniforms.strides.y;
        let cOk = yCs >= 0 && yC * uniforms.strides.y == yCs && yC < uniforms.outW;
        let dyOff = select(-1, ((b * uniforms.outH + yR) * uniforms.outW + yC) * uniforms.outC, mOk && rOk && cOk);
        let wOff = ((wR * uniforms.fw + wC) * uniforms.inC + ci) * uniforms.outC;
        for (var co0 = 0; co0 < uniforms.outC; co0 = co0 + ${TILE}) {
          let coFirst = co0 + sCol;
          ${loadA}
          ${loadB}
          workgroupBarrier();
          ${gemmInnerLoop}
          workgroupBarrier();
        }
      }
    }

    let col = colBase + tx * 4;
    for (var i = 0; i < 4; i = i + 1) {
      let row = rowBase + ty * 4 + i;
      if (row < uniforms.M) {
        let o = row * uniforms.inC;
        for (var j = 0; j < 4; j = j + 1) {
          if (col + j < uniforms.inC) { result[o + col + j] = acc[i][j]; }
        }
      }
    }
  }
`;
  }
}

/** Whether {@link runInputGrad} handles this convolution (else the stock kernel runs). */
export function inputGradSupported(
  info: backend_util.Conv2DInfo,
  dy: TensorInfo,
  filter: TensorInfo,
  maxPerDimension = 65535,
): boolean {
  const M = info.batchSize * info.inHeight * info.inWidth;
  return (
    info.dataFormat === 'channelsLast' &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    dy.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    M > 0 &&
    ceilDiv(M, TILE) <= maxPerDimension
  );
}

export function runInputGrad(backend: WebGpuBackendLike, info: backend_util.Conv2DInfo, dy: TensorInfo, filter: TensorInfo): TensorInfo {
  const program = new InputGradGemmProgram([info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
  const uniforms = [
    i32(info.batchSize * info.inHeight * info.inWidth),
    i32(info.inHeight),
    i32(info.inWidth),
    i32(info.inChannels),
    i32(info.outHeight),
    i32(info.outWidth),
    i32(info.outChannels),
    i32(info.filterHeight),
    i32(info.filterWidth),
    i32(info.padInfo.top, info.padInfo.left),
    i32(info.strideHeight, info.strideWidth),
  ];
  return backend.runWebGPUProgram(program, [dy, filter], 'float32', uniforms);
}
