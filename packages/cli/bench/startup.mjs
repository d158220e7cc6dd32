// Wall time of `tfbricks --version` and `tfbricks --help` (the built binary, bin/tfbricks.js),
// median of BENCH_RUNS (default 9) fresh Node processes each, plus whether the process loaded
// @tensorflow/tfjs-core (checked with a module resolve hook). Run after a build:
//   node packages/cli/bench/startup.mjs
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/tfbricks.js');
const runs = Number(process.env.BENCH_RUNS ?? 9);
const dir = mkdtempSync(join(tmpdir(), 'tfbricks-startup-'));
writeFileSync(
  join(dir, 'hooks.mjs'),
  "export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('tfjs-core')) process.stderr.write('LOADED-TFJS\\n'); return r; }\n",
);
writeFileSync(join(dir, 'trace.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const flag of ['--version', '--help']) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [bin, flag], { encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`tfbricks ${flag} exited ${r.status}: ${r.stderr}`);
  }
  const traced = spawnSync(process.execPath, ['--import', join(dir, 'trace.mjs'), bin, flag], { encoding: 'utf8' });
  const tfjs = traced.stderr.includes('LOADED-TFJS');
  console.log(`tfbricks ${flag}: median ${median(times).toFixed(0)} ms of ${runs} (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); loads tfjs-core: ${tfjs ? 'yes' : 'no'}`);
}
