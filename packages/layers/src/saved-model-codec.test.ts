import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { isTfbricksError } from '@tfbricks/core';
import { buildModel, createOptimizer, decodeSavedModel, describeSavedModel, encodeSavedModel, getModelSpec, type SavedModelFiles } from './index';

const spec = getModelSpec('tiny', { inputShape: [8, 8, 3] });
let files: SavedModelFiles;
let original: Record<string, any>;

beforeAll(async () => {
  await tfc.setBackend('cpu');
  const model = buildModel(spec, { seed: 4 });
  const optimizer = createOptimizer('adam', { learningRate: 0.01 });
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  await model.trainOnBatch(tfc.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1), tfc.oneHot(tfc.tensor1d([1, 2], 'int32'), 10));
  files = await encodeSavedModel(model, { optimizer, metadata: { classNames: ['a'] } });
  original = JSON.parse(files['model.json'] as string);
  model.dispose();
});

function withJson(edit: (j: Record<string, any>) => void): SavedModelFiles {
  const j = structuredClone(original);
  edit(j);
  return { ...files, 'model.json': JSON.stringify(j) };
}

async function refused(p: Promise<unknown> | (() => unknown), code: string, text: string): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(isTfbricksError(e), String(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    expect((e as Error).message).toContain(text);
    return (e as Error).message;
  }
  return expect.unreachable('expected an error');
}

describe('saved-model codec (in memory, browser-safe)', () => {
  it('encodes to files and decodes back to the same weights and optimizer state', async () => {
    expect(Object.keys(files).sort()).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
    const decoded = await decodeSavedModel(new Map(Object.entries(files)));
    const again = await encodeSavedModel(decoded.model, { optimizer: decoded.optimizer });
    expect(Buffer.from(again['weights.bin'] as Uint8Array).equals(Buffer.from(files['weights.bin'] as Uint8Array))).toBe(true);
    expect(Buffer.from(again['optimizer.bin'] as Uint8Array).equals(Buffer.from(files['optimizer.bin'] as Uint8Array))).toBe(true);
    expect(decoded.metadata).toEqual({ classNames: ['a'] });
    decoded.model.dispose();
  });

  it('imports nothing from node: (its whole import graph)', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const [, spec] of src.matchAll(/(?:from|import)\s*'([^']+)'/g)) {
        expect(spec.startsWith('node:') || spec.includes('/node'), `${file} imports ${spec}`).toBe(false);
        if (spec.startsWith('.')) visit(resolve(dirname(file), `${spec}.ts`));
      }
    };
    visit(join(__dirname, 'saved-model-codec.ts'));
    expect(seen.size).toBeGreaterThan(4);
  });

  it('a declared size the weights do not hold is refused before anything is built (units: 60000000)', async () => {
    const big = withJson((j) => (j.spec.layers[6].config.units = 60_000_000));
    const t0 = Date.now();
    await refused(decodeSavedModel(big), 'E_TOO_LARGE', 'layer "dense_1" (Dense): its parameter count is 1020000000, above the limit of 268435456');
    const fits = withJson((j) => (j.spec.layers[6].config.units = 60_000));
    await refused(decodeSavedModel(fits), 'E_MODEL_LOAD', 'layer "dense_1" (Dense) declares 1020000 parameters but the weights manifest holds 170 for it');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('an input shape too large to allocate is refused ([100000, 100000, 3])', async () => {
    await refused(decodeSavedModel(withJson((j) => (j.spec.inputShape = [100000, 100000, 3]))), 'E_TOO_LARGE', '"inputShape" [100000, 100000, 3] (elements per sample) is 30000000000, above the limit of 67108864');
  });

  it('deeply nested or huge model.json is refused without a stack overflow, and echoes stay short', async () => {
    const deep = `${'['.repeat(5_000_000)}${']'.repeat(5_000_000)}`;
    const text = (files['model.json'] as string).replace(/"inputShape": \[[^\]]*\]/, `"inputShape": ${deep}`);
    await refused(decodeSavedModel({ ...files, 'model.json': text }), 'E_MODEL_LOAD', 'nests arrays/objects more than 64 deep');
    await refused(() => describeSavedModel(text, 'x'), 'E_MODEL_LOAD', 'nests');
    const long = withJson((j) => (j.spec.inputShape = Array.from({ length: 500_000 }, () => -1)));
    const message = await refused(decodeSavedModel(long), 'E_MODEL_SPEC', '"inputShape" must be');
    expect(message.length).toBeLessThan(600);
    const name = withJson((j) => (j.spec.layers[0].className = 'X'.repeat(2_000_000)));
    expect((await refused(decodeSavedModel(name), 'E_LAYER_KIND_UNKNOWN', 'unknown layer kind')).length).toBeLessThan(600);
  });

  it('manifest paths are plain names inside the model; missing files are named', async () => {
    await refused(decodeSavedModel(withJson((j) => (j.weightsManifest[0].paths = ['../w.bin']))), 'E_MODEL_LOAD', 'points outside the model directory');
    await refused(decodeSavedModel(withJson((j) => (j.weightsManifest[0].paths = ['C:\\w.bin']))), 'E_MODEL_LOAD', 'invalid weight path');
    const { 'weights.bin': _w, ...rest } = files;
    await refused(decodeSavedModel(rest), 'E_MODEL_LOAD', 'weight file "weights.bin" is missing');
  });
});
