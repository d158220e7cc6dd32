import type { Command } from 'commander';
import { addAugmentOptions } from '../augment-options';
import { DATASETS, OPTIMIZERS, PROGRESS_MODES } from '../choices';

/** `train` defaults (documented in the README). */
export const TRAIN_DEFAULTS = {
  model: 'keras-cifar10-deep',
  dataset: 'cifar10' as const,
  epochs: 150,
  batchSize: 32,
  lr: 1e-4,
  optimizer: 'adam',
  seed: 42,
  validationSplit: 0,
};

export function defineTrainOptions(cmd: Command): Command {
  cmd
    .option('--model <name|file>', `model zoo name or a JSON model spec file (default ${TRAIN_DEFAULTS.model})`)
    .option('--dataset <name>', `dataset: ${DATASETS.join(', ')} (default ${TRAIN_DEFAULTS.dataset})`)
    .option('--label-mode <mode>', 'cifar100 labels: fine (100 classes) or coarse (20) (default fine)')
    .option('--data-dir <dir>', 'directory holding the dataset (binary layout); default: download into the cache')
    .option('--epochs <n>', `number of epochs, an integer >= 1 (default ${TRAIN_DEFAULTS.epochs})`)
    .option('--batch-size <n>', `batch size, an integer >= 1 (default ${TRAIN_DEFAULTS.batchSize})`)
    .option('--lr <rate>', `learning rate, a number > 0 (default ${TRAIN_DEFAULTS.lr})`)
    .option('--optimizer <name>', `optimizer: ${OPTIMIZERS.join(', ')} (default ${TRAIN_DEFAULTS.optimizer})`)
    .option('--augment', 'real-time augmentation with the generator settings below (default)')
    .option('--no-augment', 'train on the images as they are');
  addAugmentOptions(cmd);
  return cmd
    .option('--backend <name>', 'backend: cuda, webgpu, cpu or auto (default: $TFBRICKS_BACKEND, else auto)')
    .option('--seed <n>', `random seed for weights, shuffling, dropout and augmentation, an integer from 0 to 4294967295 (default ${TRAIN_DEFAULTS.seed})`)
    .option('--validation-split <fraction>', 'hold out this fraction of the training set for validation instead of the test set, a number in [0, 1) (default 0)')
    .option('--limit-train <n>', 'use only the first n training images, an integer >= 1')
    .option('--limit-test <n>', 'use only the first n test images, an integer >= 1')
    .option('--run-dir <dir>', 'where to write the run (default runs/<timestamp>)')
    .option('--resume <run-dir>', 'continue the run in this directory from its last checkpoint')
    .option('--overwrite', 'replace a different run already in --run-dir')
    .option('--progress <mode>', `progress output: ${PROGRESS_MODES.join(', ')} (default auto: a bar on a terminal, one line per epoch otherwise)`);
}

