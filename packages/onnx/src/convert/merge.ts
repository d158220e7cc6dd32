import { physicalAxis } from '../graph';
import { layerError, type Converter } from './context';

const VARIADIC: Record<string, string> = { Add: 'Sum', Average: 'Mean', Maximum: 'Max', Minimum: 'Min', Multiply: 'Mul' };

/** Add / Average / Maximum / Minimum / Multiply: element-wise on equal shapes, all inputs in one layout. */
export const elementwise: Converter = (ctx) => {
  const { g } = ctx;
  const layout = ctx.inputs[0].layout;
  const xs = ctx.inputs.map((v) => g.inLayout(v, layout, ctx.name).name);
  const variadic = VARIADIC[ctx.className];
  if (ctx.className === 'Add' && xs.length === 2) return { name: g.op('Add', xs, ctx.name), shape: ctx.outputShape, layout };
  if (ctx.className !== 'Multiply') return { name: g.op(variadic, xs, ctx.name), shape: ctx.outputShape, layout };
  // Mul is binary: a chain, the last node named after the layer.
  let acc = xs[0];
  for (let i = 1; i < xs.length; i++) acc = g.op('Mul', [acc, xs[i]], i === xs.length - 1 ? ctx.name : `${ctx.name}/mul_${i}`);
  return { name: acc, shape: ctx.outputShape, layout };
};

/** Concatenate along a logical (NHWC) axis, mapped to the physical layout. */
export const concatenate: Converter = (ctx) => {
  const { g } = ctx;
  const first = ctx.inputs[0];
  const xs = ctx.inputs.map((v) => g.inLayout(v, first.layout, ctx.name).name);
  const axis = typeof ctx.config.axis === 'number' ? ctx.config.axis : -1;
  const rank = first.shape.length;
  if (axis === 0 || axis === -rank) layerError(ctx, 'concatenating along the batch axis is not supported');
  return { name: g.op('Concat', xs, ctx.name, { axis: physicalAxis(first, axis) }), shape: ctx.outputShape, layout: first.layout };
};
