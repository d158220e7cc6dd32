import { applyActivation, isLinear } from './activation';
import { requireWeight, stageName, type Converter } from './context';

/**
 * Dense (also tfbricks' fused Dense+ReLU): `Gemm` on rank-2 inputs; on higher ranks `MatMul`
 * over the last (channels) axis in NHWC layout, then `Add` of the bias. Then the activation.
 */
export const dense: Converter = (ctx) => {
  const { g } = ctx;
  const x = g.inLayout(ctx.inputs[0], 'NHWC', ctx.name);
  const kernel = requireWeight(ctx, 'kernel');
  const w = g.floats(`${ctx.name}/kernel`, kernel.shape, kernel.data);
  const bias = ctx.config.useBias === false ? undefined : ctx.weight('bias');
  const b = bias ? g.floats(`${ctx.name}/bias`, bias.shape, bias.data) : undefined;
  const activation = ctx.config.activation;
  const last = isLinear(activation);
  let out: string;
  if (x.shape.length === 2) {
    out = g.op('Gemm', b ? [x.name, w, b] : [x.name, w], ctx.name, {}, stageName(ctx, last, 'gemm'));
  } else if (b) {
    const mm = g.op('MatMul', [x.name, w], ctx.name, {}, `${ctx.name}/matmul`);
    out = g.op('Add', [mm, b], `${ctx.name}/bias_add`, {}, stageName(ctx, last, 'bias_add'));
  } else {
    out = g.op('MatMul', [x.name, w], ctx.name, {}, stageName(ctx, last, 'matmul'));
  }
  const y = { name: out, shape: ctx.outputShape, layout: 'NHWC' as const };
  return applyActivation(g, y, activation, `${ctx.name}/${String(activation)}`, ctx.name, `layer "${ctx.name}" (${ctx.className})`);
};

/** Activation: the activation alone (`linear`, e.g. the identity left by a fused ReLU, adds nothing). */
export const activation: Converter = (ctx) => {
  const x = ctx.inputs[0];
  return applyActivation(ctx.g, x, ctx.config.activation, ctx.name, ctx.name, `layer "${ctx.name}" (${ctx.className})`);
};
