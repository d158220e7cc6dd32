import type { CommandModule } from '../command';
import { defineTrainOptions } from './train-options';

export const train: CommandModule = {
  name: 'train',
  define: (program) => {
    const cmd = program.command('train').description('train a model (the tutorial recipe by default) into a run directory');
    defineTrainOptions(cmd);
    return cmd;
  },
  load: async () => (await import('./train-plan')).trainCommand,
};
