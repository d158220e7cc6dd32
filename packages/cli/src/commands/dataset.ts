import type { CommandModule } from '../command';

export const dataset: CommandModule = {
  name: 'dataset',
  define: (program) =>
    program
      .command('dataset')
      .description('download, verify or inspect a dataset (counts per class per split), or check a folder of class subfolders (classes, counts, image sizes, bad files)')
      .argument('<action|folder>', 'download, verify or inspect; or a folder of class subfolders')
      .option('--dataset <name>', 'cifar10 or cifar100 (default cifar10)')
      .option('--label-mode <mode>', 'cifar100 labels: fine or coarse')
      .option('--data-dir <dir>', 'dataset directory (default: the cache)')
      .option('--json', 'print the result as JSON'),
  load: async () => (await import('./dataset-plan')).datasetCommand,
};
