import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as tfc from '@tensorflow/tfjs-core';
import { isTfbricksError } from '@tfbricks/core';
import { buildModel, getModelSpec, modelZoo, summary, analyzeSpec } from './index';
import { sharedDir } from '../../../vitest.shared';

const referenceSummary = join(sharedDir, 'reference', 'keras-seed-model-summary.txt');

const expected: Record<string, { params: number; trainable: number; layers?: Record<string, number> }> = {
  'keras-cifar10-deep': { params: 1_071_542, trainable: 1_071_542, layers: { Conv2D: 15, Activation: 17, Dropout: 4, MaxPooling2D: 2, GlobalMaxPooling2D: 1, Dense: 2 } },
  'keras-cifar10-cnn': { params: 1_250_858, trainable: 1_250_858 },
  resnet20: { params: 274_442, trainable: 273_066, layers: { Conv2D: 21, BatchNormalization: 19, Add: 9, Dense: 1 } },
  resnet32: { params: 470_218, trainable: 467_946 },
  resnet56: { params: 861_770, trainable: 857_706 },
  tiny: { params: 1_562, trainable: 1_562 },
};

describe('model zoo', () => {
  it('lists every zoo model', () => {
    expect(modelZoo.map((e) => e.name).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [name, exp] of Object.entries(expected)) {
    it(`${name}: parameter count, layer counts and output shape (spec and built model agree)`, () => {
      const spec = getModelSpec(name);
      const a = analyzeSpec(spec);
      expect(a.totals.total).toBe(exp.params);
      expect(a.totals.trainable).toBe(exp.trainable);
      if (exp.layers) {
        const counts: Record<string, number> = {};
        for (const l of a.layers) counts[l.className] = (counts[l.className] ?? 0) + 1;
        for (const [k, n] of Object.entries(exp.layers)) expect(counts[k], k).toBe(n);
      }
      const model = buildModel(spec);
      try {
        expect(model.countParams()).toBe(exp.params);
        expect(model.outputs[0].shape).toEqual([null, 10]);
        for (const l of a.layers) {
          expect(model.getLayer(l.name).outputShape, l.name).toEqual([null, ...l.outputShape]);
        }
      } finally {
        model.dispose();
      }
    });
  }

  it('honours inputShape and numClasses', () => {
    const spec = getModelSpec('resnet20', { inputShape: [16, 16, 1], numClasses: 5 });
    const a = analyzeSpec(spec);
    expect(a.layers[a.layers.length - 1].outputShape).toEqual([5]);
    expect(spec.inputShape).toEqual([16, 16, 1]);
    const model = buildModel(getModelSpec('tiny', { inputShape: [8, 8, 1], numClasses: 3 }));
    const y = model.predict(tfc.zeros([2, 8, 8, 1])) as tfc.Tensor;
    expect(y.shape).toEqual([2, 3]);
    y.dispose();
    model.dispose();
  });

  it('an unknown zoo name is a usage error listing the zoo', () => {
    try {
      getModelSpec('resnet18');
      expect.unreachable();
    } catch (e) {
      expect(isTfbricksError(e) && e.usage).toBe(true);
      expect((e as Error).message).toContain('"resnet18"');
      for (const entry of modelZoo) expect((e as Error).message).toContain(entry.name);
    }
  });

  it("seed model summary matches the tutorial's Keras table exactly", (ctx) => {
    if (!existsSync(referenceSummary)) {
      console.warn(`skipped: ${referenceSummary} is absent`);
      ctx.skip();
    }
    const want = readFileSync(referenceSummary, 'utf8');
    expect(summary(getModelSpec('keras-cifar10-deep'))).toBe(want);
    const model = buildModel(getModelSpec('keras-cifar10-deep'));
    expect(summary(model)).toBe(want);
    model.dispose();
  });
});
