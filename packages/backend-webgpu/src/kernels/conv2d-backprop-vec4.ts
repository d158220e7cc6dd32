import type { TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { FilterGradReduceProgram } from './conv2d-backprop-filter';
import { ceilDiv, i32, pixelBlockPrologue } from './program';
import type { GpuProgram, WebGpuBackendLike } from './program';

/**
 * Register-blocked variants for channel counts that are multiples of 4 (the seed model's
 * 32..128-channel layers): no workgroup memory and no barriers, every invocation owns a
 * 4×4 (filter gradient) or 4-pixel × 4-channel (input gradient) block and streams vec4
 * loads; neighbouring invocations share rows, so caches (or the GPU's L1) serve the reuse.
 * On CPU-backed adapters (lavapipe, SwiftShader) this is what runs fastest: barriers and
 * workgroup memory are emulated there.
 */

/** dW partials [splits, fh·fw·Cin, Cout]: invocation = (split, tap, ci/4, co/4), reduction over a chunk of output rows. */
export class FilterGradVec4Program implements GpuProgram {
  outputShape: number[];
  shaderKey = 'tfbricksConv2DFilterGradVec4';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  variableNames = ['x', 'dy'];
  variableComponents = [4, 4];
  outputComponent = 4;
  size = true;
  uniforms =
    'rows : i32, chunk : i32, inH : i32, inW : i32, inC4 : i32, outH : i32, outW : i32, outC4 : i32, fw : i32, taps : i32, pads : vec2<i32>, strides : vec2<i32>,';

  constructor(splits: number, K: number, C: number) {
    this.outputShape = [splits, K, C];
    this.dispatchLayout = { x: [0, 1, 2] };
    this.dispatch = [ceilDiv((splits * K * C) / 16, 64), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    // 'size' counts vec4 outputs; each invocation owns 4 of them (4 input channels).
    if (index * 4 >= uniforms.size) { return; }
    let co4 = index % uniforms.outC4;
    var t = index / uniforms.outC4;
    let ci4 = t % uniforms.inC4;
    t = t / uniforms.inC4;
    let tap = t % uniforms.taps;
    let split = t / uniforms.taps;
    let wR = tap / uniforms.fw;
    let wC = tap - wR * uniforms.fw;

    // The chunk is a range of whole output rows (batch·outH), so the row bounds check and
    // the index arithmetic leave the inner loop.
    let rStart = split * uniforms.chunk;
    let rEnd = min(rStart + uniforms.chunk, uniforms.rows);
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    let xStep = uniforms.strides.y * uniforms.inC4;
    var b = rStart / uniforms.outH;
    var yR = rStart - b * uniforms.outH;
    for (var r = rStart; r < rEnd; r = r + 1) {
      let xR = yR * uniforms.strides.x - uniforms.pads.x + wR;
      if (xR >= 0 && xR < uniforms.inH) {
        // First output column whose input column is inside the image, and the last + 1.
        let c0 = max(0, (uniforms.pads.y - wC + uniforms.strides.y - 1) / uniforms.strides.y);
        let last = uniforms.inW - 1 + uniforms.pads.y - wC;
        let c1 = select(0, min(uniforms.outW, last / uniforms.strides.y + 1), last >= 0);
        var xi = ((b * uniforms.inH + xR) * uniforms.inW + c0 * uniforms.strides.y - uniforms.pads.y + wC) * uniforms.inC4 + ci4;
        var di = (r * uniforms.outW + c0) * uniforms.outC4 + co4;
        for (var yC = c0; yC < c1; yC = yC + 1) {
          let xv = x[xi];
          let dv = dy[di];
          acc0 = fma(vec4<f32>(xv.x), dv, acc0);
          acc1 = fma(vec4<f32>(xv.y), dv, acc1);
          acc2 = fma(vec4<f32>(xv.z), dv, acc2);
          acc3 = fma(vec4<f32>(xv.w), dv, acc3);
          xi = xi + xStep;
          di = di + uniforms.outC4;
        }
      }
      yR = yR + 1;
      if (yR == uniforms.outH) { yR = 0; b = b + 1; }
    }
    let row = (split * uniforms.taps + tap) * uniforms.inC4 * 4 + ci4 * 4;
    result[row * uniforms.outC4 + co4] = acc0;
    result[(row + 1) * uniforms.outC4 + co4] = acc1;
    result[(row + 2) * uniforms.outC4 + co4] = acc2;
    result[(row + 3) * uniforms.outC4 + co4] = acc3;
  }
`;
  }
}

/** Pixels per invocation along the width in {@link InputGradVec4Program}. */
const PIX = 4;

/** dX [N, H, W, Cin]: invocation = (batch·row, column block of 4, ci/4). */
export class InputGradVec4Program implements GpuProgram {
  outputShape: number[];
  shaderKey = 'tfbricksConv2DInputGradVec4';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  variableNames = ['dy', 'W'];
  variableComponents = [4, 4];
  outputComponent = 4;
  uniforms =
    'threads : i32, inH : i32, inW : i32, inC4 : i32, wBlocks : i32, outH : i32, outW : i32, outC4 : i32, fh : i32, fw : i32, pads : vec2<i32>, strides : vec2<i32>,';

  constructor(inShape: number[]) {
    this.outputShape = inShape;
    const [n, h, w, c] = inShape as [number, number, number, number];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = [ceilDiv(n * h * ceilDiv(w, PIX) * (c / 4), 64), 1, 1];
  }

  getUserCode(): string {
    const p = Array.from({ length: PIX }, (_, i) => i);
    return `
  fn main(index : i32) {${pixelBlockPrologue({ channel: 'ci4', channels: 'inC4', height: 'inH', row: 'xR', col0: 'xC0', pix: PIX })}
    ${p.map((i) => `var acc${i} = vec4<f32>(0.0);`).join('\n    ')}
    for (var wR = 0; wR < uniforms.fh; wR = wR + 1) {
      let yRs = xR + uniforms.pads.x - wR;
      let yR = yRs / uniforms.strides.x;
      if (yRs < 0 || yR * uniforms.strides.x != yRs || yR >= uniforms.outH) { continue; }
      let dyRow = (b * uniforms.outH + yR) * uniforms.outW;
      for (var wC = 0; wC < uniforms.fw; wC = wC + 1) {
        ${p
          .map(
            (i) => `let yCs${i} = xC0 + ${i} + uniforms.pads.y - wC;
        let yC${i} = yCs${i} / uniforms.strides.y;
        let ok${i} = xC0 + ${i} < uniforms.inW && yCs${i} >= 0 && yC${i} * uniforms.strides.y == yCs${i} && yC${i} < uniforms.outW;
        let d${i} = select(-1, (dyRow + yC${i}) * uniforms.outC4, ok${i});`,
          )
          .join('\n        ')}
        let wBase = ((wR * uniforms.fw + wC) * uniforms.inC4 * 4 + ci4 * 4) * uniforms.outC4;
        for (var co4 = 0; co4 < uniforms.outC4; co4 = co4 + 1) {
          let w0 = W[wBase + co4];
          let w1 = W[wBase + uniforms.outC4 + co4];
          let w2 = W[wBase + 2 * uniforms.outC4 + co4];
          let w3 = W[wBase + 3 * uniforms.outC4 + co4];
          ${p
            .map(
              (i) => `if (d${i} >= 0) {
            let v = dy[d${i} + co4];
            acc${i} = acc${i} + vec4<f32>(dot(v, w0), dot(v, w1), dot(v, w2), dot(v, w3));
          }`,
            )
            .join('\n          ')}
        }
      }
    }
    let o = (bR * uniforms.inW + xC0) * uniforms.inC4 + ci4;
    ${p.map((i) => `if (xC0 + ${i} < uniforms.inW) { result[o + ${i} * uniforms.inC4] = acc${i}; }`).join('\n    ')}
  }
`;
  }
}

/**
 * dX for input channel counts that are not multiples of 4 (e.g. the RGB input layer) while
 * the output channels are: invocation = (batch·row, block of 4 columns, one input channel),
 * the reduction over output channels still runs on vec4 loads of dY and W.
 */
export class InputGradCo4Program implements GpuProgram {
  outputShape: number[];
  shaderKey = 'tfbricksConv2DInputGradCo4';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  variableNames = ['dy', 'W'];
  variableComponents = [4, 4];
  uniforms =
    'threads : i32, inH : i32, inW : i32, inC : i32, wBlocks : i32, outH : i32, outW : i32, outC4 : i32, fh : i32, fw : i32, pads : vec2<i32>, strides : vec2<i32>,';

  constructor(inShape: number[]) {
    this.outputShape = inShape;
    const [n, h, w, c] = inShape as [number, number, number, number];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = [ceilDiv(n * h * ceilDiv(w, PIX) * c, 64), 1, 1];
  }

  getUserCode(): string {
    const p = Array.from({ length: PIX }, (_, i) => i);
    return `
  fn main(index : i32) {${pixelBlockPrologue({ channel: 'ci', channels: 'inC', height: 'inH', row: 'xR', col0: 'xC0', pix: PIX })}
    ${p.map((i) => `var acc${i} = 0.0;`).join('\n    ')}
    for (var wR = 0; wR < uniforms.fh; wR = wR + 1) {
      let yRs = xR + uniforms.pads.x - wR;
      let yR = yRs / uniforms.strides.x;
      if (yRs < 0 || yR * uniforms.strides.x != yRs || yR >= uniforms.outH) { continue; }
      let dyRow = (b * uniforms.outH + yR) * uniforms.outW;
      for (var wC = 0; wC < uniforms.fw; wC = wC + 1) {
        ${p
          .map(
            (i) => `let yCs${i} = xC0 + ${i} + uniforms.pads.y - wC;
        let yC${i} = yCs${i} / uniforms.strides.y;
        let d${i} = select(-1, (dyRow + yC${i}) * uniforms.outC4, xC0 + ${i} < uniforms.inW && yCs${i} >= 0 && yC${i} * uniforms.strides.y == yCs${i} && yC${i} < uniforms.outW);`,
          )
          .join('\n        ')}
        let wBase = ((wR * uniforms.fw + wC) * uniforms.inC + ci) * uniforms.outC4;
        for (var co4 = 0; co4 < uniforms.outC4; co4 = co4 + 1) {
          let wv = W[wBase + co4];
          ${p.map((i) => `if (d${i} >= 0) { acc${i} = acc${i} + dot(dy[d${i} + co4], wv); }`).join('\n          ')}
        }
      }
    }
    let o = (bR * uniforms.inW + xC0) * uniforms.inC + ci;
    ${p.map((i) => `if (xC0 + ${i} < uniforms.inW) { setOutputAtIndex(o + ${i} * uniforms.inC, acc${i}); }`).join('\n    ')}
  }
`;
  }
}

export function runInputGradCo4(backend: WebGpuBackendLike, info: backend_util.Conv2DInfo, dy: TensorInfo, filter: TensorInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const program = new InputGradCo4Program([n, h, w, c]);
  const wBlocks = ceilDiv(w, PIX);
  const uniforms = [
    i32(n * h * wBlocks * c),
    i32(h),
    i32(w),
    i32(c),
    i32(wBlocks),
    i32(info.outHeight),
    i32(info.outWidth),
    i32(info.outChannels / 4),
    i32(info.filterHeight),
    i32(info.filterWidth),
    i32(info.padInfo.top, info.padInfo.left),
    i32(info.strideHeight, info.strideWidth),
  ];
  return backend.runWebGPUProgram(program, [dy, filter], 'float32', uniforms);
}

export function vec4Eligible(info: backend_util.Conv2DInfo): boolean {
  return info.inChannels % 4 === 0 && info.outChannels % 4 === 0;
}

export function runFilterGradVec4(
  backend: WebGpuBackendLike,
  info: backend_util.Conv2DInfo,
  x: TensorInfo,
  dy: TensorInfo,
  /** Number of chunks of output rows (batch·outH) … */
  splits: number,
  /** … of this many rows each. */
  chunk: number,
): TensorInfo {
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const program = new FilterGradVec4Program(splits, K, info.outChannels);
  const uniforms = [
    i32(info.batchSize * info.outHeight),
    i32(chunk),
    i32(info.inHeight),
    i32(info.inWidth),
    i32(info.inChannels / 4),
    i32(info.outHeight),
    i32(info.outWidth),
    i32(info.outChannels / 4),
    i32(info.filterWidth),
    i32(info.filterHeight * info.filterWidth),
    i32(info.padInfo.top, info.padInfo.left),
    i32(info.strideHeight, info.strideWidth),
  ];
  const partial = backend.runWebGPUProgram(program, [x, dy], 'float32', uniforms);
  const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  if (splits === 1) return { dataId: partial.dataId, shape: filterShape, dtype: 'float32' };
  const reduce = new FilterGradReduceProgram(filterShape);
  const out = backend.runWebGPUProgram(reduce, [partial], 'float32', [i32(splits)]);
  backend.disposeData(partial.dataId);
  return out;
}

export function runInputGradVec4(backend: WebGpuBackendLike, info: backend_util.Conv2DInfo, dy: TensorInfo, filter: TensorInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const program = new InputGradVec4Program([n, h, w, c]);
  const wBlocks = ceilDiv(w, PIX);
  const uniforms = [
    i32(n * h * wBlocks * (c / 4)),
    i32(h),
    i32(w),
    i32(c / 4),
    i32(wBlocks),
    i32(info.outHeight),
    i32(info.outWidth),
    i32(info.outChannels / 4),
    i32(info.filterHeight),
    i32(info.filterWidth),
    i32(info.padInfo.top, info.padInfo.left),
    i32(info.strideHeight, info.strideWidth),
  ];
  return backend.runWebGPUProgram(program, [dy, filter], 'float32', uniforms);
}
