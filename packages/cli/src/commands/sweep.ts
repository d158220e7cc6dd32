import type { CommandModule } from '../command';

export const sweep: CommandModule = {
  name: 'sweep',
  define: (program) =>
    program
      .command('sweep')
      .description('hyper-parameter sweep: run the trials of a sweep file (grid or random search) on this machine or through Redis; `sweep status` shows the leaderboard')
      .argument('<file|status>', 'a sweep file (JSON, or YAML: .yaml/.yml), or `status` to show the leaderboard of --sweep-dir')
      .option('--sweep-dir <dir>', 'the sweep directory: one run dir per trial, the leaderboard, the best model (required)')
      .option('--parallel <n>', 'trials at a time on this machine, an integer from 1 to 64 (default 1)')
      .option('--redis <url>', 'put the trials on a BullMQ queue in this Redis (redis://host:port) for `tfbricks worker`s')
      .option('--detach', 'with --redis: enqueue and return without waiting for the trials')
      .option('--json', 'with status: print the leaderboard as JSON'),
  load: async () => (await import('./sweep-plan')).sweepCommand,
};
