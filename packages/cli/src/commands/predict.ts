import type { CommandModule } from '../command';

export const predict: CommandModule = {
  name: 'predict',
  define: (program) =>
    program
      .command('predict')
      .description('classify PNG/JPEG images with a trained model: top-k classes with probabilities')
      .argument('<images...>', 'PNG or JPEG files')
      .option('--model <dir>', 'a run directory or a saved model directory (required)')
      .option('--top-k <k>', 'how many classes to show per image, an integer >= 1 (default 3)')
      .option('--backend <name>', 'backend: cuda, webgpu, cpu or auto')
      .option('--json', 'print the result as JSON'),
  load: async () => (await import('./predict-plan')).predictCommand,
};
