import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasMiniCifar, miniCifar, runCli, tempDir } from './helpers';

/** A tiny wasm run on the CIFAR-10 mini subset (a few dozen images): every artefact. */
const TRAIN = ['--model', 'tiny', '--limit-train', '64', '--limit-test', '40', '--epochs', '2', '--batch-size', '16', '--backend', 'wasm', '--seed', '3'];

function lastRow(csv: string): Record<string, number> {
  const lines = csv.trim().split('\n');
  const header = lines[0].split(',');
  const cells = lines.at(-1)!.split(',');
  return Object.fromEntries(header.map((h, i) => [h, Number(cells[i])]));
}

describe.skipIf(!hasMiniCifar)('tfbricks train (wasm, tiny model, mini CIFAR-10)', () => {
  const cwd = tempDir();
  const runDir = join(cwd, 'run');
  let output = '';

  beforeAll(async () => {
    const r = await runCli(['train', ...TRAIN, '--data-dir', miniCifar, '--run-dir', 'run'], { cwd });
    output = r.stdout;
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }, 240_000);

  it('prints the backend, the data shapes like the tutorial, the summary, one line per epoch and the test result', () => {
    expect(output).toMatch(/^backend: wasm \(requested explicitly\) on WebAssembly CPU/m);
    expect(output).toContain('x_train shape: (64, 32, 32, 3)');
    expect(output).toContain('64 train samples');
    expect(output).toContain('40 test samples');
    expect(output).toContain('Total params: 1,562');
    expect(output).toMatch(/^Epoch 1\/2 - 4\/4 - .*loss: \d.*val_acc: .* img\/s$/m);
    expect(output).toMatch(/^Epoch 2\/2 - /m);
    expect(output).toMatch(/^Test loss: \d/m);
    expect(output).toMatch(/^Test accuracy: \d/m);
  });

  it('writes every artefact into the run dir', () => {
    for (const f of [
      'config.json',
      'metrics.csv',
      'training-curves.svg',
      'training-curves.png',
      'model-plot.svg',
      'model-plot.png',
      'model-plot.dot',
      'model/model.json',
      'model/weights.bin',
      'evaluation/report.json',
      'evaluation/per-class-accuracy.csv',
      'evaluation/confusion-matrix.csv',
      'evaluation/confusion-matrix.svg',
      'evaluation/confusion-matrix.png',
      'DONE',
    ]) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    expect(readFileSync(join(runDir, 'training-curves.svg'), 'utf8')).toMatch(/<svg/);
    expect(readFileSync(join(runDir, 'training-curves.png')).subarray(1, 4).toString()).toBe('PNG');
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).config;
    expect(config).toMatchObject({ epochs: 2, batchSize: 16, learningRate: 1e-4, optimizer: 'adam', augment: true, seed: 3 });
    expect(config.augmentation).toMatchObject({ rotationRange: 10, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true });
    const { backendUsed } = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    expect(backendUsed).toMatchObject({ name: 'wasm', chosenBy: '--backend', passedOver: [] });
    expect(backendUsed.device).toMatch(/^WebAssembly CPU/);
    const metrics = readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics).toHaveLength(3);
    expect(metrics[0]).toMatch(/^epoch,.*val_acc/);
    expect(existsSync(join(runDir, 'tensorboard'))).toBe(true);
    expect(existsSync(join(runDir, 'checkpoints'))).toBe(true);
    const report = JSON.parse(readFileSync(join(runDir, 'evaluation/report.json'), 'utf8'));
    expect(report.count).toBe(40);
    expect(Object.keys(report.perClassAccuracy)).toHaveLength(10);
    expect(report.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(40);
  });

  it('evaluate on the final model reproduces the last validation accuracy', async () => {
    const r = await runCli(['evaluate', 'run', '--json', '--backend', 'wasm', '--out', 'eval-out'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    const last = lastRow(readFileSync(join(runDir, 'metrics.csv'), 'utf8'));
    expect(result.count).toBe(40);
    expect(result.accuracy).toBeCloseTo(last.val_acc, 6);
    expect(result.loss).toBeCloseTo(last.val_loss, 4);
    for (const f of ['report.json', 'per-class-accuracy.csv', 'confusion-matrix.csv', 'confusion-matrix.svg', 'confusion-matrix.png']) {
      expect(existsSync(join(cwd, 'eval-out', f)), f).toBe(true);
    }
    const modelDir = await runCli(['evaluate', 'run/model', '--data-dir', miniCifar, '--limit-test', '40', '--json', '--backend', 'wasm'], { cwd });
    expect(modelDir.code, modelDir.stderr).toBe(0);
    expect(JSON.parse(modelDir.stdout).accuracy).toBe(result.accuracy);
    const human = await runCli(['evaluate', 'run', '--backend', 'wasm'], { cwd });
    expect(human.stdout).toMatch(/^Test accuracy: /m);
    expect(human.stdout).toMatch(/^ {2}airplane /m);
  });

  it('running the same command again on a finished run does nothing', async () => {
    const r = await runCli(['train', ...TRAIN, '--data-dir', miniCifar, '--run-dir', 'run'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already complete \(2 epochs\)/);
  });

  it('--resume with more epochs continues a finished run from its final state', async () => {
    const r = await runCli(['train', '--resume', 'run', '--epochs', '3', '--progress', 'epoch'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/resuming at epoch 3/);
    expect(r.stdout).toMatch(/^Epoch 3\/3 - /m);
    expect(r.stdout).not.toMatch(/^Epoch 1\/3/m);
    const metrics = readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics.map((l) => l.split(',')[0])).toEqual(['epoch', '0', '1', '2']);
    expect(JSON.parse(readFileSync(join(runDir, 'DONE'), 'utf8')).epochsCompleted).toBe(3);
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).config.epochs).toBe(3);
  });

  it('predict prints the top-k classes of a PNG and a larger image resized', async () => {
    const testBin = readFileSync(join(miniCifar, 'cifar-10-batches-bin/test_batch.bin'));
    const small = new PNG({ width: 32, height: 32 });
    const big = new PNG({ width: 64, height: 48 });
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const i = (y * 32 + x) * 4;
        for (let c = 0; c < 3; c++) small.data[i + c] = testBin[1 + c * 1024 + y * 32 + x];
        small.data[i + 3] = 255;
      }
    big.data.fill(128);
    writeFileSync(join(cwd, 'cat.png'), PNG.sync.write(small));
    writeFileSync(join(cwd, 'big.png'), PNG.sync.write(big));
    const r = await runCli(['predict', 'cat.png', 'big.png', '--model', 'run', '--top-k', '2', '--json', '--backend', 'wasm'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const { results } = JSON.parse(r.stdout);
    expect(results).toHaveLength(2);
    expect(results[1]).toMatchObject({ file: 'big.png', width: 64, height: 48, resized: true });
    for (const res of results) {
      expect(res.top).toHaveLength(2);
      expect(res.top[0].probability).toBeGreaterThanOrEqual(res.top[1].probability);
      expect(res.top[0].probability).toBeLessThanOrEqual(1);
      expect(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']).toContain(res.top[0].className);
    }
  });

  it('predict: a corrupt PNG is E_IMAGE_DECODE (exit 1, with a hint); a text file is a usage error (exit 2)', async () => {
    const png = new PNG({ width: 40, height: 40 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 7919) % 256;
    const whole = PNG.sync.write(png);
    writeFileSync(join(cwd, 'cut.png'), whole.subarray(0, whole.length >> 1));
    const r = await runCli(['predict', 'cut.png', '--model', 'run', '--backend', 'wasm'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tfbricks: error: cannot decode PNG image "cut\.png": /m);
    expect(r.stderr).toContain('hint: check that the file is a complete, valid image');
    writeFileSync(join(cwd, 'notes.png'), 'just text\n');
    const t = await runCli(['predict', 'notes.png', '--model', 'run', '--backend', 'wasm'], { cwd });
    expect(t.code).toBe(2);
    expect(t.stderr.trim()).toBe('tfbricks: error: invalid image "notes.png": not a PNG or JPEG file (allowed: PNG or JPEG files)');
  });

  it('summary and plot-model read the run dir', async () => {
    const s = await runCli(['summary', '--model', 'run'], { cwd });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('Total params: 1,562');
    const p = await runCli(['plot-model', '--model', 'run', '--out', 'tiny.dot'], { cwd });
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'tiny.dot'), 'utf8')).toMatch(/digraph/);
  });
});

describe.skipIf(!hasMiniCifar)('config.json records the backend actually used and why', () => {
  it('TFBRICKS_BACKEND=cpu without --backend: name cpu, chosen by TFBRICKS_BACKEND', async () => {
    const cwd = tempDir();
    const argv = ['train', '--model', 'tiny', '--limit-train', '16', '--limit-test', '8', '--epochs', '1', '--batch-size', '16', '--no-augment'];
    const r = await runCli([...argv, '--data-dir', miniCifar, '--run-dir', 'run', '--progress', 'none'], { cwd, env: { TFBRICKS_BACKEND: 'cpu' } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const written = JSON.parse(readFileSync(join(cwd, 'run', 'config.json'), 'utf8'));
    expect(written.config.backend).toBeNull();
    expect(written.backendUsed).toMatchObject({ name: 'cpu', chosenBy: 'TFBRICKS_BACKEND' });
  }, 240_000);
});
