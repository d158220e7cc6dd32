import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL } from '@tfbricks/core';
import type { AdamUpdateAttrs, AdamUpdateInputs } from '@tfbricks/core';
import { ceilDiv } from './program';
import type { GpuProgram, UniformValue, WebGpuBackendLike } from './program';

type Mode = 0 | 1 | 2;

/**
 * One output of core's `TfbricksAdamUpdate` (Keras' Adam) in one elementwise pass: the new
 * first moment (mode 0), second moment (mode 1) or variable (mode 2), each straight from
 * (m, v, g, x) in the order of operations of `KerasAdam`'s op-by-op update:
 *   m' = m·β1 + g·(1−β1);  v' = v·β2 + g²·(1−β2);  x' = x − (m' / (sqrt(v') + ε))·lrT
 * Three dispatches per variable instead of the ~14 element-wise kernels of the op chain.
 */
export class AdamUpdateProgram implements GpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  /** Mode 0 reads (m, g), mode 1 (v, g), mode 2 all four. */
  variableNames: string[];
  size = true;
  uniforms = 'beta1 : f32, oneMinusBeta1 : f32, beta2 : f32, oneMinusBeta2 : f32, epsilon : f32, lrT : f32,';
  private readonly mode: Mode;

  constructor(shape: number[], mode: Mode) {
    this.outputShape = shape;
    this.mode = mode;
    this.shaderKey = `tfbricksAdam_${mode}`;
    this.variableNames = [['moment1', 'grad'], ['moment2', 'grad'], ['moment1', 'moment2', 'grad', 'weight']][mode]!;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [ceilDiv(Math.max(1, shape.reduce((a, b) => a * b, 1)), 64), 1, 1];
  }

  getUserCode(): string {
    const m = 'let m1 = moment1[index] * uniforms.beta1 + g * uniforms.oneMinusBeta1;';
    const v = 'let v1 = moment2[index] * uniforms.beta2 + (g * g) * uniforms.oneMinusBeta2;';
    const body = [
      `${m}\n      setOutputAtIndex(index, m1);`,
      `${v}\n      setOutputAtIndex(index, v1);`,
      `${m}\n      ${v}\n      setOutputAtIndex(index, weight[index] - (m1 / (sqrt(v1) + uniforms.epsilon)) * uniforms.lrT);`,
    ][this.mode];
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let g = grad[index];
      ${body}
    }
  }
`;
  }
}

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

/** The webgpu implementation of core's {@link ADAM_UPDATE_KERNEL}: returns `[m', v', x']`. */
export function adamUpdate(args: KernelArgs): TensorInfo[] {
  const { variable, gradient, m, v } = args.inputs as unknown as AdamUpdateInputs<TensorInfo>;
  const { beta1, beta2, epsilon, lrT } = args.attrs as unknown as AdamUpdateAttrs;
  for (const [name, t] of Object.entries({ variable, gradient, m, v })) {
    if (t.dtype !== 'float32' || t.shape.join() !== variable.shape.join()) {
      throw new Error(`${ADAM_UPDATE_KERNEL}: input "${name}" is ${t.dtype} [${t.shape.join(', ')}]; all inputs must be float32 [${variable.shape.join(', ')}]`);
    }
  }
  const backend = args.backend as WebGpuBackendLike;
  const f32 = (x: number): UniformValue => ({ type: 'float32', data: [x] });
  const uniforms = [f32(beta1), f32(1 - beta1), f32(beta2), f32(1 - beta2), f32(epsilon), f32(lrT)];
  const inputs: TensorInfo[][] = [[m, gradient], [v, gradient], [m, v, gradient, variable]];
  return ([0, 1, 2] as const).map((mode) => backend.runWebGPUProgram(new AdamUpdateProgram(variable.shape, mode), inputs[mode]!, 'float32', uniforms));
}

export const adamUpdateConfig: KernelConfig = {
  kernelName: ADAM_UPDATE_KERNEL,
  backendName: 'webgpu',
  kernelFunc: adamUpdate as unknown as KernelConfig['kernelFunc'],
};
