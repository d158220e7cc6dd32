import { layerError, type Converter } from './context';

/**
 * Flatten keeps tfjs' NHWC element order (the Dense after it was trained on it): a rank-4
 * input goes back to NHWC before ONNX `Flatten`.
 */
export const flatten: Converter = (ctx) => {
  const { g } = ctx;
  const x = g.inLayout(ctx.inputs[0], 'NHWC', ctx.name);
  if (x.shape.length === 2) return { ...x, shape: ctx.outputShape };
  return { name: g.op('Flatten', [x.name], ctx.name, { axis: 1 }), shape: ctx.outputShape, layout: 'NHWC' };
};

/** Dropout and other training-only layers: removed (inference is the identity). */
export const identity: Converter = (ctx) => ({ ...ctx.inputs[0], shape: ctx.outputShape });

/** ZeroPadding2D: `Pad` (constant 0) on height and width, in NCHW. */
export const zeroPadding2d: Converter = (ctx) => {
  const { g } = ctx;
  const df = ctx.config.dataFormat;
  if (df !== undefined && df !== 'channelsLast') layerError(ctx, `dataFormat "${String(df)}" is not supported (only channelsLast)`);
  const p = ctx.config.padding;
  const ok = Array.isArray(p) && p.length === 2 && p.every((r) => Array.isArray(r) && r.length === 2 && r.every((v) => Number.isInteger(v) && v >= 0));
  if (!ok) layerError(ctx, `padding must be [[top, bottom], [left, right]], got ${JSON.stringify(p)}`);
  const [[t, b], [l, r]] = p as [[number, number], [number, number]];
  const x = g.inLayout(ctx.inputs[0], 'NCHW', ctx.name);
  const pads = g.ints(`${ctx.name}/pads`, [0, 0, t, l, 0, 0, b, r]);
  return { name: g.op('Pad', [x.name, pads], ctx.name, { mode: 'constant' }), shape: ctx.outputShape, layout: 'NCHW' };
};
