#!/usr/bin/env node
// The tfbricks command line. Run `pnpm build` first: this loads the bundled dist/cli.js.
import('../dist/cli.js').catch((error) => {
  process.stderr.write(`tfbricks: error: cannot load the built CLI (${error.message}); run \`pnpm build\` in the workspace first\n`);
  process.exitCode = 1;
});
