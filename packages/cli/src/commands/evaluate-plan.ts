import { usageError } from '@tfbricks/core';
import type { CommandContext } from '../command';
import { resolveModelDir } from '../model-source';
import { requireReadableDir, resolvePath } from '../paths';
import { validateBackendChoice } from '../backends';
import { parseChoice, parseInteger } from '../values';
import { DATASETS, LABEL_MODES } from '../choices';

export interface EvaluatePlan {
  source: ReturnType<typeof resolveModelDir>;
  dataDir: string | null;
  dataset: (typeof DATASETS)[number] | null;
  labelMode: (typeof LABEL_MODES)[number] | null;
  batchSize: number;
  limitTest: number | null;
  backend: string | undefined;
  outDir: string | null;
  json: boolean;
}

/** `tfbricks evaluate <dir>`: validate, then evaluate on the test set. */
export async function evaluateCommand(ctx: CommandContext): Promise<number> {
  const { opts, io } = ctx;
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const batchSize = str('batchSize') !== undefined ? parseInteger('--batch-size', str('batchSize')!, 1) : 256;
  const limitTest = str('limitTest') !== undefined ? parseInteger('--limit-test', str('limitTest')!, 1) : null;
  const dataset = str('dataset') !== undefined ? parseChoice('--dataset', str('dataset')!, DATASETS) : null;
  const labelMode = str('labelMode') !== undefined ? parseChoice('--label-mode', str('labelMode')!, LABEL_MODES) : null;
  const backend = validateBackendChoice(ctx.registry, str('backend'), io.env);
  const dir = ctx.args[0];
  if (dir === undefined) throw usageError('E_USAGE', 'tfbricks evaluate: missing argument <dir> (allowed: a run directory or a saved model directory)');
  const source = resolveModelDir('<dir>', dir, io.cwd);
  const dataDir = str('dataDir') !== undefined ? requireReadableDir('--data-dir', str('dataDir')!, io.cwd) : null;
  const outDir = str('out') !== undefined ? resolvePath(io.cwd, str('out')!) : null;
  const plan: EvaluatePlan = { source, dataDir, dataset, labelMode, batchSize, limitTest, backend, outDir, json: opts.json === true };
  const { runEvaluate } = await import('./evaluate-run');
  return runEvaluate(plan, ctx);
}
