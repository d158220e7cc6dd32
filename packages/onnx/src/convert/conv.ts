import { applyActivation, isLinear } from './activation';
import { layerError, pair, requireChannelsLast, requireWeight, stageName, windowPads, type Converter } from './context';
import { transpose } from './weights';

/**
 * Conv2D (tfjs' own class and tfbricks' fused Conv2D+ReLU, whose config says `relu`): ONNX
 * `Conv` in NCHW with explicit pads, the kernel transposed from HWIO to OIHW, then the
 * activation.
 */
export const conv2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const { g } = ctx;
  const x = g.inLayout(ctx.inputs[0], 'NCHW', ctx.name);
  const kernelSize = pair(ctx, 'kernelSize');
  const strides = pair(ctx, 'strides', [1, 1]);
  const dilations = pair(ctx, 'dilationRate', [1, 1]);
  if ((strides[0] > 1 || strides[1] > 1) && (dilations[0] > 1 || dilations[1] > 1)) layerError(ctx, 'strides > 1 together with dilationRate > 1 is not supported by tfjs either');
  const pads = windowPads(ctx, ctx.config.padding, x.shape, kernelSize, strides, dilations);
  const kernel = requireWeight(ctx, 'kernel');
  const w = transpose(kernel.data, kernel.shape, [3, 2, 0, 1]);
  const inputs = [x.name, g.floats(`${ctx.name}/kernel`, w.shape, w.data)];
  const bias = ctx.config.useBias === false ? undefined : ctx.weight('bias');
  if (bias) inputs.push(g.floats(`${ctx.name}/bias`, bias.shape, bias.data));
  const activation = ctx.config.activation;
  const out = g.op('Conv', inputs, ctx.name, { kernel_shape: kernelSize, strides, dilations, pads, group: 1 }, stageName(ctx, isLinear(activation), 'conv'));
  const y = { name: out, shape: ctx.outputShape, layout: 'NCHW' as const };
  return applyActivation(g, y, activation, `${ctx.name}/${String(activation)}`, ctx.name, `layer "${ctx.name}" (${ctx.className})`);
};
