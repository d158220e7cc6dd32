import { mkdtemp, readFile, rm, writeFile, readdir, mkdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { isTfbricksError } from '@tfbricks/core';
import { buildModel, createOptimizer, getModelSpec } from '../index';
import { loadModel, removeStaleSaveTemporaries, saveModel } from './index';
import { saveHooks } from './atomic-dir';

let root: string;
beforeAll(async () => {
  await tfc.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'tfb-layers-save-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function batch(seed: number): { x: tfc.Tensor; y: tfc.Tensor } {
  const x = tfc.randomUniform([4, 8, 8, 3], 0, 1, 'float32', seed);
  const y = tfc.oneHot(tfc.tensor1d([0, 3, 5, 9], 'int32'), 10);
  return { x, y };
}

async function allWeights(model: tf.LayersModel): Promise<Float32Array> {
  const parts = await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array>));
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function expectError(p: Promise<unknown>, code: string, text: string): Promise<void> {
  try {
    await p;
    expect.unreachable('expected an error');
  } catch (e) {
    expect(isTfbricksError(e), String(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    expect((e as Error).message).toContain(text);
  }
}

const spec = getModelSpec('tiny', { inputShape: [8, 8, 3] });

describe('saveModel / loadModel', () => {
  it('resuming after save/load is bit-identical to never stopping (Adam, cpu)', async () => {
    const steps = [batch(1), batch(2), batch(3), batch(4)];
    // Uninterrupted: 4 steps.
    const ref = buildModel(spec, { seed: 5 });
    ref.compile({ optimizer: createOptimizer('adam', { learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    for (const b of steps) await ref.trainOnBatch(b.x, b.y);
    const want = await allWeights(ref);

    // Interrupted: 2 steps, save, load (fresh model and optimizer), 2 more.
    const first = buildModel(spec, { seed: 5 });
    const opt = createOptimizer('adam', { learningRate: 0.01 });
    first.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    for (const b of steps.slice(0, 2)) await first.trainOnBatch(b.x, b.y);
    const dir = join(root, 'resume');
    await saveModel(dir, first, { optimizer: opt, metadata: { epoch: 2, note: 'half way' } });
    first.dispose();

    const loaded = await loadModel(dir);
    expect(loaded.metadata).toEqual({ epoch: 2, note: 'half way' });
    expect(loaded.optimizer?.iterations).toBe(2);
    expect(loaded.spec).toEqual(spec);
    loaded.model.compile({ optimizer: loaded.optimizer!, loss: 'categoricalCrossentropy' });
    for (const b of steps.slice(2)) await loaded.model.trainOnBatch(b.x, b.y);
    const got = await allWeights(loaded.model);
    expect(got.length).toBe(want.length);
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    expect(maxDiff).toBe(0); // bit-identical on cpu
    // A fresh optimizer instead of the restored one does NOT reproduce the run: the state matters.
    const reset = await loadModel(dir);
    reset.model.compile({ optimizer: createOptimizer('adam', { learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    for (const b of steps.slice(2)) await reset.model.trainOnBatch(b.x, b.y);
    const other = await allWeights(reset.model);
    expect(other.some((v, i) => v !== want[i])).toBe(true);
    ref.dispose();
    loaded.model.dispose();
    reset.model.dispose();
  });

  for (const [name, options] of [
    ['adamax', { learningRate: 0.01 }],
    ['adagrad', { learningRate: 0.05 }],
    ['rmsprop', { learningRate: 0.01, decay: 0.1 }],
  ] as const) {
    it(`resumes ${name} exactly too (its state survives save/load)`, async () => {
      const steps = [batch(11), batch(12), batch(13)];
      const ref = buildModel(spec, { seed: 8 });
      ref.compile({ optimizer: createOptimizer(name, options), loss: 'categoricalCrossentropy' });
      for (const b of steps) await ref.trainOnBatch(b.x, b.y);
      const first = buildModel(spec, { seed: 8 });
      const opt = createOptimizer(name, options);
      first.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      await first.trainOnBatch(steps[0].x, steps[0].y);
      await first.trainOnBatch(steps[1].x, steps[1].y);
      const dir = join(root, `resume-${name}`);
      await saveModel(dir, first, { optimizer: opt });
      const loaded = await loadModel(dir);
      loaded.model.compile({ optimizer: loaded.optimizer!, loss: 'categoricalCrossentropy' });
      await loaded.model.trainOnBatch(steps[2].x, steps[2].y);
      const want = await allWeights(ref);
      const got = await allWeights(loaded.model);
      let maxDiff = 0;
      for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
      expect(maxDiff).toBeLessThanOrEqual(1e-6);
      for (const m of [ref, first, loaded.model]) m.dispose();
    });
  }

  it('writes model.json with the spec, the Keras config and named weights; fused and unfused builds share weights', async () => {
    const fused = buildModel(spec, { seed: 1 });
    const dir = join(root, 'layout');
    await saveModel(dir, fused);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.spec).toEqual(spec);
    expect(json.kerasConfig.config.layers[0].config).toMatchObject({ name: 'conv2d_1', activation: 'linear', kernel_initializer: 'glorot_uniform' });
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'conv2d_1/kernel', 'conv2d_1/bias', 'conv2d_2/kernel', 'conv2d_2/bias', 'dense_1/kernel', 'dense_1/bias',
    ]);
    const unfused = await loadModel(dir, { fuseActivations: false });
    expect((unfused.model.getLayer('conv2d_1').getConfig() as { activation: string }).activation).toBe('linear');
    const x = tfc.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 9);
    const a = (fused.predict(x) as tfc.Tensor).dataSync();
    const b = (unfused.model.predict(x) as tfc.Tensor).dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-6);
    fused.dispose();
    unfused.model.dispose();
  });

  it('saves atomically: a crash at any step leaves a loadable save (old or new)', async () => {
    const dir = join(root, 'atomic');
    const m1 = buildModel(spec, { seed: 1 });
    const m2 = buildModel(spec, { seed: 2 });
    await saveModel(dir, m1, { metadata: { v: 1 } });
    for (const step of ['written', 'old-moved', 'new-moved'] as const) {
      saveHooks.crashAt = step;
      try {
        await expect(saveModel(dir, m2, { metadata: { v: 2 } })).rejects.toThrow(/simulated crash/);
      } finally {
        saveHooks.crashAt = undefined;
      }
      const loaded = await loadModel(dir);
      expect(loaded.metadata.v).toBe(step === 'new-moved' ? 2 : 1);
      loaded.model.dispose();
      // No temporary directories are left behind.
      expect((await readdir(root)).filter((n) => n.includes('.tmp-'))).toEqual([]);
      // The next save recovers whatever state the crash left.
      await saveModel(dir, m1, { metadata: { v: 1 } });
      expect(existsSync(`${dir}.prev`)).toBe(false);
    }
    m1.dispose();
    m2.dispose();
  });

  it('removes temporaries left by a killed writer, and only those, before the next save', async () => {
    const dir = join(root, 'stale');
    const m = buildModel(spec, { seed: 3 });
    await saveModel(dir, m);
    // A pid that has certainly exited: a child that already ran to completion.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    expect(Number.isInteger(deadPid) && deadPid > 0).toBe(true);
    const stale = join(root, `.stale.tmp-${deadPid}-abc-def`);
    const live = join(root, `.stale.tmp-${process.ppid}-abc-def`);
    const other = join(root, `.unrelated.tmp-${deadPid}-abc-def`);
    for (const d of [stale, live, other]) {
      await mkdir(d);
      await writeFile(join(d, 'weights.bin'), 'half-written');
    }
    await saveModel(dir, m, { metadata: { again: true } });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect((await loadModel(dir)).metadata.again).toBe(true);
    expect(await removeStaleSaveTemporaries(join(root, 'unrelated'))).toBe(1);
    expect(existsSync(other)).toBe(false);
    await rm(live, { recursive: true, force: true });
    m.dispose();
  });

  it('refuses to overwrite a non-empty directory that is not a save', async () => {
    const dir = join(root, 'not-a-model');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const m = buildModel(spec, { seed: 1 });
    await expectError(saveModel(dir, m), 'E_SAVE', 'not a saved model');
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    m.dispose();
  });

  describe('validates before trusting', () => {
    let dir: string;
    let original: string;
    beforeAll(async () => {
      dir = join(root, 'validate');
      const m = buildModel(spec, { seed: 3 });
      await saveModel(dir, m, { optimizer: createOptimizer('sgd', { learningRate: 0.1, momentum: 0.9 }) });
      m.dispose();
      original = await readFile(join(dir, 'model.json'), 'utf8');
    });
    const edit = async (f: (j: Record<string, any>) => void) => {
      const j = JSON.parse(original);
      f(j);
      await writeFile(join(dir, 'model.json'), JSON.stringify(j));
    };

    it('manifest paths must stay inside the directory', async () => {
      await writeFile(join(root, 'outside.bin'), new Uint8Array(6248));
      await edit((j) => (j.weightsManifest[0].paths = ['../outside.bin']));
      await expectError(loadModel(dir), 'E_MODEL_LOAD', 'outside the model directory');
      await edit((j) => (j.weightsManifest[0].paths = [join(root, 'outside.bin')]));
      await expectError(loadModel(dir), 'E_MODEL_LOAD', 'invalid weight path');
    });

    it('shapes and byte sizes must match the spec', async () => {
      await edit((j) => (j.weightsManifest[0].weights[0].shape = [3, 3, 3, 9]));
      await expectError(loadModel(dir), 'E_MODEL_LOAD', 'layer "conv2d_1" (Conv2D) declares 224 parameters but the weights manifest holds 251 for it');
      await writeFile(join(dir, 'model.json'), original);
      const bin = await readFile(join(dir, 'weights.bin'));
      await writeFile(join(dir, 'weights.bin'), bin.subarray(0, bin.byteLength - 4));
      await expectError(loadModel(dir), 'E_MODEL_LOAD', `holds ${bin.byteLength - 4} bytes but ${bin.byteLength} were expected`);
      await writeFile(join(dir, 'weights.bin'), bin);
      await edit((j) => {
        j.weightsManifest[0].weights[0].shape = [3, 3, 8, 3];
      });
      await expectError(loadModel(dir), 'E_MODEL_LOAD', 'weight "conv2d_1/kernel" has shape [3, 3, 8, 3] but the spec needs [3, 3, 3, 8]');
      await edit((j) => (j.weightsManifest[0].weights[5].name = 'dense_1/bogus'));
      await expectError(loadModel(dir), 'E_MODEL_LOAD', '"dense_1/bogus"');
    });

    it('an unknown layer kind is an error naming the kind', async () => {
      await edit((j) => (j.spec.layers[1].className = 'Swish2D'));
      await expectError(loadModel(dir), 'E_LAYER_KIND_UNKNOWN', '"Swish2D"');
    });

    it('NaN/Inf weights are reported (error, or listed with allowNonFinite)', async () => {
      await writeFile(join(dir, 'model.json'), original);
      const bin = await readFile(join(dir, 'weights.bin'));
      const f = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
      f[0] = NaN;
      f[f.length - 1] = Infinity;
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(f.buffer));
      await expectError(loadModel(dir), 'E_MODEL_NONFINITE', 'conv2d_1/kernel (1 NaN, 0 Inf), dense_1/bias (0 NaN, 1 Inf)');
      const loaded = await loadModel(dir, { allowNonFinite: true });
      expect(loaded.nonFinite).toEqual([
        { name: 'conv2d_1/kernel', nan: 1, inf: 0 },
        { name: 'dense_1/bias', nan: 0, inf: 1 },
      ]);
      expect(loaded.optimizer?.getClassName()).toBe('KerasSGD');
      loaded.model.dispose();
    });

    it('weight and model files must be regular files: a FIFO or a directory is refused without hanging', async () => {
      await writeFile(join(dir, 'model.json'), original);
      const fifoDir = join(root, 'fifo');
      await mkdir(fifoDir);
      await writeFile(join(fifoDir, 'model.json'), original);
      await writeFile(join(fifoDir, 'optimizer.bin'), await readFile(join(dir, 'optimizer.bin')));
      expect(spawnSync('mkfifo', [join(fifoDir, 'weights.bin')]).status).toBe(0);
      await expectError(loadModel(fifoDir), 'E_MODEL_LOAD', 'is a FIFO (named pipe), not a regular file');
      await rm(join(fifoDir, 'weights.bin'));
      await mkdir(join(fifoDir, 'weights.bin'));
      await expectError(loadModel(fifoDir), 'E_MODEL_LOAD', 'is a directory, not a regular file');
      await rm(join(fifoDir, 'model.json'));
      expect(spawnSync('mkfifo', [join(fifoDir, 'model.json')]).status).toBe(0);
      await expectError(loadModel(fifoDir), 'E_MODEL_LOAD', 'is a FIFO');
    });

    it('a missing directory or foreign JSON is a clear error', async () => {
      await expectError(loadModel(join(root, 'nope')), 'E_MODEL_LOAD', 'cannot read');
      await edit((j) => (j.format = 'keras'));
      await expectError(loadModel(dir), 'E_MODEL_LOAD', '"format" must be "tfbricks-layers-model"');
    });
  });
});
