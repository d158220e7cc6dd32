import type { TensorInfo } from '@tensorflow/tfjs-core';
import { FilterGradReduceProgram } from './conv2d-backprop-filter';
import { ceilDiv, i32 } from './program';
import type { GpuProgram, WebGpuBackendLike } from './program';

/**
 * Σ over every axis but the last (the bias gradient of a conv or dense layer: dY summed over
 * batch, rows and columns). tfjs' Sum transposes the tensor to make those axes innermost and
 * then reduces; this reads it in place: invocation = (chunk of rows, column), neighbouring
 * invocations read neighbouring columns, and a second pass adds the chunks.
 */
export class ColumnSumProgram implements GpuProgram {
  outputShape: number[];
  shaderKey = 'tfbricksColumnSum';
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  variableNames = ['x'];
  size = true;
  uniforms = 'rows : i32, cols : i32, chunk : i32,';

  constructor(splits: number, cols: number) {
    this.outputShape = [splits, cols];
    this.dispatch = [ceilDiv(splits * cols, 64), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let c = index % uniforms.cols;
    let split = index / uniforms.cols;
    let r0 = split * uniforms.chunk;
    let r1 = min(r0 + uniforms.chunk, uniforms.rows);
    var s = 0.0;
    var i = r0 * uniforms.cols + c;
    for (var r = r0; r < r1; r = r + 1) {
      s = s + x[i];
      i = i + uniforms.cols;
    }
    setOutputAtIndex(index, s);
  }
`;
  }
}

/** Rows per chunk: long enough to amortise the second pass, short enough to spread the work. */
const MIN_ROWS = 256;
const TARGET_THREADS = 16384;

export function columnSumSplits(rows: number, cols: number): { splits: number; chunk: number } {
  const splits = Math.max(1, Math.min(Math.ceil(TARGET_THREADS / cols), Math.floor(rows / MIN_ROWS)));
  const chunk = ceilDiv(rows, splits);
  return { splits: ceilDiv(rows, chunk), chunk };
}

/** Sum `x` (float32, rank ≥ 2) over all axes but the last; the result has `outShape`. */
export function runColumnSum(backend: WebGpuBackendLike, x: TensorInfo, outShape: number[]): TensorInfo {
  const cols = x.shape[x.shape.length - 1]!;
  const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const { splits, chunk } = columnSumSplits(rows, cols);
  const partial = backend.runWebGPUProgram(new ColumnSumProgram(splits, cols), [x], 'float32', [i32(rows), i32(cols), i32(chunk)]);
  if (splits === 1) return { dataId: partial.dataId, shape: outShape, dtype: 'float32' };
  const out = backend.runWebGPUProgram(new FilterGradReduceProgram(outShape), [partial], 'float32', [i32(splits)]);
  backend.disposeData(partial.dataId);
  return out;
}

/** True when `axes` (already normalised) are exactly the leading rank-1 axes of a float32 x. */
export function isColumnSum(x: TensorInfo, axes: number[]): boolean {
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank < 2 || axes.length !== rank - 1) return false;
  const sorted = [...axes].sort((a, b) => a - b);
  return sorted.every((a, i) => a === i) && x.shape.every((d) => d > 0);
}
