import type { ModelSpec } from '@tfbricks/core';
import type * as tf from '@tensorflow/tfjs-layers';
import { specFromModel } from './keras-json';
import { analyzeSpec } from './spec';

/** One row of the summary / one node of the plot. */
export interface ModelRow {
  name: string;
  className: string;
  /** Output shape including the batch dimension (`null`), or several for multi-output layers. */
  outputShape: (number | null)[] | (number | null)[][];
  inputShapes: (number | null)[][];
  params: number;
  trainable: number;
  /** Inbound connections in Keras' `name[node][tensor]` form. */
  connections: string[];
  /** Names of the layers feeding this one. */
  inputs: string[];
}

export interface ModelTable {
  name: string;
  /** Sequential-like: no input row, no `Connected to` column. */
  sequential: boolean;
  rows: ModelRow[];
  trainable: number;
  nonTrainable: number;
  /** Each layer's config (Keras structure: the spec's, for spec-built models). */
  configs: Map<string, Record<string, unknown>>;
}

export type SpecOrModel = ModelSpec | tf.LayersModel;

export function isLayersModel(x: SpecOrModel): x is tf.LayersModel {
  return typeof (x as tf.LayersModel).getLayer === 'function' && typeof (x as tf.LayersModel).predict === 'function';
}

function fromSpec(spec: ModelSpec): ModelTable {
  const a = analyzeSpec(spec);
  const sequential = a.spec.className === 'Sequential';
  const rows: ModelRow[] = [];
  if (!sequential) {
    rows.push({ name: a.inputName, className: 'InputLayer', outputShape: [null, ...a.spec.inputShape], inputShapes: [], params: 0, trainable: 0, connections: [], inputs: [] });
  }
  for (const l of a.layers) {
    rows.push({
      name: l.name,
      className: l.className,
      outputShape: [null, ...l.outputShape],
      inputShapes: l.inputShapes.map((s) => [null, ...s]),
      params: l.trainable + l.nonTrainable,
      trainable: l.trainable,
      connections: sequential ? [] : l.inputs.map((n) => `${n}[0][0]`),
      inputs: sequential && l === a.layers[0] ? [] : l.inputs,
    });
  }
  const configs = new Map(a.layers.map((l) => [l.name, l.config as Record<string, unknown>]));
  return { name: a.spec.name, sequential, rows, trainable: a.totals.trainable, nonTrainable: a.totals.nonTrainable, configs };
}

/** Rows straight from a tfjs model (for models whose layer kinds are not registered here). */
function fromTfjs(model: tf.LayersModel): ModelTable {
  const rows: ModelRow[] = [];
  const sequential = model.getClassName() === 'Sequential';
  for (const layer of model.layers) {
    if (sequential && layer.getClassName() === 'InputLayer') continue;
    const connections: string[] = [];
    const inputs: string[] = [];
    for (const node of layer.inboundNodes) {
      node.inboundLayers.forEach((il, i) => {
        connections.push(`${il.name}[${node.nodeIndices[i]}][${node.tensorIndices[i]}]`);
        inputs.push(il.name);
      });
    }
    const trainable = layer.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
    let inputShapes: (number | null)[][] = [];
    try {
      const inp = layer.input;
      inputShapes = (Array.isArray(inp) ? inp : [inp]).map((t) => t.shape);
    } catch {
      inputShapes = [];
    }
    rows.push({
      name: layer.name,
      className: layer.getClassName(),
      outputShape: layer.outputShape as (number | null)[],
      inputShapes,
      params: layer.countParams(),
      trainable,
      connections: sequential ? [] : connections,
      inputs,
    });
  }
  const trainable = model.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
  const total = model.countParams();
  const configs = new Map(model.layers.map((l) => [l.name, l.getConfig() as Record<string, unknown>]));
  return { name: model.name, sequential, rows, trainable, nonTrainable: total - trainable, configs };
}

/** The table behind {@link summary} and `plotModel`: Keras structure for spec-built models. */
export function modelTable(x: SpecOrModel): ModelTable {
  if (!isLayersModel(x)) return fromSpec(x);
  let spec: ModelSpec | undefined;
  try {
    spec = specFromModel(x);
  } catch {
    spec = undefined;
  }
  return spec ? fromSpec(spec) : fromTfjs(x);
}

/** Python's `str(tuple)`: `(None, 32, 32, 3)`, `(None,)`. */
export function pyShape(shape: (number | null)[] | (number | null)[][]): string {
  if (shape.length > 0 && Array.isArray(shape[0])) return `[${(shape as (number | null)[][]).map(pyShape).join(', ')}]`;
  const items = (shape as (number | null)[]).map((d) => (d === null ? 'None' : String(d)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

export interface SummaryOptions {
  /** Total width (Keras: 65 sequential, 98 functional). */
  lineLength?: number;
  /** Column ends as fractions of the width or absolute positions (Keras' `positions`). */
  positions?: number[];
  /** Keep Keras' trailing padding spaces (default false: trailing spaces trimmed). */
  keepTrailingSpaces?: boolean;
}

const thousands = (n: number) => n.toLocaleString('en-US');

/**
 * Keras 2's `model.summary()` table for a spec or a model (Keras layer names, `(None, …)`
 * shapes, per-layer `Param #`, totals with thousands separators; functional models get the
 * `Connected to` column). Returns the text, ending with a newline.
 */
export function summary(x: SpecOrModel, options: SummaryOptions = {}): string {
  const t = modelTable(x);
  const lineLength = options.lineLength ?? (t.sequential ? 65 : 98);
  let positions = options.positions ?? (t.sequential ? [0.45, 0.85, 1] : [0.33, 0.55, 0.67, 1]);
  if (positions[positions.length - 1] <= 1) positions = positions.map((p) => Math.trunc(lineLength * p));
  const lines: string[] = [];
  const row = (fields: string[]) => {
    let line = '';
    fields.forEach((f, i) => {
      if (i > 0) line = line.slice(0, -1) + ' ';
      line += f;
      line = line.slice(0, positions[i]);
      line += ' '.repeat(Math.max(0, positions[i] - line.length));
    });
    lines.push(options.keepTrailingSpaces ? line : line.trimEnd());
  };
  lines.push('_'.repeat(lineLength));
  row(t.sequential ? ['Layer (type)', 'Output Shape', 'Param #'] : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to']);
  lines.push('='.repeat(lineLength));
  t.rows.forEach((r, i) => {
    const first = [`${r.name} (${r.className})`, pyShape(r.outputShape), String(r.params)];
    if (t.sequential) row(first);
    else {
      row([...first, r.connections[0] ?? '']);
      for (const c of r.connections.slice(1)) row(['', '', '', c]);
    }
    lines.push(i === t.rows.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
  });
  lines.push(`Total params: ${thousands(t.trainable + t.nonTrainable)}`);
  lines.push(`Trainable params: ${thousands(t.trainable)}`);
  lines.push(`Non-trainable params: ${thousands(t.nonTrainable)}`);
  lines.push('_'.repeat(lineLength));
  return lines.join('\n') + '\n';
}
