import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrialLauncher } from '../src/node/trial-runner';

const script = join(dirname(fileURLToPath(import.meta.url)), 'fake-trial.mjs');

/** Trials as fake-trial.mjs processes: the objective of epoch e is `q / e` (flag `q`), `ms` per epoch. */
export function fakeLauncher(ms: number): TrialLauncher {
  return {
    command: ({ runDir, flags, resume }) => ({
      file: process.execPath,
      args: [script, runDir, String(flags.epochs), String(flags.q), String(ms), ...(resume ? ['resume'] : [])],
    }),
  };
}
