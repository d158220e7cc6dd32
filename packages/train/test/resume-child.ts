// Child process for the SIGKILL resume test (run with tsx). Trains with BackupAndRestore
// (a backup after every batch) and, when KILL_AT says so, SIGKILLs itself at an exact
// point inside a checkpoint write: `open:N` instead of the Nth file open, `rename:N`
// right after the Nth rename (e.g. between "move the old backup aside" and "move the new
// one in"). The parent may also SIGKILL it at a random time. On completion it writes the
// final weights and history to OUT as JSON.
import '@tensorflow/tfjs-layers';
import fs from 'node:fs';
import { writeFileSync } from 'node:fs';
import { resumeRun } from './resume-config';
import { useCpu } from './helpers';
import { BackupAndRestore } from '../src/node/callbacks/backup-and-restore';

const [backupDir, out] = process.argv.slice(2);
const killAt = process.env.KILL_AT ?? '';
const [what, nth] = killAt.split(':');
const target = Number(nth);
const counts = { open: 0, rename: 0 };
const promises = fs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
for (const name of ['open', 'rename'] as const) {
  const original = promises[name].bind(fs.promises);
  promises[name] = async (...args: unknown[]) => {
    counts[name]++;
    if (what === name && name === 'open' && counts[name] === target && String(args[0]).includes(backupDir)) {
      process.stdout.write(`KILL ${killAt}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    const result = await original(...args);
    if (what === name && name === 'rename' && counts[name] === target) {
      process.stdout.write(`KILL ${killAt}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    return result;
  };
}

await useCpu();
// With a backup to resume from, start from a different initialisation: only the restore can
// make the run match. Without one (killed before the first backup), start like a fresh run.
const hasBackup = await new BackupAndRestore(backupDir).exists();
process.stdout.write(`READY ${hasBackup ? 'resume' : 'fresh'}\n`);
const { model, result } = await resumeRun({
  backupDir,
  modelSeed: hasBackup ? Number(process.env.MODEL_SEED ?? 7) : 7,
  extraCallbacks: [{ name: 'progress', onBatchEnd: (b) => void process.stdout.write(`STEP ${b.globalStep}\n`) }],
});
const weights = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
writeFileSync(out, JSON.stringify({ weights, history: result.history, stopReason: result.stopReason }));
process.stdout.write('DONE\n');
