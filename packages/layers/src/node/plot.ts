import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { TfbricksError, errorMessage } from '@tfbricks/core';
import { type PlotOptions, renderModelPlot } from '../plot';
import type { SpecOrModel } from '../summary';

/**
 * Draw a spec or model like Keras' `plot_model`, richer: one coloured box per layer with its
 * settings, parameter count and shapes. Returns the DOT source, the SVG (Graphviz in WASM,
 * `@viz-js/viz`) and a PNG (`@resvg/resvg-js`).
 */
export async function plotModel(x: SpecOrModel, options: PlotOptions = {}): Promise<{ dot: string; svg: string; png: Uint8Array }> {
  const { dot, svg } = await renderModelPlot(x, options);
  const scale = options.scale ?? 1.5;
  if (!(scale > 0 && scale <= 10)) throw new TfbricksError('E_USAGE', `plotModel: "scale" must be in (0, 10], got ${String(scale)}`, { usage: true });
  let png: Uint8Array;
  try {
    const { Resvg } = await import('@resvg/resvg-js');
    const r = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: scale },
      background: 'white',
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    });
    png = new Uint8Array(r.render().asPng());
  } catch (e) {
    throw new TfbricksError('E_PLOT', `plotModel: rasterising the SVG failed: ${errorMessage(e)}`, { cause: e });
  }
  return { dot, svg, png };
}

/**
 * {@link plotModel} to files: `<path>.dot`, `<path>.svg`, `<path>.png` (directories created).
 * `target` is a path without extension or `{ dir, basename }`. Returns the three paths.
 */
export async function writeModelPlot(
  x: SpecOrModel,
  target: string | { dir: string; basename: string },
  options: PlotOptions = {},
): Promise<{ dot: string; svg: string; png: string }> {
  const base = typeof target === 'string' ? target : join(target.dir, target.basename);
  if (typeof base !== 'string' || base === '' || base.endsWith('/')) {
    throw new TfbricksError('E_USAGE', `writeModelPlot: target must be a path without extension or { dir, basename }, got ${JSON.stringify(target)}`, { usage: true });
  }
  const out = await plotModel(x, options);
  await fs.mkdir(dirname(base), { recursive: true });
  const paths = { dot: `${base}.dot`, svg: `${base}.svg`, png: `${base}.png` };
  await fs.writeFile(paths.dot, out.dot);
  await fs.writeFile(paths.svg, out.svg);
  await fs.writeFile(paths.png, out.png);
  return paths;
}
