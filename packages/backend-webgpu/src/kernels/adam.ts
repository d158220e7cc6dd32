import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorMap, Tensor, TensorInfo, Variable } from '@tensorflow/tfjs-core';
import { ceilDiv } from './program';
import type { GpuProgram, WebGpuBackendLike } from './program';

/**
 * Adam's update of one variable in one elementwise pass per output. tfjs' AdamOptimizer
 * issues ~14 kernels per variable and step (mul, add, square, div, sqrt, …); these programs
 * compute the new first moment (mode 0), second moment (mode 1) and value (mode 2) each
 * straight from (m, v, g, w), with tfjs' exact formula and order of operations:
 *   m' = m·β1 + g·(1−β1);  v' = v·β2 + g²·(1−β2)
 *   w' = (m'/(1−β1ᵗ)) / (sqrt(v'/(1−β2ᵗ)) + ε) · (−lr) + w
 * β1ᵗ, β2ᵗ stay on the GPU (tfjs keeps them in scalar variables), so nothing is read back.
 */
export class AdamUpdateProgram implements GpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  /** Mode 0 reads (m, g), mode 1 (v, g), mode 2 all six (WebGPU drops unused bindings). */
  variableNames: string[];
  size = true;
  uniforms = 'beta1 : f32, beta2 : f32, lr : f32, eps : f32,';
  private readonly mode: 0 | 1 | 2;

  constructor(shape: number[], mode: 0 | 1 | 2) {
    this.outputShape = shape;
    this.mode = mode;
    this.shaderKey = `tfbricksAdam_${mode}`;
    this.variableNames = [['moment1', 'grad'], ['moment2', 'grad'], ['moment1', 'moment2', 'grad', 'weight', 'accBeta1', 'accBeta2']][mode]!;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [ceilDiv(Math.max(1, shape.reduce((a, b) => a * b, 1)), 64), 1, 1];
  }

  getUserCode(): string {
    const out = ['m1', 'v1', 'w1'][this.mode];
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let g = grad[index];
      ${this.mode !== 1 ? 'let m1 = moment1[index] * uniforms.beta1 + g * (1.0 - uniforms.beta1);' : ''}
      ${this.mode !== 0 ? 'let v1 = moment2[index] * uniforms.beta2 + (g * g) * (1.0 - uniforms.beta2);' : ''}
      ${
        this.mode === 2
          ? `let mHat = m1 / (1.0 - accBeta1[0]);
      let vHat = v1 / (1.0 - accBeta2[0]);
      let w1 = (mHat / (sqrt(vHat) + uniforms.eps)) * (-uniforms.lr) + weight[index];`
          : ''
      }
      setOutputAtIndex(index, ${out});
    }
  }
`;
  }
}

interface NamedTensor {
  name: string;
  tensor: Tensor;
}

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: Variable } | undefined>;
  incrementIterations(): void;
}

type ApplyGradients = (variableGradients: NamedTensorMap | NamedTensor[]) => void;

let stockApply: ApplyGradients | undefined;

/**
 * Drop-in `AdamOptimizer.prototype.applyGradients`: on the webgpu backend with float32
 * variables it runs {@link AdamUpdateProgram} (3 dispatches per variable), anywhere else
 * tfjs' own implementation. Moments are created, named and stored exactly as tfjs does, so
 * `getWeights()`/`setWeights()` and serialisation are unchanged.
 */
function fusedApplyGradients(this: AdamInternals, variableGradients: NamedTensorMap | NamedTensor[]): void {
  const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
  const gradientOf = (name: string, i: number): Tensor | undefined =>
    Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
  const registered = tf.engine().registeredVariables;
  const eligible =
    tf.getBackend() === 'webgpu' &&
    names.every((name, i) => {
      const g = gradientOf(name, i);
      return registered[name]?.dtype === 'float32' && (g == null || g.dtype === 'float32');
    });
  if (!eligible) {
    stockApply!.call(this, variableGradients);
    return;
  }
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  const uniforms = [
    { type: 'float32' as const, data: [this.beta1] },
    { type: 'float32' as const, data: [this.beta2] },
    { type: 'float32' as const, data: [this.learningRate] },
    { type: 'float32' as const, data: [this.epsilon] },
  ];
  tf.tidy(() => {
    names.forEach((name, i) => {
      const value = registered[name]!;
      if (this.accumulatedFirstMoment[i] == null) {
        this.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      if (this.accumulatedSecondMoment[i] == null) {
        this.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      const gradient = gradientOf(name, i);
      if (gradient == null) return;
      const m = this.accumulatedFirstMoment[i]!.variable;
      const v = this.accumulatedSecondMoment[i]!.variable;
      const inputs: TensorInfo[][] = [[m, gradient], [v, gradient], [m, v, gradient, value, this.accBeta1, this.accBeta2]];
      const run = (mode: 0 | 1 | 2) =>
        tf.engine().makeTensorFromTensorInfo(backend.runWebGPUProgram(new AdamUpdateProgram(value.shape, mode), inputs[mode]!, 'float32', uniforms));
      const newM = run(0);
      const newV = run(1);
      const newValue = run(2);
      m.assign(newM);
      v.assign(newV);
      value.assign(newValue);
    });
    this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
    this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
  });
  this.incrementIterations();
}

/** Route every AdamOptimizer's update through {@link fusedApplyGradients}. */
export function installFusedAdam(): void {
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
  if (proto.applyGradients === (fusedApplyGradients as unknown as ApplyGradients)) return;
  stockApply = proto.applyGradients;
  proto.applyGradients = fusedApplyGradients as unknown as ApplyGradients;
}

/** Put tfjs' own AdamOptimizer update back. */
export function uninstallFusedAdam(): void {
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
  if (stockApply && proto.applyGradients === (fusedApplyGradients as unknown as ApplyGradients)) proto.applyGradients = stockApply;
}

export function fusedAdamInstalled(): boolean {
  return (tf.AdamOptimizer.prototype as unknown as { applyGradients: unknown }).applyGradients === fusedApplyGradients;
}
