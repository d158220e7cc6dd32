import type { CommandModule } from '../command';

export const worker: CommandModule = {
  name: 'worker',
  define: (program) =>
    program
      .command('worker')
      .description('run the trials of a distributed sweep from Redis (start any number, on any machines sharing --sweep-dir)')
      .option('--redis <url>', 'the Redis the sweep was enqueued in, redis://host:port (required)')
      .option('--sweep-dir <dir>', 'the sweep directory, on a filesystem every worker shares (required)')
      .option('--stall-timeout <seconds>', 'a trial whose worker stops renewing its lock this long is resumed by another worker, a number from 1 to 3600 (default 30)')
      .option('--exit-when-done', 'exit once every trial of the sweep is over (default: serve until SIGINT/SIGTERM)'),
  load: async () => (await import('./worker-plan')).workerCommand,
};
