import type { CommandModule } from '../command';

export const backends: CommandModule = {
  name: 'backends',
  define: (program) =>
    program.command('backends').description('list the backends: available or not and why, with device details').option('--json', 'print the result as JSON'),
  load: async () => (await import('./backends-run')).backendsCommand,
};
