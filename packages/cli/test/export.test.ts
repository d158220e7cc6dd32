// tfbricks export: a smoke run's directory to ONNX, evaluated by ONNX Runtime on the mini
// test set (same accuracy as tfbricks evaluate), and every bad input leaving nothing behind.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, parseModelSpec, registerLayerKind, unregisterLayerKind } from '@tfbricks/layers';
import { saveModel } from '@tfbricks/layers/node';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliRegistry } from '../src/backends';
import { loadData } from '../src/data';
import { hasMiniCifar, listTree, miniCifar, runChild, runCli, tempDir } from './helpers';

const TRAIN = ['--model', 'tiny', '--limit-train', '48', '--limit-test', '40', '--epochs', '1', '--batch-size', '16', '--backend', 'cpu', '--seed', '5'];

/** ORT accuracy of an exported model on the first `count` mini test images. */
async function ortAccuracy(file: string, opts: { nchw: boolean; raw: boolean }, count: number): Promise<{ accuracy: number; loss: number; probabilities: Float32Array }> {
  const io = { stdout: { write: () => true, isTTY: false }, stderr: { write: () => true, isTTY: false }, env: {}, cwd: process.cwd() };
  const data = await loadData({ dataset: 'cifar10', labelMode: 'fine', dataDir: miniCifar, limitTrain: 1, limitTest: count, validationSplit: 0 }, io);
  const n = data.test.count;
  const x = new Float32Array(n * 3072);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < 1024; i++) {
      for (let c = 0; c < 3; c++) {
        const v = data.test.images[b * 3072 + i * 3 + c] * (opts.raw ? 1 : 1 / 255);
        x[opts.nchw ? b * 3072 + c * 1024 + i : b * 3072 + i * 3 + c] = v;
      }
    }
  }
  const session = await ort.InferenceSession.create(readFileSync(file));
  try {
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, opts.nchw ? [n, 3, 32, 32] : [n, 32, 32, 3]) });
    const probabilities = result[session.outputNames[0]].data as Float32Array;
    let correct = 0;
    let loss = 0;
    for (let b = 0; b < n; b++) {
      const row = probabilities.subarray(b * 10, (b + 1) * 10);
      if (row.indexOf(Math.max(...row)) === data.test.labels[b]) correct++;
      // Keras' categorical cross-entropy clips probabilities to [1e-7, 1 - 1e-7].
      loss -= Math.log(Math.min(Math.max(row[data.test.labels[b]], 1e-7), 1 - 1e-7));
    }
    return { accuracy: correct / n, loss: loss / n, probabilities };
  } finally {
    await session.release();
  }
}

describe.skipIf(!hasMiniCifar)('tfbricks export (smoke run, ONNX Runtime on the mini test set)', () => {
  const cwd = tempDir('tfbricks-export-');

  beforeAll(async () => {
    const r = await runCli(['train', ...TRAIN, '--data-dir', miniCifar, '--run-dir', 'run', '--progress', 'none'], { cwd });
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }, 240_000);

  it('exports the run and ONNX Runtime gets the accuracy tfbricks evaluate prints (NHWC, and NCHW with baked preprocessing)', async () => {
    const ev = await runCli(['evaluate', 'run', '--json', '--backend', 'cpu'], { cwd });
    expect(ev.code, ev.stderr).toBe(0);
    const evaluated = JSON.parse(ev.stdout) as { accuracy: number; loss: number; count: number };
    expect(evaluated.count).toBe(40);

    const r = await runCli(['export', 'run', '--format', 'onnx', '--out', 'model.onnx'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ONNX model written to .*model\.onnx \(\d+ bytes, opset 17, NHWC input: pixels \/ 255\)$/m);
    const plain = await ortAccuracy(join(cwd, 'model.onnx'), { nchw: false, raw: false }, 40);
    expect(plain.accuracy).toBeCloseTo(evaluated.accuracy, 10);
    // Not only the argmax: the mean loss over the 40 images agrees too.
    expect(Math.abs(plain.loss - evaluated.loss)).toBeLessThan(1e-4);

    const baked = await runCli(['export', join(cwd, 'run'), '--out', 'baked.onnx', '--nchw', '--include-preprocessing', '--opset', '19'], { cwd });
    expect(baked.code, baked.stderr).toBe(0);
    const raw = await ortAccuracy(join(cwd, 'baked.onnx'), { nchw: true, raw: true }, 40);
    expect(raw.accuracy).toBeCloseTo(evaluated.accuracy, 10);
    let max = 0;
    for (let i = 0; i < raw.probabilities.length; i++) max = Math.max(max, Math.abs(raw.probabilities[i] - plain.probabilities[i]));
    expect(max).toBeLessThan(1e-5);

    // Metadata: class names and preprocessing, as ONNX Runtime and any onnx reader see them.
    const text = readFileSync(join(cwd, 'model.onnx')).toString('latin1');
    expect(text).toContain('["airplane","automobile","bird","cat","deer","dog","frog","horse","ship","truck"]');
    expect(text).toMatch(/"included":false/);
    expect(readFileSync(join(cwd, 'baked.onnx')).toString('latin1')).toMatch(/"included":true/);
  }, 120_000);

  it('works from the real tfbricks binary (a child process) and is listed in --help', async () => {
    const r = await runChild(['export', 'run', '--out', 'child.onnx', '--batch', '3'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, 'child.onnx'))).toBe(true);
    const help = await runCli(['--help'], { cwd });
    expect(help.stdout).toMatch(/^\s+export \[options\] <dir>\s+export a run dir or a model dir/m);
  }, 120_000);

  it('refuses to overwrite without --force, replaces with it, and exports a model dir too', async () => {
    const before = readFileSync(join(cwd, 'model.onnx'));
    const r = await runCli(['export', 'run', '--out', 'model.onnx'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid value for --out: "model\.onnx" .*exists; pass --force to replace it/);
    expect(readFileSync(join(cwd, 'model.onnx')).equals(before)).toBe(true);
    const forced = await runCli(['export', 'run/model', '--out', 'model.onnx', '--force', '--opset', '13'], { cwd });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'model.onnx')).equals(before)).toBe(false);
    expect(listTree(cwd).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});

describe.skipIf(!hasMiniCifar)('tfbricks export of a run trained with featurewise standardisation', () => {
  const cwd = tempDir('tfbricks-export-fw-');

  beforeAll(async () => {
    const r = await runCli(['train', ...TRAIN, '--featurewise-center', '--featurewise-std-normalization', '--data-dir', miniCifar, '--run-dir', 'run', '--progress', 'none'], { cwd });
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }, 240_000);

  it("refits the generator's mean/std on the run's training images and bakes them into the graph", async () => {
    const r = await runCli(['export', 'run', '--out', 'baked.onnx', '--include-preprocessing'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/refitting the featurewise statistics/);
    const plain = await runCli(['export', 'run', '--out', 'plain.onnx'], { cwd });
    expect(plain.code, plain.stderr).toBe(0);
    // The per-channel mean/std of the 48 training images on the [0, 1] scale, as train fitted them.
    const io = { stdout: { write: () => true, isTTY: false }, stderr: { write: () => true, isTTY: false }, env: {}, cwd };
    const data = await loadData({ dataset: 'cifar10', labelMode: 'fine', dataDir: miniCifar, limitTrain: 48, limitTest: 8, validationSplit: 0 }, io);
    const mean = [0, 1, 2].map((c) => {
      let sum = 0;
      for (let i = c; i < data.train.images.length; i += 3) sum += data.train.images[i] / 255;
      return sum / (data.train.images.length / 3);
    });
    const std = [0, 1, 2].map((c) => {
      let sum = 0;
      for (let i = c; i < data.train.images.length; i += 3) sum += (data.train.images[i] / 255 - mean[c]) ** 2;
      return Math.sqrt(sum / (data.train.images.length / 3));
    });
    const text = readFileSync(join(cwd, 'baked.onnx')).toString('latin1');
    const meta = JSON.parse(text.slice(text.indexOf('{"included"'), text.indexOf('}', text.indexOf('{"included"')) + 1));
    expect(meta.included).toBe(true);
    meta.mean.forEach((m: number, c: number) => expect(m).toBeCloseTo(mean[c], 5));
    meta.std.forEach((v: number, c: number) => expect(v).toBeCloseTo(std[c], 5));
    // Raw pixels through the baked graph = standardised pixels through the plain one.
    const n = data.test.count;
    const raw = Float32Array.from(data.test.images);
    const standardized = raw.map((v, i) => (v / 255 - mean[i % 3]) / (std[i % 3] + 1e-6));
    const run = async (file: string, x: Float32Array) => {
      const session = await ort.InferenceSession.create(readFileSync(join(cwd, file)));
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [n, 32, 32, 3]) });
      const data = out[session.outputNames[0]].data as Float32Array;
      await session.release();
      return data;
    };
    const a = await run('baked.onnx', raw);
    const b = await run('plain.onnx', standardized);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    expect(max).toBeLessThan(1e-5);
  }, 120_000);
});

describe('tfbricks export: bad input gets a clear error and leaves nothing behind', () => {
  const cwd = tempDir('tfbricks-export-bad-');
  const plainModel = join(cwd, 'plain');

  beforeAll(async () => {
    await createCliRegistry({}).resolve({ backend: 'cpu' });
    const spec = parseModelSpec({ className: 'Sequential', inputShape: [8, 8, 3], layers: [{ className: 'Flatten' }, { className: 'Dense', config: { units: 2 } }] });
    const model = buildModel(spec, { seed: 1 });
    await saveModel(plainModel, model);
    model.dispose();
    // A saved model with a custom layer kind the exporter does not know.
    registerLayerKind({
      className: 'Upsample2x',
      outputShape: (_c, [s]) => [s[0] * 2, s[1] * 2, s[2]],
      paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
      create: (c) => tfl.layers.upSampling2d({ size: [2, 2], name: c.name as string }),
    });
    const custom = buildModel(parseModelSpec({ className: 'Sequential', inputShape: [4, 4, 3], layers: [{ className: 'Upsample2x', config: { name: 'grow' } }, { className: 'Flatten' }] }));
    await saveModel(join(cwd, 'custom'), custom);
    custom.dispose();
    mkdirSync(join(cwd, 'corrupt'));
    writeFileSync(join(cwd, 'corrupt', 'model.json'), '{ not json');
    mkdirSync(join(cwd, 'empty'));
  });

  afterAll(() => unregisterLayerKind('Upsample2x'));

  const cases: [string, string[], number, RegExp][] = [
    ['a missing model dir', ['export', 'nowhere', '--out', 'm.onnx'], 2, /invalid value for <dir>: "nowhere" .*it does not exist/],
    ['a dir that is no model', ['export', 'empty', '--out', 'm.onnx'], 2, /invalid value for <dir>: "empty" \(allowed: a run directory written by tfbricks train, or a saved model directory/],
    ['a corrupt model dir', ['export', 'corrupt', '--out', 'm.onnx'], 2, /model\.json of "[^"]*corrupt" is not valid JSON/],
    ['an unsupported layer', ['export', 'custom', '--out', 'm.onnx'], 2, /layer "grow" of kind UpSampling2D is not supported/],
    ['an --out in a directory that does not exist', ['export', 'plain', '--out', 'no/such/dir/m.onnx'], 2, /invalid value for --out: "no\/such\/dir\/m\.onnx": directory .* does not exist/],
    ['a missing --out', ['export', 'plain'], 2, /missing --out <file>/],
    ['an unknown format', ['export', 'plain', '--format', 'tflite', '--out', 'm.tflite'], 2, /invalid value for --format: "tflite" \(allowed: one of onnx\)/],
    ['an opset out of range', ['export', 'plain', '--opset', '9', '--out', 'm.onnx'], 2, /invalid value for --opset: "9" \(allowed: an integer from 13 to 21\)/],
    ['an --out that is a directory', ['export', 'plain', '--out', 'empty'], 2, /invalid value for --out: "empty" is a directory/],
  ];
  for (const [what, argv, code, message] of cases) {
    it(what, async () => {
      const before = listTree(cwd);
      const r = await runCli(argv, { cwd });
      expect(r.code, r.stdout + r.stderr).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^tfbricks: /);
      expect(listTree(cwd)).toEqual(before);
      expect(existsSync(join(cwd, 'm.onnx'))).toBe(false);
    });
  }
});
