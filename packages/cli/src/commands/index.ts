// The command table: one module per command, in the order `tfbricks --help` lists them.
import type { CommandModule } from '../command';
import { backends } from './backends';
import { dataset } from './dataset';
import { evaluate } from './evaluate';
import { plotModel } from './plot-model';
import { predict } from './predict';
import { summary } from './summary';
import { studio } from './studio';
import { train } from './train';

export const COMMANDS: readonly CommandModule[] = [train, evaluate, predict, summary, plotModel, backends, dataset, studio];
