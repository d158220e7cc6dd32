#!/usr/bin/env node
import { exitWithParent } from './lifeline';
import { main } from './main';

exitWithParent();

const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));

main(process.argv.slice(2)).then(
  async (code) => {
    // Exit explicitly once the output is flushed: a GPU device or a worker that a backend keeps
    // open must not keep the CLI alive after the command is done.
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`tfbricks: error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
