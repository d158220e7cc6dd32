import { usageError } from '@tfbricks/core';
import type { GraphBuilder, Value } from '../graph';

/** A layer's weight, read from the model. */
export interface Weight {
  data: Float32Array;
  shape: number[];
}

/** What a converter gets for one application of one tfjs layer. */
export interface LayerContext {
  g: GraphBuilder;
  /** The layer's name: the main node's name (a second application gets `name_2`). */
  name: string;
  className: string;
  config: Record<string, unknown>;
  inputs: Value[];
  /** The tfjs output shape (NHWC, batch null). */
  outputShape: (number | null)[];
  /** A weight by its Keras short name (`kernel`, `bias`, `gamma`, `moving_mean`…). */
  weight(key: string): Weight | undefined;
}

/** Converts one layer application; returns its output value. */
export type Converter = (ctx: LayerContext) => Value;

/** An error about a layer the exporter cannot express: names the layer, its kind and why. */
export function layerError(ctx: Pick<LayerContext, 'name' | 'className'>, message: string, hint?: string): never {
  throw usageError('E_ONNX_UNSUPPORTED', `exportOnnx: layer "${ctx.name}" (${ctx.className}): ${message}`, hint, { layer: ctx.name, className: ctx.className });
}

export function requireWeight(ctx: LayerContext, key: string): Weight {
  const w = ctx.weight(key);
  if (!w) layerError(ctx, `has no "${key}" weight`);
  return w;
}

/** A [h, w] pair from a config value (a number or a pair). */
export function pair(ctx: LayerContext, key: string, fallback?: [number, number]): [number, number] {
  const v = ctx.config[key] ?? fallback;
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x) && x >= 1)) return [v[0] as number, v[1] as number];
  return layerError(ctx, `"${key}" must be an integer or a pair of integers, got ${JSON.stringify(v)}`);
}

/** Channels-last only: the exporter reads tfjs' NHWC layers. */
export function requireChannelsLast(ctx: LayerContext): void {
  const df = ctx.config.dataFormat;
  if (df !== undefined && df !== 'channelsLast') layerError(ctx, `dataFormat "${String(df)}" is not supported (only channelsLast)`);
}

/**
 * ONNX `pads` ([top, left, bottom, right]) for TensorFlow's `same`/`valid` padding: `same`
 * pads `max((ceil(in / s) - 1) * s + k_eff - in, 0)` in total, the extra row/column at the
 * end (bottom/right), like SAME_UPPER.
 */
export function windowPads(ctx: LayerContext, padding: unknown, input: (number | null)[], kernel: [number, number], strides: [number, number], dilation: [number, number] = [1, 1]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') return layerError(ctx, `padding "${String(padding)}" is not supported (valid or same)`);
  const [, h, w] = input;
  if (h === null || w === null) return layerError(ctx, 'needs static height and width for "same" padding');
  const total = (size: number, k: number, s: number, d: number) => Math.max((Math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0);
  const th = total(h, kernel[0], strides[0], dilation[0]);
  const tw = total(w, kernel[1], strides[1], dilation[1]);
  return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
}

/** The name of a layer's output: `ctx.name` when nothing follows the main op, else `${name}/${suffix}`. */
export function stageName(ctx: LayerContext, last: boolean, suffix: string): string {
  return last ? ctx.name : `${ctx.name}/${suffix}`;
}
