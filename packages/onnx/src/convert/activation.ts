import { usageError } from '@tfbricks/core';
import { physicalAxis, type GraphBuilder, type Value } from '../graph';

/** tfjs activation identifiers the exporter writes. */
export const ONNX_ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign', 'softmax', 'logSoftmax', 'swish', 'mish', 'gelu', 'gelu_new'] as const;

type Emit = (g: GraphBuilder, x: Value, node: string, out: string) => string;

const unary =
  (opType: string, attrs: Record<string, { float: number }> = {}): Emit =>
  (g, x, node, out) =>
    g.op(opType, [x.name], node, attrs, out);

const ACT: Record<string, Emit> = {
  relu: unary('Relu'),
  relu6: (g, x, node, out) => g.op('Clip', [x.name, g.scalar(`${node}/min`, 0), g.scalar(`${node}/max`, 6)], node, {}, out),
  elu: unary('Elu', { alpha: { float: 1 } }),
  // tfjs: SELU_SCALEALPHA / SELU_SCALE and SELU_SCALE.
  selu: unary('Selu', { alpha: { float: 1.7580993408473768 / 1.0507009873554805 }, gamma: { float: 1.0507009873554805 } }),
  sigmoid: unary('Sigmoid'),
  // tfjs/Keras: clip(0.2 x + 0.5, 0, 1).
  hardSigmoid: unary('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } }),
  tanh: unary('Tanh'),
  softplus: unary('Softplus'),
  softsign: unary('Softsign'),
  softmax: (g, x, node, out) => g.op('Softmax', [x.name], node, { axis: physicalAxis(x, -1) }, out),
  logSoftmax: (g, x, node, out) => g.op('LogSoftmax', [x.name], node, { axis: physicalAxis(x, -1) }, out),
  swish: (g, x, node, out) => g.op('Mul', [x.name, g.op('Sigmoid', [x.name], `${node}/sigmoid`)], node, {}, out),
  mish: (g, x, node, out) => g.op('Mul', [x.name, g.op('Tanh', [g.op('Softplus', [x.name], `${node}/softplus`)], `${node}/tanh`)], node, {}, out),
  // 0.5 x (1 + erf(x / sqrt 2))
  gelu: (g, x, node, out) => {
    const erf = g.op('Erf', [g.op('Div', [x.name, g.scalar(`${node}/sqrt2`, Math.SQRT2)], `${node}/div`)], `${node}/erf`);
    const onePlus = g.op('Add', [erf, g.scalar(`${node}/one`, 1)], `${node}/add`);
    return g.op('Mul', [g.op('Mul', [x.name, onePlus], `${node}/mul_x`), g.scalar(`${node}/half`, 0.5)], node, {}, out);
  },
  // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
  gelu_new: (g, x, node, out) => {
    const cube = g.op('Mul', [g.op('Mul', [x.name, x.name], `${node}/x2`), x.name], `${node}/x3`);
    const inner = g.op('Add', [x.name, g.op('Mul', [cube, g.scalar(`${node}/c`, 0.044715)], `${node}/cx3`)], `${node}/inner`);
    const t = g.op('Tanh', [g.op('Mul', [inner, g.scalar(`${node}/k`, Math.sqrt(2 / Math.PI))], `${node}/scaled`)], `${node}/tanh`);
    const onePlus = g.op('Add', [t, g.scalar(`${node}/one`, 1)], `${node}/add`);
    return g.op('Mul', [g.op('Mul', [x.name, onePlus], `${node}/mul_x`), g.scalar(`${node}/half`, 0.5)], node, {}, out);
  },
};

/** True when `name` is the identity. */
export function isLinear(name: unknown): boolean {
  return name === undefined || name === null || name === 'linear';
}

/**
 * Apply tfjs activation `name` to `x`: node `node`, output `out`. `linear` adds nothing and
 * returns `x`. An unknown activation is an error naming the layer.
 */
export function applyActivation(g: GraphBuilder, x: Value, name: unknown, node: string, out: string, where: string): Value {
  if (isLinear(name)) return x;
  const emit = typeof name === 'string' ? ACT[name] : undefined;
  if (!emit) {
    throw usageError('E_ONNX_UNSUPPORTED', `exportOnnx: ${where}: activation ${JSON.stringify(name)} is not supported`, `supported activations: ${ONNX_ACTIVATIONS.join(', ')}`);
  }
  return { name: emit(g, x, node, out), shape: x.shape, layout: x.layout };
}
