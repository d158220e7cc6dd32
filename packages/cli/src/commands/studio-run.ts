import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '@tfbricks/core';
import type { CommandContext } from '../command';
import { println } from '../io';
import { requireReadableDir } from '../paths';
import { listArchives, startStudioServer, studioAppDir } from '../studio-server';
import { parseInteger, parseNonEmpty } from '../values';

/** Open `url` in the desktop's browser; a failure is reported, never fatal. */
function openBrowser(url: string, ctx: CommandContext): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', (error) => println(ctx.io.stderr, `tfbricks: cannot open a browser (${command}: ${error.message}); open ${url} yourself`));
  child.unref();
}

/** --app-dir: a directory holding a build of the page (its index.html). */
function builtAppDir(value: string, cwd: string): string {
  const dir = requireReadableDir('--app-dir', value, cwd);
  if (!existsSync(join(dir, 'index.html'))) {
    throw usageError('E_USAGE', `invalid value for --app-dir: ${JSON.stringify(value)} holds no index.html (allowed: a directory holding a \`vite build\` of @tfbricks/studio)`);
  }
  return dir;
}

/** `tfbricks studio`: serve the page (and the archives of --data-dir) until interrupted. */
export async function studioCommand(ctx: CommandContext): Promise<number> {
  const { io, opts } = ctx;
  const port = typeof opts.port === 'string' ? parseInteger('--port', opts.port, 0, 65535) : 5173;
  const host = typeof opts.host === 'string' ? parseNonEmpty('--host', opts.host, 'an address such as 127.0.0.1, 0.0.0.0 or ::1') : '127.0.0.1';
  const dataDir = typeof opts.dataDir === 'string' ? requireReadableDir('--data-dir', opts.dataDir, io.cwd) : undefined;
  const appDir = typeof opts.appDir === 'string' ? builtAppDir(opts.appDir, io.cwd) : studioAppDir();
  const server = await startStudioServer({ appDir, dataDir, host, port });
  println(io.stdout, `tfbricks studio: ${server.url}`);
  if (dataDir) {
    const archives = listArchives(dataDir);
    println(io.stdout, `data: ${dataDir} (${archives.length ? archives.map((a) => a.name).join(', ') : 'no .tar.gz archives or cifar-10-batches-bin / cifar-100-binary folders yet'})`);
  }
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    println(io.stderr, 'tfbricks: note: browsers allow WebGPU only on localhost or https; from other machines the page offers the cpu backend');
  }
  if (opts.open === true) openBrowser(server.url, ctx);
  println(io.stdout, 'press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const stop = () => {
      io.process?.off('SIGINT', stop);
      io.process?.off('SIGTERM', stop);
      resolve();
    };
    io.process?.on('SIGINT', stop);
    io.process?.on('SIGTERM', stop);
    server.server.on('close', stop);
  });
  await server.close();
  return 0;
}
