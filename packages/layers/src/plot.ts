import { TfbricksError, errorMessage } from '@tfbricks/core';
import { modelTable, pyShape, type ModelRow, type SpecOrModel } from './summary';

export interface PlotOptions {
  /** Show input/output shapes (default true). */
  showShapes?: boolean;
  /** Show layer names (default true; false shows only the class). */
  showLayerNames?: boolean;
  /** Graph direction: `TB` top to bottom (Keras' default), `LR` left to right. */
  rankdir?: 'TB' | 'LR' | 'BT' | 'RL';
  /** Show each layer's key settings and parameter count (default true). */
  showDetails?: boolean;
  /** PNG pixels per SVG point (default 1.5). */
  scale?: number;
  /** Graphviz font name (default `Helvetica`, whose metrics Graphviz knows; rendered with a sans-serif font). */
  fontName?: string;
}

const COLORS: Record<string, string> = {
  InputLayer: '#ffffff',
  Conv2D: '#cfe2ff',
  Dense: '#e2d9f3',
  Activation: '#ffe5cc',
  MaxPooling2D: '#d1f0d8',
  AveragePooling2D: '#d1f0d8',
  GlobalMaxPooling2D: '#c6eee9',
  GlobalAveragePooling2D: '#c6eee9',
  Flatten: '#c6eee9',
  Dropout: '#e9ecef',
  BatchNormalization: '#fff3bf',
  ZeroPadding2D: '#f1f3f5',
  Add: '#ffd6e7',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const pairText = (v: unknown) => (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' ? `${v[0]}×${v[1]}` : JSON.stringify(v));

/** A short human description of a layer's settings. */
function details(row: ModelRow, config: Record<string, unknown> | undefined): string {
  const c = config ?? {};
  const act = c.activation && c.activation !== 'linear' ? `, ${String(c.activation)}` : '';
  switch (row.className) {
    case 'Conv2D': {
      const strides = pairText(c.strides) !== '1×1' ? `, stride ${pairText(c.strides)}` : '';
      return `${String(c.filters)} filters ${pairText(c.kernelSize)}, ${String(c.padding)}${strides}${act}`;
    }
    case 'Dense':
      return `${String(c.units)} units${act}`;
    case 'Activation':
      return String(c.activation);
    case 'Dropout':
      return `rate ${String(c.rate)}`;
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return `pool ${pairText(c.poolSize)}${pairText(c.strides) !== pairText(c.poolSize) ? `, stride ${pairText(c.strides)}` : ''}`;
    case 'BatchNormalization':
      return `momentum ${String(c.momentum)}, ε ${String(c.epsilon)}`;
    case 'ZeroPadding2D':
      return `padding ${JSON.stringify(c.padding)}`;
    default:
      return '';
  }
}

/** Graphviz DOT for a spec or model: one node per Keras layer, edges along the data flow. */
export function modelToDot(x: SpecOrModel, options: PlotOptions = {}): string {
  const t = modelTable(x);
  const showShapes = options.showShapes ?? true;
  const showNames = options.showLayerNames ?? true;
  const showDetails = options.showDetails ?? true;
  const rankdir = options.rankdir ?? 'TB';
  if (!['TB', 'LR', 'BT', 'RL'].includes(rankdir)) {
    throw new TfbricksError('E_USAGE', `plotModel: "rankdir" must be TB, LR, BT or RL, got ${JSON.stringify(rankdir)}`, { usage: true });
  }
  const font = options.fontName ?? 'Helvetica';
  const configs = t.configs;

  const rows = [...t.rows];
  if (t.sequential && rows.length > 0) {
    const first = rows[0];
    const inputShape = first.inputShapes[0] ?? [];
    rows.unshift({ name: 'input', className: 'InputLayer', outputShape: inputShape, inputShapes: [], params: 0, trainable: 0, connections: [], inputs: [] });
    rows[1] = { ...first, inputs: ['input'] };
  }
  const ids = new Map(rows.map((r, i) => [r.name, `n${i}`]));
  const lines = [
    `digraph "${esc(t.name)}" {`,
    `  graph [rankdir=${rankdir}, bgcolor="white", nodesep=0.3, ranksep=0.35, fontname="${font}", label="${esc(t.name)}: ${(t.trainable + t.nonTrainable).toLocaleString('en-US')} params", labelloc=t, fontsize=14, pad=0.4];`,
    `  node [shape=plaintext, margin=0, fontname="${font}", fontsize=11];`,
    `  edge [color="#495057", arrowsize=0.7];`,
  ];
  // Graphviz lays text out with Helvetica metrics; rasterisers often substitute a wider font
  // (DejaVu Sans). Give every cell a width that fits the wider font, and keep differently
  // styled text in separate cells so spans never overlap.
  const w = (text: string, size: number, bold = false) => Math.ceil(text.length * size * (bold ? 0.68 : 0.6)) + 8;
  const td = (text: string, size: number, opts: { bold?: boolean; colspan?: number; align?: string; width?: number } = {}) => {
    const attrs = [opts.colspan ? `COLSPAN="${opts.colspan}"` : '', opts.align ? `ALIGN="${opts.align}"` : '', `WIDTH="${opts.width ?? w(text, size, opts.bold)}"`].filter(Boolean).join(' ');
    const body = `<FONT POINT-SIZE="${size}">${esc(text)}</FONT>`;
    return `<TD ${attrs}>${opts.bold ? `<B>${body}</B>` : body}</TD>`;
  };
  for (const r of rows) {
    const color = COLORS[r.className] ?? '#f8f9fa';
    const title = showNames ? `<TR>${td(r.name, 11, { bold: true })}${td(r.className, 11)}</TR>` : `<TR>${td(r.className, 11, { bold: true, colspan: 2 })}</TR>`;
    const cells = [title];
    const d = showDetails ? details(r, configs.get(r.name)) : '';
    const params = showDetails && r.params > 0 ? `${r.params.toLocaleString('en-US')} params` : '';
    const info = [d, params].filter(Boolean).join(' · ');
    if (info) cells.push(`<TR>${td(info, 10, { colspan: 2 })}</TR>`);
    if (showShapes) {
      if (r.className !== 'InputLayer') {
        const ins = r.inputShapes.length ? r.inputShapes.map((s) => pyShape(s)).join(', ') : '?';
        cells.push(`<TR>${td('input:', 10, { align: 'LEFT' })}${td(ins, 10, { align: 'LEFT' })}</TR>`);
      }
      cells.push(`<TR>${td('output:', 10, { align: 'LEFT' })}${td(pyShape(r.outputShape), 10, { align: 'LEFT' })}</TR>`);
    }
    lines.push(`  ${ids.get(r.name)} [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" BGCOLOR="${color}" COLOR="#868e96">${cells.join('')}</TABLE>>];`);
  }
  for (const r of rows) {
    for (const src of r.inputs) {
      const from = ids.get(src);
      if (from) lines.push(`  ${from} -> ${ids.get(r.name)};`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

let vizPromise: Promise<{ renderString(dot: string, options: { format: string; engine?: string }): string }> | undefined;

async function viz() {
  vizPromise ??= import('@viz-js/viz').then((m) => m.instance());
  return vizPromise;
}

/**
 * Draw a spec or model like Keras' `plot_model`, richer: one coloured box per layer with its
 * settings, parameter count and shapes. Returns the DOT source and the SVG (Graphviz in WASM,
 * `@viz-js/viz`); browser-safe. `@tfbricks/layers/node`'s `plotModel` adds a PNG.
 */
export async function renderModelPlot(x: SpecOrModel, options: PlotOptions = {}): Promise<{ dot: string; svg: string }> {
  const dot = modelToDot(x, options);
  let svg: string;
  try {
    svg = (await viz()).renderString(dot, { format: 'svg', engine: 'dot' });
  } catch (e) {
    throw new TfbricksError('E_PLOT', `plotModel: Graphviz failed: ${errorMessage(e)}`, { cause: e });
  }
  return { dot, svg };
}
