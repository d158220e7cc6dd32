// Featurewise statistics in folder mode (`train --data-dir <folder> --featurewise-*`):
// fitted on a bounded, seeded sample of the training subset, read from real image files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { NumpyRandomState } from '@tfbricks/core';
import { type AugmentSettings, TUTORIAL_AUGMENTATION } from '../src/augment-options';
import { createAugmentation } from '../src/augmentation';
import type { CliIo } from '../src/io';
import { FIT_SAMPLE_MAX_IMAGES, openImageFolder, seededSample } from '../src/image-folder-data';
import { tempDir } from './helpers';

/** A 4x4 PNG of one grey value. */
function flat(v: number): Buffer {
  const png = new PNG({ width: 4, height: 4 });
  for (let p = 0; p < 16; p++) png.data.set([v, v, v, 255], p * 4);
  return PNG.sync.write(png);
}

const settings = (over: Partial<AugmentSettings>): AugmentSettings => ({ ...TUTORIAL_AUGMENTATION, ...over });

describe('featurewise statistics for a folder: a seeded sample of the training subset', () => {
  const root = tempDir();
  const dir = join(root, 'photos');
  beforeAll(async () => {
    await cpuBackend().init();
    await tf.setBackend('cpu');
    // 10 images of 200 ("day") and 10 of 40 ("night"): mean 120, population std 80 per channel.
    for (const [cls, v] of [['day', 200], ['night', 40]] as const) {
      mkdirSync(join(dir, cls), { recursive: true });
      for (let i = 0; i < 10; i++) writeFileSync(join(dir, cls, `${i}.png`), flat(v));
    }
  });

  it('mean and std are the analytic ones of the decoded files (rescaled by 1/255), and the sample is printed', async () => {
    const out: string[] = [];
    const io: CliIo = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true }, env: { TFBRICKS_HOME: join(root, 'home') }, cwd: root };
    const sources = await openImageFolder({ dataDir: dir, imageSize: [4, 4], validationSplit: 0, seed: 7, skipBadImages: false }, io);
    const gen = (await createAugmentation(settings({ featurewiseCenter: true, featurewiseStdNormalization: true }), sources, (l) => out.push(l))) as unknown as { mean: Float32Array; std: Float32Array };
    expect(out).toContain('featurewise statistics: fitted on a seeded sample of 20 of the 20 training images (at most 1000 images and 64 MiB of pixels)');
    for (let c = 0; c < 3; c++) {
      expect(gen.mean[c]).toBeCloseTo(120 / 255, 5);
      expect(gen.std[c]).toBeCloseTo(80 / 255, 5);
    }
  });

  it('ZCA on images of more than 3,072 values is refused before fitting (a d x d matrix)', async () => {
    const sources = { imageShape: [64, 64, 3] as const, fitSample: () => { throw new Error('must not sample'); } };
    await expect(createAugmentation(settings({ zcaWhitening: true }), sources)).rejects.toThrow(/--zca-whitening needs images of at most 3072 values.*64x64 gives 12288/);
  });

  it('the sample is bounded (1,000 images, 64 MiB) and is the head of the seeded numpy permutation', () => {
    const fake = (total: number) => ({
      size: () => total,
      batches: (_: string, o: { batchSize: number; shuffle: boolean; seed: number }) => {
        const order = new NumpyRandomState(o.seed).permutation(total);
        return [{ images: Uint8Array.from(order.slice(0, o.batchSize), (v) => v % 256), size: o.batchSize }];
      },
    });
    const small = seededSample(fake(5000), [32, 32, 3], 3);
    expect(small.count).toBe(FIT_SAMPLE_MAX_IMAGES);
    expect(small.total).toBe(5000);
    expect(Array.from(small.images.slice(0, 5))).toEqual(Array.from(new NumpyRandomState(3).permutation(5000).slice(0, 5), (v) => v % 256));
    // 256x256 RGB is 196,608 bytes an image: 64 MiB holds 341 of them.
    expect(seededSample(fake(5000), [256, 256, 3], 3).count).toBe(341);
    expect(seededSample(fake(12), [32, 32, 3], 3).count).toBe(12);
  });
});
