import type { TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { ceilDiv, i32, pixelBlockPrologue } from './program';
import type { GpuProgram, WebGpuBackendLike } from './program';

/** Output pixels per invocation along the width. */
const PIX = 4;

/**
 * Forward 2-D convolution (NHWC, dilation 1, channels divisible by 4), optionally fused with a
 * per-channel bias and relu: invocation = (batch·row, block of 4 output columns, 4 output
 * channels); per filter tap and 4 input channels it loads 4 vec4 of x and 4 vec4 of W and
 * does 16 vec4 FMAs. Same register-blocked scheme as the gradient programs in
 * `conv2d-backprop-vec4.ts` (tfjs' conv2d_mm stages through workgroup memory instead).
 */
export class ConvForwardVec4Program implements GpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  variableNames: string[];
  variableComponents: number[];
  outputComponent = 4;
  uniforms =
    'threads : i32, inH : i32, inW : i32, inC4 : i32, wBlocks : i32, outH : i32, outW : i32, outC4 : i32, fh : i32, fw : i32, pads : vec2<i32>, strides : vec2<i32>,';
  private readonly hasBias: boolean;
  private readonly relu: boolean;

  constructor(outShape: number[], hasBias: boolean, relu: boolean) {
    this.outputShape = outShape;
    this.hasBias = hasBias;
    this.relu = relu;
    this.variableNames = hasBias ? ['x', 'W', 'bias'] : ['x', 'W'];
    this.variableComponents = hasBias ? [4, 4, 4] : [4, 4];
    this.shaderKey = `tfbricksConv2DVec4_${hasBias}_${relu}`;
    const [n, h, w, c] = outShape as [number, number, number, number];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = [ceilDiv(n * h * ceilDiv(w, PIX) * (c / 4), 64), 1, 1];
  }

  getUserCode(): string {
    const p = Array.from({ length: PIX }, (_, i) => i);
    const init = this.hasBias ? 'bias[co4]' : 'vec4<f32>(0.0)';
    const finish = (v: string) => (this.relu ? `max(${v}, vec4<f32>(0.0))` : v);
    return `
  fn main(index : i32) {${pixelBlockPrologue({ channel: 'co4', channels: 'outC4', height: 'outH', row: 'yR', col0: 'yC0', pix: PIX })}
    ${p.map((i) => `var acc${i} = ${init};`).join('\n    ')}
    for (var wR = 0; wR < uniforms.fh; wR = wR + 1) {
      let xR = yR * uniforms.strides.x - uniforms.pads.x + wR;
      if (xR < 0 || xR >= uniforms.inH) { continue; }
      let xRow = (b * uniforms.inH + xR) * uniforms.inW;
      for (var wC = 0; wC < uniforms.fw; wC = wC + 1) {
        ${p
          .map(
            (i) => `let xC${i} = (yC0 + ${i}) * uniforms.strides.y - uniforms.pads.y + wC;
        let x${i} = select(-1, (xRow + xC${i}) * uniforms.inC4, yC0 + ${i} < uniforms.outW && xC${i} >= 0 && xC${i} < uniforms.inW);`,
          )
          .join('\n        ')}
        let wBase = (wR * uniforms.fw + wC) * uniforms.inC4 * 4 * uniforms.outC4 + co4;
        for (var ci4 = 0; ci4 < uniforms.inC4; ci4 = ci4 + 1) {
          let wi = wBase + ci4 * 4 * uniforms.outC4;
          let w0 = W[wi];
          let w1 = W[wi + uniforms.outC4];
          let w2 = W[wi + 2 * uniforms.outC4];
          let w3 = W[wi + 3 * uniforms.outC4];
          ${p
            .map(
              (i) => `if (x${i} >= 0) {
            let v = x[x${i} + ci4];
            acc${i} = fma(vec4<f32>(v.x), w0, fma(vec4<f32>(v.y), w1, fma(vec4<f32>(v.z), w2, fma(vec4<f32>(v.w), w3, acc${i}))));
          }`,
            )
            .join('\n          ')}
        }
      }
    }
    let o = (bR * uniforms.outW + yC0) * uniforms.outC4 + co4;
    ${p.map((i) => `if (yC0 + ${i} < uniforms.outW) { result[o + ${i} * uniforms.outC4] = ${finish(`acc${i}`)}; }`).join('\n    ')}
  }
`;
  }
}

export function forwardVec4Supported(info: backend_util.Conv2DInfo, x: TensorInfo, filter: TensorInfo, bias?: TensorInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.inChannels % 4 === 0 &&
    info.outChannels % 4 === 0 &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    info.batchSize * info.outHeight * info.outWidth > 0 &&
    (bias === undefined || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === info.outChannels))
  );
}

export function runForwardVec4(
  backend: WebGpuBackendLike,
  info: backend_util.Conv2DInfo,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  relu: boolean,
): TensorInfo {
  const { batchSize: n, outHeight: h, outWidth: w, outChannels: c } = info;
  const program = new ConvForwardVec4Program([n, h, w, c], bias !== undefined, relu);
  const wBlocks = ceilDiv(w, PIX);
  const uniforms = [
    i32(n * h * wBlocks * (c / 4)),
    i32(info.inHeight),
    i32(info.inWidth),
    i32(info.inChannels / 4),
    i32(wBlocks),
    i32(h),
    i32(w),
    i32(c / 4),
    i32(info.filterHeight),
    i32(info.filterWidth),
    i32(info.padInfo.top, info.padInfo.left),
    i32(info.strideHeight, info.strideWidth),
  ];
  return backend.runWebGPUProgram(program, bias ? [x, filter, bias] : [x, filter], 'float32', uniforms);
}
