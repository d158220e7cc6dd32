import type { CommandModule } from '../command';

export const summary: CommandModule = {
  name: 'summary',
  define: (program) =>
    program
      .command('summary')
      .description("print a model's Keras-style summary table")
      .option('--model <name|file|dir>', 'zoo name, JSON spec file, run dir or model dir (default keras-cifar10-deep)')
      .option('--dataset <name>', 'shape the zoo model for cifar10 or cifar100 (default cifar10)')
      .option('--label-mode <mode>', 'cifar100 labels: fine or coarse'),
  load: async () => (await import('./summary-run')).summaryCommand,
};
