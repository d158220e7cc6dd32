import type { CommandModule } from '../command';

export const studio: CommandModule = {
  name: 'studio',
  define: (program) =>
    program
      .command('studio')
      .description('serve tfbricks studio, the training page for the browser (WebGPU), and optionally your CIFAR archives')
      .option('--port <n>', 'port to listen on, an integer from 0 to 65535 (0: any free port; default 5173)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1; WebGPU needs localhost or https)')
      .option('--data-dir <dir>', 'serve the CIFAR data in this directory to the page: .tar.gz archives, or the extracted cifar-10-batches-bin / cifar-100-binary folders')
      .option('--app-dir <dir>', "serve this build of the page (a `vite build` output with index.html) instead of the installed @tfbricks/studio's")
      .option('--open', 'open the page in the default browser'),
  load: async () => (await import('./studio-run')).studioCommand,
};
