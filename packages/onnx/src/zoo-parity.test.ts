// Every zoo model, exported and run by ONNX Runtime, against tfbricks' predict (tfjs cpu):
// random and trained/perturbed weights, batch 1 and 7, NHWC and NCHW inputs.
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, getModelSpec, modelZoo } from '@tfbricks/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectParity } from './test-support/parity';
import { randomArray } from './test-support/runtime';
import { perturbWeights } from './test-support/weights';

const SHAPE = [32, 32, 3];
const PIXELS = 32 * 32 * 3;

beforeAll(async () => {
  await tfc.setBackend('cpu');
});

/** A few real training steps of the tiny model (Adam, random images and labels). */
async function trainBriefly(model: tfl.LayersModel): Promise<void> {
  model.compile({ optimizer: tfc.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const n = 8;
  const x = tfc.tensor4d(randomArray(n * PIXELS, 11), [n, ...SHAPE] as [number, number, number, number]);
  const y = tfc.oneHot(tfc.tensor1d(Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10);
  await model.fit(x, y, { epochs: 3, batchSize: n, verbose: 0, shuffle: false });
  tfc.dispose([x, y]);
}

describe('zoo models on ONNX Runtime equal tfbricks predict', () => {
  for (const entry of modelZoo) {
    it(`${entry.name}: random and trained weights`, async () => {
      const model = buildModel(getModelSpec(entry.name), { seed: 7 });
      try {
        await expectParity(model, `${entry.name} (random)`, SHAPE);
        if (entry.name === 'tiny') await trainBriefly(model);
        else perturbWeights(model, 100);
        await expectParity(model, `${entry.name} (${entry.name === 'tiny' ? 'trained' : 'perturbed'})`, SHAPE);
      } finally {
        model.dispose();
      }
    }, 300_000);
  }
});
