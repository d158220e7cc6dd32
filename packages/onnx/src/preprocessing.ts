import { usageError } from '@tfbricks/core';
import { base64Encode } from '@bufbuild/protobuf/wire';
import type { GraphBuilder, Value } from './graph';
import type { Preprocessing } from './options';

/** Keras adds this to std before dividing (samplewise and featurewise). */
const STD_EPSILON = 1e-6;

/** Check `p` against the image input's shape (NHWC without batch). */
export function checkPreprocessing(p: Preprocessing, image: number[] | undefined): void {
  const needsImage = p.mean || p.std || p.zca || p.samplewiseCenter || p.samplewiseStdNormalization;
  if (!needsImage) return;
  if (!image || image.length !== 3) {
    throw usageError('E_ONNX_OPTIONS', `exportOnnx: preprocessing with mean/std/ZCA/samplewise needs one image input [height, width, channels], got [${(image ?? []).join(', ')}]`);
  }
  const [h, w, c] = image;
  for (const key of ['mean', 'std'] as const) {
    const v = p[key];
    if (v && v.length !== c) throw usageError('E_ONNX_OPTIONS', `exportOnnx: option "preprocessing.${key}" must hold one value per channel (${c}), got ${v.length}`);
  }
  const d = h * w * c;
  if (p.zca && p.zca.length !== d * d) {
    throw usageError('E_ONNX_OPTIONS', `exportOnnx: option "preprocessing.zca" must be ${d} x ${d} (height * width * channels squared), got ${p.zca.length} values`);
  }
}

function reduceMeanAll(g: GraphBuilder, x: string, node: string): string {
  const axes = [1, 2, 3];
  if (g.opset >= 18) return g.op('ReduceMean', [x, g.ints(`${node}/axes`, axes)], node, { keepdims: 1 });
  return g.op('ReduceMean', [x], node, { axes, keepdims: 1 });
}

/**
 * Bake `p` into the graph after image input `x` (raw pixels): rescale, samplewise center,
 * samplewise std, featurewise mean, featurewise std, ZCA — Keras' `standardize` order.
 */
export function bakePreprocessing(g: GraphBuilder, x: Value, p: Preprocessing): Value {
  let v = x;
  const step = (out: string): Value => ({ name: out, shape: v.shape, layout: v.layout });
  const channelShape = (c: number) => (v.layout === 'NCHW' ? [1, c, 1, 1] : [1, 1, 1, c]);
  if (p.rescale !== undefined && p.rescale !== 1) v = step(g.op('Mul', [v.name, g.scalar('preprocessing/rescale/scale', p.rescale)], 'preprocessing/rescale'));
  if (p.samplewiseCenter) {
    const m = reduceMeanAll(g, v.name, 'preprocessing/samplewise_center/mean');
    v = step(g.op('Sub', [v.name, m], 'preprocessing/samplewise_center'));
  }
  if (p.samplewiseStdNormalization) {
    const base = 'preprocessing/samplewise_std';
    const centered = g.op('Sub', [v.name, reduceMeanAll(g, v.name, `${base}/mean`)], `${base}/centered`);
    const variance = reduceMeanAll(g, g.op('Mul', [centered, centered], `${base}/square`), `${base}/variance`);
    const sd = g.op('Add', [g.op('Sqrt', [variance], `${base}/sqrt`), g.scalar(`${base}/epsilon`, STD_EPSILON)], `${base}/add_epsilon`);
    v = step(g.op('Div', [v.name, sd], base));
  }
  if (p.mean) {
    const mean = g.floats('preprocessing/featurewise_center/mean', channelShape(p.mean.length), p.mean);
    v = step(g.op('Sub', [v.name, mean], 'preprocessing/featurewise_center'));
  }
  if (p.std) {
    const std = Array.from(p.std, (s) => s + STD_EPSILON);
    const divisor = g.floats('preprocessing/featurewise_std/std', channelShape(std.length), std);
    v = step(g.op('Div', [v.name, divisor], 'preprocessing/featurewise_std'));
  }
  if (p.zca) {
    const nhwc = g.inLayout(v, 'NHWC', 'preprocessing/zca');
    const [, h, w, c] = nhwc.shape as number[];
    const d = h * w * c;
    const flat = g.op('Reshape', [nhwc.name, g.ints('preprocessing/zca/flat_shape', [-1, d])], 'preprocessing/zca/flatten');
    const white = g.op('MatMul', [flat, g.floats('preprocessing/zca/principal_components', [d, d], p.zca)], 'preprocessing/zca');
    v = { name: g.op('Reshape', [white, g.ints('preprocessing/zca/image_shape', [-1, h, w, c])], 'preprocessing/zca/unflatten'), shape: v.shape, layout: 'NHWC' };
  }
  return v;
}

/** The `preprocessing` metadata entry: JSON, with the ZCA matrix as base64 float32 little-endian. */
export function preprocessingMetadata(p: Preprocessing, included: boolean): string {
  const order = ['rescale', 'samplewiseCenter', 'samplewiseStdNormalization', 'mean', 'std', 'zca'];
  const out: Record<string, unknown> = { included, order, stdEpsilon: STD_EPSILON };
  if (p.rescale !== undefined) out.rescale = p.rescale;
  if (p.samplewiseCenter) out.samplewiseCenter = true;
  if (p.samplewiseStdNormalization) out.samplewiseStdNormalization = true;
  if (p.mean) out.mean = Array.from(p.mean);
  if (p.std) out.std = Array.from(p.std);
  if (p.zca) {
    const bytes = new Uint8Array(p.zca.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < p.zca.length; i++) view.setFloat32(i * 4, p.zca[i], true);
    out.zca = { encoding: 'base64 float32 little-endian, row-major d x d (NHWC flattening)', data: base64Encode(bytes) };
  }
  return JSON.stringify(out);
}
