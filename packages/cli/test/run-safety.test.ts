import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, symlinkSync, watch, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '@tfbricks/core/node';
import { type Finished, finished, hasMiniCifar, listTree, miniCifar, runChild, runCli, spawnCli, tempDir, unprivileged } from './helpers';

/**
 * Hostile or unlucky input against run dirs and input files (issue #10), end to end through
 * the CLI. One real (one-step) training makes `base`; every case works on a copy of it.
 */
const TINY = ['--backend', 'cpu', '--model', 'tiny', '--limit-train', '16', '--limit-test', '16', '--batch-size', '16', '--epochs', '1', '--progress', 'none'];

/** Every file under `dir` with its bytes, to prove a failed command changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of listTree(dir)) {
    const p = join(dir, rel);
    if (statSync(p).isFile()) out[rel] = readFileSync(p).toString('base64');
  }
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG that declares width x height but holds (almost) nothing: a decompression bomb's header. */
function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

const editJson = (path: string, edit: (j: any) => void) => {
  const j = JSON.parse(readFileSync(path, 'utf8'));
  edit(j);
  writeFileSync(path, JSON.stringify(j));
};

describe.skipIf(!hasMiniCifar)('run dirs and input files survive hostile or unlucky input (issue #10)', () => {
  const cwd = tempDir('tfbricks-safety-');
  const base = join(cwd, 'base');
  const copy = (name: string) => {
    cpSync(base, join(cwd, name), { recursive: true });
    return join(cwd, name);
  };
  const cli = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { cwd, env });

  beforeAll(async () => {
    const r = await cli(['train', ...TINY, '--seed', '5', '--data-dir', miniCifar, '--run-dir', 'base']);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('--overwrite deletes only what tfbricks wrote; the user\'s files stay', async () => {
    const ow = copy('ow');
    writeFileSync(join(ow, 'NOTES.txt'), 'n\n');
    mkdirSync(join(ow, 'my'));
    writeFileSync(join(ow, 'my', 'data.txt'), 'mine');
    mkdirSync(join(ow, '.model.tmp-999999-x-y'));
    const r = await cli(['train', ...TINY, '--seed', '7', '--data-dir', miniCifar, '--run-dir', 'ow', '--overwrite']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("kept 2 that are not tfbricks' (NOTES.txt, my)");
    expect(readFileSync(join(ow, 'NOTES.txt'), 'utf8')).toBe('n\n');
    expect(readFileSync(join(ow, 'my', 'data.txt'), 'utf8')).toBe('mine');
    expect(JSON.parse(readFileSync(join(ow, 'config.json'), 'utf8')).config.seed).toBe(7);
    expect(readdirSync(ow).filter((n) => n.includes('.tmp'))).toEqual([]);
    const metrics = readFileSync(join(ow, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics).toHaveLength(2);
  }, 300_000);

  it('a run killed after its last backup but before DONE is finished by --resume (no stale temporaries)', async () => {
    const nd = copy('nd');
    rmSync(join(nd, 'DONE'));
    rmSync(join(nd, 'model'), { recursive: true });
    mkdirSync(join(nd, '.model.tmp-999999-abc-def'));
    const ev = await cli(['evaluate', 'nd', '--backend', 'cpu']);
    expect(ev.code).toBe(2);
    expect(ev.stderr).toContain('resume it with tfbricks train --resume');
    const r = await cli(['train', '--resume', 'nd', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('training had finished all 1 epochs');
    expect(existsSync(join(nd, 'DONE'))).toBe(true);
    expect(readdirSync(nd).filter((n) => n.includes('.tmp'))).toEqual([]);
    expect(readFileSync(join(nd, 'model', 'weights.bin')).equals(readFileSync(join(base, 'model', 'weights.bin')))).toBe(true);
    expect(readFileSync(join(nd, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
  }, 300_000);

  it('a damaged backup/latest falls back to the newest epoch checkpoint (same bytes), and says so', async () => {
    const fb = copy('fb');
    rmSync(join(fb, 'DONE'));
    const w = join(fb, 'backup', 'latest', 'weights.bin');
    writeFileSync(w, readFileSync(w).subarray(0, 100));
    const r = await cli(['train', '--resume', 'fb', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the backup in .*backup cannot be used \(.*weights\.bin.*\); resuming from .*checkpoints\/epoch-001 instead \(epoch 1/);
    expect(readFileSync(join(fb, 'model', 'weights.bin')).equals(readFileSync(join(base, 'model', 'weights.bin')))).toBe(true);
  }, 300_000);

  it('--resume on different data is refused and changes nothing; --data-changed-ok continues', async () => {
    const data = join(cwd, 'swapped');
    cpSync(miniCifar, data, { recursive: true });
    const bin = join(data, 'cifar-10-batches-bin');
    renameSync(join(bin, 'data_batch_1.bin'), join(bin, 'tmp.bin'));
    renameSync(join(bin, 'data_batch_2.bin'), join(bin, 'data_batch_1.bin'));
    renameSync(join(bin, 'tmp.bin'), join(bin, 'data_batch_2.bin'));
    const dc = copy('dc');
    rmSync(join(dc, 'DONE'));
    const before = snapshot(dc);
    const r = await cli(['train', '--resume', 'dc', '--data-dir', data, '--epochs', '3', '--progress', 'none']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the data differs from the data run');
    expect(r.stderr).toContain('data_batch_1.bin changed content (same size) (and 1 more file)');
    expect(snapshot(dc)).toEqual(before);
    const ok = await cli(['train', '--resume', 'dc', '--data-dir', data, '--data-changed-ok', '--progress', 'none']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('continuing on the new data (--data-changed-ok)');
    expect(existsSync(join(dc, 'DONE'))).toBe(true);
  }, 300_000);

  it('a failed --resume changes nothing (config changed to another model)', async () => {
    const fr = copy('fr');
    rmSync(join(fr, 'DONE'));
    editJson(join(fr, 'config.json'), (j) => (j.config.model = { kind: 'zoo', name: 'keras-cifar10-deep' }));
    const before = snapshot(fr);
    const r = await cli(['train', '--resume', 'fr', '--epochs', '2', '--progress', 'none']);
    expect(r.code).not.toBe(0);
    expect(snapshot(fr)).toEqual(before);
  }, 300_000);

  it('one train per run dir: a live holder is refused with its pid; a dead one is stale', async () => {
    const lk = copy('lk');
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(lk, LOCK_FILE), JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: 'now', purpose: 'tfbricks train' }));
      const r = await cli(['train', '--resume', 'lk', '--epochs', '2', '--progress', 'none']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`is in use by another tfbricks process (pid ${holder.pid}`);
      const again = await cli(['train', ...TINY, '--seed', '5', '--data-dir', miniCifar, '--run-dir', 'lk']);
      expect(again.stderr).toContain(`pid ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((r) => holder.once('exit', r));
    // The holder is gone: the lock is stale and the (complete) run answers normally.
    const r = await cli(['train', '--resume', 'lk', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('already complete');
  }, 120_000);

  it('two trains on one run dir: the second refuses with the first one\'s pid', async () => {
    const first = spawnCli(['train', ...TINY, '--seed', '5', '--data-dir', miniCifar, '--run-dir', 'cc'], { cwd });
    const done = finished(first);
    const lock = join(cwd, 'cc', LOCK_FILE);
    for (let i = 0; i < 600 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(lock)).toBe(true);
    const second = await cli(['train', ...TINY, '--seed', '5', '--data-dir', miniCifar, '--run-dir', 'cc']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by another tfbricks process (pid ${first.pid}`);
    first.kill('SIGKILL');
    await done;
  }, 120_000);

  it('SIGTERM during the final save exits 143; --resume then finishes the run', async () => {
    // The final save of the tiny model takes milliseconds: on a fast machine the signal can land
    // after it. The child is stopped (SIGSTOP) the moment its save temporary appears, so SIGTERM
    // is pending when it continues; an attempt that still lands late is retried in a new run dir.
    let r: Finished | undefined;
    let dir = '';
    for (let attempt = 0; attempt < 6; attempt++) {
      const name = `term-${attempt}`;
      const child = spawnCli(['train', ...TINY, '--seed', '5', '--data-dir', miniCifar, '--run-dir', name], { cwd });
      const done = finished(child);
      dir = join(cwd, name);
      for (let i = 0; i < 2400 && !existsSync(dir) && child.exitCode === null; i++) await new Promise((res) => setTimeout(res, 50));
      const watcher = watch(dir, (_e, entry) => {
        if (entry?.startsWith('.model.tmp-')) {
          watcher.close();
          child.kill('SIGSTOP');
          child.kill('SIGTERM');
          child.kill('SIGCONT');
        }
      });
      r = await done;
      watcher.close();
      if (r.code !== 0) break;
    }
    expect(r!.code, r!.stderr).toBe(143);
    expect(r!.stderr).toContain('interrupted while finishing');
    expect(existsSync(join(dir, 'DONE'))).toBe(false);
    const again = await cli(['train', '--resume', dir, '--progress', 'none']);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(dir, 'DONE'))).toBe(true);
    expect(readFileSync(join(dir, 'model', 'weights.bin')).equals(readFileSync(join(base, 'model', 'weights.bin')))).toBe(true);
  }, 300_000);

  it('data files must be regular files; symlink loops are named', async () => {
    const data = join(cwd, 'fifo-data');
    cpSync(miniCifar, data, { recursive: true });
    const f = join(data, 'cifar-10-batches-bin', 'test_batch.bin');
    rmSync(f);
    expect(spawnSync('mkfifo', [f]).status).toBe(0);
    let r = await cli(['train', ...TINY, '--data-dir', 'fifo-data', '--run-dir', 'x1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('its test_batch.bin is not a regular file');
    symlinkSync(join(cwd, 'loop-b'), join(cwd, 'loop-a'));
    symlinkSync(join(cwd, 'loop-a'), join(cwd, 'loop-b'));
    r = await cli(['train', ...TINY, '--data-dir', 'loop-a', '--run-dir', 'x1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"loop-a" is a symlink loop');
    expect(existsSync(join(cwd, 'x1'))).toBe(false);
  }, 60_000);

  it('class names with terminal escapes are printed inert and escaped in SVG/CSV (evaluate --out)', async () => {
    const esc = copy('esc');
    editJson(join(esc, 'model', 'model.json'), (j) => (j.metadata.classNames[0] = '\u001b]0;pwned\u0007\u001b[2Jcat,"x"<b>'));
    const r = await cli(['evaluate', 'esc', '--backend', 'cpu', '--out', 'esc-report']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(r.stdout).toContain('\\u001b]0;pwned\\u0007');
    const svg = readFileSync(join(cwd, 'esc-report', 'confusion-matrix.svg'), 'utf8');
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(svg).toContain('&lt;b&gt;');
    expect(existsSync(join(cwd, 'esc-report', 'confusion-matrix.png'))).toBe(true);
    expect(readFileSync(join(cwd, 'esc-report', 'per-class-accuracy.csv'), 'utf8')).toContain('cat,""x""<b>"');
  }, 120_000);

  it('hostile model files are refused before allocating: declared sizes, FIFO and directory weights, deep JSON', async () => {
    const units = copy('units');
    editJson(join(units, 'model', 'model.json'), (j) => (j.spec.layers[6].config.units = 60_000_000));
    let r = await cli(['evaluate', 'units', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('above the limit of 268435456');

    const shape = copy('shape');
    editJson(join(shape, 'model', 'model.json'), (j) => (j.spec.inputShape = [100000, 100000, 3]));
    writeFileSync(join(cwd, 'one.png'), pngHeader(32, 32));
    r = await cli(['predict', 'one.png', '--model', 'shape', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"inputShape" [100000, 100000, 3] (elements per sample) is 30000000000, above the limit');

    const fifo = copy('fifo');
    rmSync(join(fifo, 'model', 'weights.bin'));
    expect(spawnSync('mkfifo', [join(fifo, 'model', 'weights.bin')]).status).toBe(0);
    r = await cli(['evaluate', 'fifo', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a FIFO (named pipe), not a regular file');
    rmSync(join(fifo, 'model', 'weights.bin'));
    mkdirSync(join(fifo, 'model', 'weights.bin'));
    r = await cli(['predict', 'one.png', '--model', 'fifo', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a directory, not a regular file');
    expect(r.stderr).not.toContain('bug in tfbricks');

    const deep = copy('deep');
    const text = readFileSync(join(deep, 'model', 'model.json'), 'utf8').replace(/"inputShape": \[[^\]]*\]/, `"inputShape": ${'['.repeat(5_000_000)}${']'.repeat(5_000_000)}`);
    writeFileSync(join(deep, 'model', 'model.json'), text);
    for (const argv of [['summary', '--model', 'deep'], ['evaluate', 'deep', '--backend', 'cpu']]) {
      r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('nests arrays/objects more than 64 deep');
      expect(r.stderr.length).toBeLessThan(1000);
    }
  }, 120_000);

  it('a PNG decompression bomb is refused before decoding; --max-image-pixels raises the bound', async () => {
    writeFileSync(join(cwd, 'bomb.png'), pngHeader(20000, 20000));
    expect(statSync(join(cwd, 'bomb.png')).size).toBeLessThan(80);
    const t0 = Date.now();
    const r = await cli(['predict', 'bomb.png', '--model', 'base', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('image "bomb.png" declares 20000x20000 pixels, which is 400000000, above the limit of 89478485');
    expect(r.stderr).toContain('--max-image-pixels');
    expect(Date.now() - t0).toBeLessThan(20_000);
    const raised = await cli(['predict', 'bomb.png', '--model', 'base', '--backend', 'cpu', '--max-image-pixels', '100']);
    expect(raised.stderr).toContain('above the limit of 100');
  }, 60_000);

  it('bad run configs and outputs are named before any work: invalid JSON, bad values, --out a file, --run-dir "", coarse labels on cifar10', async () => {
    const bj = copy('bj');
    writeFileSync(join(bj, 'config.json'), '{"tfbricksRun": 1, "config": {');
    let r = await cli(['train', '--resume', 'bj']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run config ".*bj\/config\.json" is not valid JSON/);
    const bv = copy('bv');
    editJson(join(bv, 'config.json'), (j) => (j.config.batchSize = 0));
    r = await cli(['train', '--resume', 'bv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run config ".*bv\/config\.json": "batchSize" must be an integer from 1 up, got 0/);
    editJson(join(bv, 'config.json'), (j) => ((j.config.batchSize = 16), (j.config.learningRate = -5)));
    r = await cli(['train', '--resume', 'bv']);
    expect(r.stderr).toContain('"learningRate" must be a number > 0, got -5');

    writeFileSync(join(cwd, 'a-file'), 'x');
    r = await cli(['evaluate', 'base', '--backend', 'cpu', '--out', 'a-file']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid value for --out: "a-file" is a file');
    expect(r.stdout).not.toContain('Test loss');
    r = await cli(['train', ...TINY, '--data-dir', miniCifar, '--run-dir', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid value for --run-dir: "" (allowed: a directory you can write to; an empty path names none)');
    r = await cli(['evaluate', 'base', '--backend', 'cpu', '--label-mode', 'coarse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('only for cifar100');
  }, 60_000);

  it('offline without data creates no cache folder and names a CLI flag in its hint', async () => {
    const home = join(cwd, 'home');
    const r = await cli(['train', ...TINY, '--run-dir', 'offline'], { TFBRICKS_OFFLINE: '1', TFBRICKS_HOME: home, HOME: '/nonexistent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('offline mode is on');
    expect(r.stderr).toContain('pass --data-dir');
    expect(r.stderr).not.toMatch(/option archive|dataDir/);
    expect(existsSync(home)).toBe(false);
    expect(existsSync(join(cwd, 'offline'))).toBe(false);
    const noHome = await cli(['train', ...TINY, '--run-dir', 'offline'], { TFBRICKS_OFFLINE: '1', HOME: '/nonexistent' });
    expect(noHome.code).toBe(1);
    expect(noHome.stderr).toContain('offline mode is on');
    expect(existsSync('/nonexistent')).toBe(false);
  }, 60_000);

  const user = unprivileged();
  it.skipIf(!user)('permission problems are named for an unprivileged user: unreadable data, read-only cache and --out', async () => {
    const open = tempDir('tfbricks-safety-user-');
    chmodSync(open, 0o755);
    cpSync(miniCifar, join(open, 'data'), { recursive: true });
    cpSync(base, join(open, 'run'), { recursive: true });
    spawnSync('chmod', ['-R', 'a+rX', open]);
    const env = { HOME: open, TFBRICKS_HOME: join(open, 'ro-home') };
    mkdirSync(join(open, 'ro-home'), { mode: 0o555 });
    mkdirSync(join(open, 'ro-out'), { mode: 0o555 });
    mkdirSync(join(open, 'w'), { mode: 0o777 });
    chmodSync(join(open, 'w'), 0o777);
    chmodSync(join(open, 'data', 'cifar-10-batches-bin', 'data_batch_1.bin'), 0o000);
    const as = { cwd: open, env, ...user! };
    let r = await runChild(['train', ...TINY, '--data-dir', 'data', '--run-dir', 'w/r1'], as);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('data_batch_1.bin is not readable (permission denied)');
    chmodSync(join(open, 'data', 'cifar-10-batches-bin'), 0o000);
    r = await runChild(['train', ...TINY, '--data-dir', 'data/cifar-10-batches-bin', '--run-dir', 'w/r1'], as);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not readable');
    r = await runChild(['train', ...TINY, '--run-dir', 'w/r2'], as);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the dataset cache folder ".*ro-home.*" is not writable \(permission denied\)/);
    expect(r.stderr).not.toContain('bug in tfbricks');
    r = await runChild(['evaluate', 'run', '--backend', 'cpu', '--out', 'ro-out/report'], as);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not writable (permission denied)');
    expect(r.stdout).not.toContain('Test loss');
    chmodSync(join(open, 'data', 'cifar-10-batches-bin'), 0o755);
    rmSync(open, { recursive: true, force: true });
  }, 180_000);
});
