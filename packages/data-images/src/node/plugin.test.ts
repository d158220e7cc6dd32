import { join } from 'node:path';
import { describeDatasetConformance } from '@tfbricks/core/testing';
import { describe } from 'vitest';
import { imageFolderDataset } from './plugin';
import { pixels, tempDir, writeImage } from './test-folders';

const root = tempDir();
const folder = join(root, 'shapes');
const ready = (async () => {
  for (const [k, cls] of ['a', 'b', 'c'].entries()) {
    for (let i = 0; i < 9 + k; i++) await writeImage(join(folder, cls, `${i}.png`), pixels(5, 3, 3, () => 40 * k + i), 5, 3, 3);
  }
})();

describe('imageFolderDataset', () => {
  // 30 images; Keras 3 split 0.2: 24 train, 6 validation.
  describeDatasetConformance(
    async () => {
      await ready;
      return imageFolderDataset(folder, { imageSize: [4, 6], validationSplit: 0.2, seed: 7, cacheDir: join(root, 'cache') });
    },
    { expectedSizes: { train: 24, validation: 6 }, numClasses: 3 },
  );
});
