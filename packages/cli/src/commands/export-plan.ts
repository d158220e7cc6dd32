import { usageError } from '@tfbricks/core';
import type { CommandContext } from '../command';
import { resolveModelDir } from '../model-source';
import { exists, requireReadableDir, requireWritableTarget } from '../paths';
import { invalid, parseChoice, parseInteger } from '../values';

export const EXPORT_FORMATS = ['onnx'] as const;

export interface ExportPlan {
  source: ReturnType<typeof resolveModelDir>;
  format: (typeof EXPORT_FORMATS)[number];
  out: string;
  opset: number;
  batch: 'dynamic' | number;
  inputLayout: 'NHWC' | 'NCHW';
  includePreprocessing: boolean;
  dataDir: string | null;
  force: boolean;
}

/** `--out`: a file in an existing, writable directory; an existing file only with --force. Checked before any export work. */
function resolveOut(value: string | undefined, cwd: string, force: boolean): string {
  const allowed = 'a file name in an existing directory, e.g. model.onnx';
  if (value === undefined) throw usageError('E_USAGE', `tfbricks export: missing --out <file> (allowed: ${allowed})`);
  if (value.trim() === '') invalid('--out', value, allowed);
  const path = requireWritableTarget('--out', value, cwd, allowed);
  if (exists(path) && !force) invalid('--out', value, `a file that does not exist yet (${JSON.stringify(value)} exists; pass --force to replace it)`);
  return path;
}

/** `tfbricks export <dir> --format onnx --out <file>`: validate every flag, then export. */
export async function exportCommand(ctx: CommandContext): Promise<number> {
  const { opts, io } = ctx;
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const format = str('format') !== undefined ? parseChoice('--format', str('format')!, EXPORT_FORMATS) : 'onnx';
  const opset = str('opset') !== undefined ? parseInteger('--opset', str('opset')!, 13, 21) : 17;
  const batch = str('batch') !== undefined ? parseInteger('--batch', str('batch')!, 1) : 'dynamic';
  const dir = ctx.args[0];
  if (dir === undefined) throw usageError('E_USAGE', 'tfbricks export: missing argument <dir> (allowed: a run directory or a saved model directory)');
  const source = resolveModelDir('<dir>', dir, io.cwd);
  const dataDir = str('dataDir') !== undefined ? requireReadableDir('--data-dir', str('dataDir')!, io.cwd) : null;
  const force = opts.force === true;
  const out = resolveOut(str('out'), io.cwd, force);
  const plan: ExportPlan = {
    source,
    format,
    out,
    opset,
    batch,
    inputLayout: opts.nchw === true ? 'NCHW' : 'NHWC',
    includePreprocessing: opts.includePreprocessing === true,
    dataDir,
    force,
  };
  const { runExport } = await import('./export-run');
  return runExport(plan, ctx);
}
