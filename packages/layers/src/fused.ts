/**
 * Conv2D/Dense + ReLU as one tfjs kernel, also while training.
 *
 * tfjs runs `FusedConv2D` / `_FusedMatMul` with the activation inside only when no gradient
 * is being recorded (`shouldFuse` in tfjs-core): under a gradient tape it falls back to
 * conv + bias add + relu, which is *more* kernels than an unfused Keras build (whose linear
 * conv still fuses the bias). These ops always run the fused kernel and supply the gradient
 * that tfjs uses for its own fused ops (`dy * step(y)`, then the conv/matmul backprops).
 */
import * as tfc from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-layers';

type GradFunc = Parameters<typeof tfc.customGrad>[0];

type Saved = tfc.Tensor[];
const engine = () => tfc.engine();

/** `relu(conv2d(x, w) + b)` in one `FusedConv2D` kernel (NHWC, dilation 1), with gradients. */
export function conv2dBiasRelu(x: tfc.Tensor4D, w: tfc.Tensor4D, b: tfc.Tensor1D | null, strides: [number, number], pad: 'same' | 'valid'): tfc.Tensor4D {
  const common = { strides, pad, dataFormat: 'NHWC' as const, dimRoundingMode: undefined };
  const forward = (inputs: tfc.NamedTensorMap) =>
    engine().runKernel('FusedConv2D', inputs, { ...common, dilations: [1, 1], activation: 'relu' } as unknown as tfc.NamedAttrMap) as tfc.Tensor4D;
  const backward = (dy: tfc.Tensor4D, [xs, ws, y]: Saved): tfc.Tensor[] => {
    const dyA = tfc.mul(dy, tfc.step(y)) as tfc.Tensor4D;
    const dx = engine().runKernel('Conv2DBackpropInput', { dy: dyA, filter: ws }, { ...common, inputShape: xs.shape } as unknown as tfc.NamedAttrMap) as tfc.Tensor;
    const dw = engine().runKernel('Conv2DBackpropFilter', { x: xs, dy: dyA }, { ...common, filterShape: ws.shape } as unknown as tfc.NamedAttrMap) as tfc.Tensor;
    return b ? [dx, dw, tfc.sum(dyA, [0, 1, 2])] : [dx, dw];
  };
  if (b) {
    const op = tfc.customGrad(((xx: tfc.Tensor, ww: tfc.Tensor, bb: tfc.Tensor, save: tfc.GradSaveFunc) => {
      const y = forward({ x: xx, filter: ww, bias: bb });
      save([xx, ww, y]);
      return { value: y, gradFunc: backward };
    }) as unknown as GradFunc);
    return op(x, w, b) as tfc.Tensor4D;
  }
  const op = tfc.customGrad(((xx: tfc.Tensor, ww: tfc.Tensor, save: tfc.GradSaveFunc) => {
    const y = forward({ x: xx, filter: ww });
    save([xx, ww, y]);
    return { value: y, gradFunc: backward };
  }) as unknown as GradFunc);
  return op(x, w) as tfc.Tensor4D;
}

/** `relu(a @ w + b)` for 2-D `a` in one `_FusedMatMul` kernel, with gradients. */
export function denseBiasRelu(a: tfc.Tensor2D, w: tfc.Tensor2D, b: tfc.Tensor1D | null): tfc.Tensor2D {
  const [n, k] = a.shape;
  const u = w.shape[1];
  const a3 = tfc.reshape(a, [1, n, k]);
  const w3 = tfc.reshape(w, [1, k, u]);
  const forward = (inputs: tfc.NamedTensorMap) =>
    engine().runKernel('_FusedMatMul', inputs, { transposeA: false, transposeB: false, activation: 'relu' } as unknown as tfc.NamedAttrMap) as tfc.Tensor3D;
  const backward = (dy: tfc.Tensor3D, [as, ws, y]: Saved): tfc.Tensor[] => {
    const dyA = tfc.mul(dy, tfc.step(y)) as tfc.Tensor3D;
    const da = tfc.matMul(dyA, ws as tfc.Tensor3D, false, true);
    const dw = tfc.matMul(as as tfc.Tensor3D, dyA, true, false);
    return b ? [da, dw, tfc.sum(dyA, [0, 1])] : [da, dw];
  };
  let y3: tfc.Tensor3D;
  if (b) {
    const op = tfc.customGrad(((aa: tfc.Tensor, ww: tfc.Tensor, bb: tfc.Tensor, save: tfc.GradSaveFunc) => {
      const y = forward({ a: aa, b: ww, bias: bb });
      save([aa, ww, y]);
      return { value: y, gradFunc: backward };
    }) as unknown as GradFunc);
    y3 = op(a3, w3, b) as tfc.Tensor3D;
  } else {
    const op = tfc.customGrad(((aa: tfc.Tensor, ww: tfc.Tensor, save: tfc.GradSaveFunc) => {
      const y = forward({ a: aa, b: ww });
      save([aa, ww, y]);
      return { value: y, gradFunc: backward };
    }) as unknown as GradFunc);
    y3 = op(a3, w3) as tfc.Tensor3D;
  }
  return tfc.reshape(y3, [n, u]);
}

interface WeightedLayer {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: [number, number];
  padding: 'same' | 'valid';
  dataFormat: string;
  dilationRate: number[];
}

type LayerCtor = new (args: Record<string, unknown>) => tf.layers.Layer;
let classes: { Conv2D: LayerCtor; Dense: LayerCtor } | undefined;

/**
 * tfjs' Conv2D and Dense classes, subclassed so `call` uses the fused ops above (the classes
 * are not exported by tfjs-layers; they are taken from an instance).
 */
export function fusedLayerClasses(): { Conv2D: LayerCtor; Dense: LayerCtor } {
  if (classes) return classes;
  const ConvBase = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as LayerCtor;
  const DenseBase = Object.getPrototypeOf(tf.layers.dense({ units: 1 })).constructor as LayerCtor;
  class FusedReluConv2D extends ConvBase {
    static className = 'Conv2D';
    override call(inputs: tfc.Tensor | tfc.Tensor[], kwargs: Record<string, unknown>): tfc.Tensor | tfc.Tensor[] {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const self = this as unknown as WeightedLayer;
      const dil = self.dilationRate ?? [1, 1];
      if (x.rank !== 4 || self.dataFormat !== 'channelsLast' || dil.some((d) => d !== 1)) return super.call(inputs, kwargs);
      return tfc.tidy(() => conv2dBiasRelu(x as tfc.Tensor4D, self.kernel.read() as tfc.Tensor4D, (self.bias?.read() as tfc.Tensor1D) ?? null, self.strides, self.padding));
    }
  }
  class FusedReluDense extends DenseBase {
    static className = 'Dense';
    override call(inputs: tfc.Tensor | tfc.Tensor[], kwargs: Record<string, unknown>): tfc.Tensor | tfc.Tensor[] {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x.rank !== 2) return super.call(inputs, kwargs);
      const self = this as unknown as WeightedLayer;
      return tfc.tidy(() => denseBiasRelu(x as tfc.Tensor2D, self.kernel.read() as tfc.Tensor2D, (self.bias?.read() as tfc.Tensor1D) ?? null));
    }
  }
  classes = { Conv2D: FusedReluConv2D, Dense: FusedReluDense };
  return classes;
}
