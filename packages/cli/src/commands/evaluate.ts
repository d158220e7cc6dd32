import type { CommandModule } from '../command';

export const evaluate: CommandModule = {
  name: 'evaluate',
  define: (program) =>
    program
      .command('evaluate')
      .description('evaluate a run dir or a model dir on the test set: loss, accuracy, per-class accuracy, confusion matrix')
      .argument('<dir>', 'a run directory or a saved model directory')
      .option('--data-dir <dir>', "dataset directory (default: the run's, else the cache)")
      .option('--dataset <name>', "cifar10 or cifar100 (default: the run's / model's)")
      .option('--label-mode <mode>', 'cifar100 labels: fine or coarse')
      .option('--batch-size <n>', 'evaluation batch size, an integer >= 1 (default 256)')
      .option('--limit-test <n>', "use only the first n test images, an integer >= 1 (default: the run's)")
      .option('--backend <name>', 'backend: cuda, webgpu, cpu or auto')
      .option('--out <dir>', 'also write the evaluation report (JSON, per-class CSV, confusion-matrix SVG/PNG) into this directory')
      .option('--json', 'print the result as JSON'),
  load: async () => (await import('./evaluate-plan')).evaluateCommand,
};
