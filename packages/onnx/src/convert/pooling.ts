import type { AttrValue } from '../graph';
import { layerError, pair, requireChannelsLast, windowPads, type Converter } from './context';

/** MaxPooling2D / AveragePooling2D: `MaxPool` / `AveragePool` (pads not counted, as TensorFlow) in NCHW. */
export const pooling2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const { g } = ctx;
  const x = g.inLayout(ctx.inputs[0], 'NCHW', ctx.name);
  const kernel = pair(ctx, 'poolSize', [2, 2]);
  const strides = ctx.config.strides === null || ctx.config.strides === undefined ? kernel : pair(ctx, 'strides');
  const pads = windowPads(ctx, ctx.config.padding ?? 'valid', x.shape, kernel, strides);
  const opType = ctx.className === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
  const attrs: Record<string, AttrValue> = { kernel_shape: kernel, strides, pads };
  if (opType === 'AveragePool') attrs.count_include_pad = 0;
  return { name: g.op(opType, [x.name], ctx.name, attrs), shape: ctx.outputShape, layout: 'NCHW' };
};

/** GlobalAveragePooling2D / GlobalMaxPooling2D: the global pool in NCHW, then `Flatten` to [batch, channels]. */
export const globalPooling2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  if (ctx.config.keepDims === true) layerError(ctx, 'keepDims: true is not supported');
  const { g } = ctx;
  const x = g.inLayout(ctx.inputs[0], 'NCHW', ctx.name);
  const opType = ctx.className === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool';
  const pooled = g.op(opType, [x.name], ctx.name, {}, `${ctx.name}/pooled`);
  return { name: g.op('Flatten', [pooled], `${ctx.name}/flatten`, { axis: 1 }, ctx.name), shape: ctx.outputShape, layout: 'NHWC' };
};
