import type { TrialLauncher } from '@tfbricks/sweep/node';
import { trainArgv } from './commands/sweep-flags';

/**
 * How a sweep runs a trial: this very tfbricks (the same node, the same loader flags, the
 * same bin) as `tfbricks train --run-dir <trial dir> <flags>`, or `--resume <trial dir>`.
 */
export function selfTrainLauncher(): TrialLauncher {
  const self = [...process.execArgv, process.argv[1]];
  return {
    command: ({ runDir, flags, resume }) => ({
      file: process.execPath,
      args: [...self, 'train', ...(resume ? ['--resume', runDir] : ['--run-dir', runDir, ...trainArgv(flags)]), '--progress', 'epoch'],
    }),
  };
}
