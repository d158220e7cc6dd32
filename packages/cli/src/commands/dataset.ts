import type { CommandModule } from '../command';

export const dataset: CommandModule = {
  name: 'dataset',
  define: (program) =>
    program
      .command('dataset')
      .description('download, verify or inspect a dataset (counts per class per split)')
      .argument('<action>', 'download, verify or inspect')
      .option('--dataset <name>', 'cifar10 or cifar100 (default cifar10)')
      .option('--label-mode <mode>', 'cifar100 labels: fine or coarse')
      .option('--data-dir <dir>', 'dataset directory (default: the cache)')
      .option('--json', 'print the result as JSON'),
  load: async () => (await import('./dataset-plan')).datasetCommand,
};
