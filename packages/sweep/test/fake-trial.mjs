// A stand-in for `tfbricks train` in the executor tests: same run-dir contract (config.json,
// metrics.csv one row per epoch, model/weights.bin and DONE at the end), resumable, stops after
// the current epoch on SIGTERM (exit 143) or when its stdin lifeline closes.
// Usage: fake-trial.mjs <run-dir> <epochs> <base-value> <ms-per-epoch> [resume]
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [runDir, epochsText, baseText, msText] = process.argv.slice(2);
const epochs = Number(epochsText);
const base = Number(baseText);
const ms = Number(msText);
let stop = false;
process.on('SIGTERM', () => (stop = true));
if (process.env.TFBRICKS_STDIN_LIFELINE === '1') {
  process.stdin.on('end', () => (stop = true));
  process.stdin.resume();
}
mkdirSync(runDir, { recursive: true });
writeFileSync(join(runDir, 'config.json'), JSON.stringify({ tfbricksRun: 1, config: { epochs, base } }));
const metrics = join(runDir, 'metrics.csv');
if (!existsSync(metrics)) writeFileSync(metrics, 'epoch,loss,val_loss,val_acc\n');
let done = readFileSync(metrics, 'utf8').trim().split('\n').length - 1;
const sleep = (t) => new Promise((r) => setTimeout(r, t));
while (done < epochs) {
  await sleep(ms);
  const v = base / (done + 1);
  appendFileSync(metrics, `${done},${v},${v},${1 - v}\n`);
  done++;
  if (stop && done < epochs) process.exit(143);
}
mkdirSync(join(runDir, 'model'), { recursive: true });
writeFileSync(join(runDir, 'model', 'weights.bin'), String(base));
appendFileSync(join(runDir, 'completions.log'), `${process.pid}\n`);
writeFileSync(join(runDir, 'DONE'), '{}');
process.exit(0);
