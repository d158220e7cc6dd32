import type { CommandModule } from '../command';

export const plotModel: CommandModule = {
  name: 'plot-model',
  define: (program) =>
    program
      .command('plot-model')
      .description('draw the model graph (like keras.utils.plot_model) as SVG, PNG or DOT')
      .option('--model <name|file|dir>', 'zoo name, JSON spec file, run dir or model dir (default keras-cifar10-deep)')
      .option('--dataset <name>', 'shape the zoo model for cifar10 or cifar100 (default cifar10)')
      .option('--label-mode <mode>', 'cifar100 labels: fine or coarse')
      .option('--out <file>', 'output file ending in .svg, .png or .dot (default model.svg)')
      .option('--show-shapes', 'show output shapes (default on)')
      .option('--no-show-shapes', 'hide output shapes'),
  load: async () => (await import('./plot-model-plan')).plotModelCommand,
};
