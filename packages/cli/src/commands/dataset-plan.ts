import type { CommandContext } from '../command';
import { requireReadableDir } from '../paths';
import { parseChoice } from '../values';
import { DATASETS, LABEL_MODES } from '../choices';

export const DATASET_ACTIONS = ['download', 'verify', 'inspect'] as const;

export interface DatasetPlan {
  action: (typeof DATASET_ACTIONS)[number];
  dataset: (typeof DATASETS)[number];
  labelMode: (typeof LABEL_MODES)[number];
  dataDir: string | null;
  json: boolean;
}

/** `tfbricks dataset download|verify|inspect`. */
export async function datasetCommand(ctx: CommandContext): Promise<number> {
  const { opts, io } = ctx;
  const action = parseChoice('<action>', ctx.args[0] ?? '', DATASET_ACTIONS);
  const dataset = typeof opts.dataset === 'string' ? parseChoice('--dataset', opts.dataset, DATASETS) : 'cifar10';
  const labelMode = typeof opts.labelMode === 'string' ? parseChoice('--label-mode', opts.labelMode, LABEL_MODES) : 'fine';
  const dataDir = typeof opts.dataDir === 'string' ? requireReadableDir('--data-dir', opts.dataDir, io.cwd) : null;
  const { runDataset } = await import('./dataset-run');
  return runDataset({ action, dataset, labelMode, dataDir, json: opts.json === true }, ctx);
}
