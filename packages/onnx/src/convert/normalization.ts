import { layerError, requireWeight, type Converter } from './context';

/**
 * BatchNormalization in inference form: ONNX `BatchNormalization` with the moving mean and
 * variance, on the channels axis (NCHW for images). Without `scale`/`center` gamma is 1 and
 * beta 0.
 */
export const batchNormalization: Converter = (ctx) => {
  const { g } = ctx;
  const input = ctx.inputs[0];
  const rank = input.shape.length;
  const axis = ctx.config.axis ?? -1;
  const a = typeof axis === 'number' ? (axis < 0 ? axis + rank : axis) : Array.isArray(axis) && axis.length === 1 ? ((axis[0] as number) + rank) % rank : NaN;
  if (a !== rank - 1) layerError(ctx, `axis ${JSON.stringify(axis)} is not supported (only the channels axis, -1)`);
  if (rank !== 2 && rank !== 4) layerError(ctx, `inputs of rank ${rank} are not supported (rank 2 or 4)`);
  const x = g.inLayout(input, 'NCHW', ctx.name);
  const mean = requireWeight(ctx, 'moving_mean');
  const variance = requireWeight(ctx, 'moving_variance');
  const c = mean.data.length;
  const gamma = ctx.config.scale === false ? new Float32Array(c).fill(1) : requireWeight(ctx, 'gamma').data;
  const beta = ctx.config.center === false ? new Float32Array(c) : requireWeight(ctx, 'beta').data;
  const epsilon = typeof ctx.config.epsilon === 'number' ? ctx.config.epsilon : 1e-3;
  const inputs = [
    x.name,
    g.floats(`${ctx.name}/gamma`, [c], gamma),
    g.floats(`${ctx.name}/beta`, [c], beta),
    g.floats(`${ctx.name}/moving_mean`, [c], mean.data),
    g.floats(`${ctx.name}/moving_variance`, [c], variance.data),
  ];
  return { name: g.op('BatchNormalization', inputs, ctx.name, { epsilon: { float: epsilon } }), shape: ctx.outputShape, layout: x.layout };
};
