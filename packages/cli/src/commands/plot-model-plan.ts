import { extname } from 'node:path';
import type { CommandContext } from '../command';
import { resolveAnyModel, resolveShape } from '../model-source';
import { requireWritableTarget } from '../paths';
import { invalid } from '../values';

export const PLOT_FORMATS = ['svg', 'png', 'dot'] as const;

/** `tfbricks plot-model`: the model graph as SVG, PNG or DOT. */
export async function plotModelCommand(ctx: CommandContext): Promise<number> {
  const { opts, io } = ctx;
  const outValue = typeof opts.out === 'string' ? opts.out : 'model.svg';
  const format = extname(outValue).slice(1).toLowerCase();
  if (!(PLOT_FORMATS as readonly string[]).includes(format)) invalid('--out', outValue, 'a file name ending in .svg, .png or .dot');
  const shape = resolveShape(opts);
  const source = resolveAnyModel('--model', typeof opts.model === 'string' ? opts.model : 'keras-cifar10-deep', io.cwd, shape);
  const out = requireWritableTarget('--out', outValue, io.cwd, 'a file name ending in .svg, .png or .dot in an existing directory');
  const { runPlotModel } = await import('./plot-model-run');
  return runPlotModel({ source, out, format: format as (typeof PLOT_FORMATS)[number], showShapes: opts.showShapes !== false }, ctx);
}
