import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDatasetConformance } from '@tfbricks/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../../../vitest.shared';
import { makeFiles, writeFolder } from '../../test/fixtures';
import { cifar10Dataset, cifar100Dataset, datasetInfo } from './plugin';
import { loadCifar10 } from './load';
import { CIFAR10_SPEC, CIFAR100_SPEC, IMAGE_BYTES } from '../spec';

const tmp = mkdtempSync(join(tmpdir(), 'tfb-cifar-plugin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dir10 = writeFolder(join(tmp, 'c10'), makeFiles(CIFAR10_SPEC, { train: 100, test: 20 }, 21));
const dir100 = writeFolder(join(tmp, 'c100'), makeFiles(CIFAR100_SPEC, { train: 60, test: 15 }, 22));
const miniDir = join(sharedDir, 'data/cifar10-mini/cifar-10-batches-bin');
const mini = existsSync(join(miniDir, 'data_batch_1.bin'));

describe('cifar10Dataset (synthetic folder, 20% validation)', () => {
  describeDatasetConformance(() => cifar10Dataset({ dataDir: dir10, validationSplit: 0.2, validationSeed: 1 }), {
    expectedSizes: { train: 80, validation: 20, test: 20 },
    numClasses: 10,
  });
});

describe('cifar100Dataset (synthetic folder, coarse labels, limit)', () => {
  describeDatasetConformance(() => cifar100Dataset({ dataDir: dir100, labelMode: 'coarse', limit: { train: 50 } }), {
    expectedSizes: { train: 50, test: 15 },
    numClasses: 20,
    batchSize: 8,
  });
});

describe('cifar10Dataset (cifar10-mini)', () => {
  describeDatasetConformance(() => cifar10Dataset({ dataDir: miniDir, limit: 600 }), {
    expectedSizes: { train: 600, test: 600 },
    batchSize: 64,
    skip: mini ? undefined : `cifar10-mini not found at ${miniDir}`,
  });
});

describe('cifar10Dataset details', () => {
  it('carves validation deterministically from train, disjoint, covering train', async () => {
    const a = cifar10Dataset({ dataDir: dir10, validationSplit: 0.25, validationSeed: 4 });
    const b = cifar10Dataset({ dataDir: dir10, validationSplit: 0.25, validationSeed: 4 });
    const c = cifar10Dataset({ dataDir: dir10, validationSplit: 0.25, validationSeed: 5 });
    await Promise.all([a.prepare(), b.prepare(), c.prepare()]);
    expect(a.splits).toEqual(['train', 'validation', 'test']);
    const all = a.data().train;
    const firstPixels = (p: typeof a, split: string) => {
      const out: number[] = [];
      for (const batch of p.batches(split, { batchSize: 1000, shuffle: false })) {
        for (let k = 0; k < batch.size; k++) out.push(batch.images[k * IMAGE_BYTES] * 256 + batch.images[k * IMAGE_BYTES + 1]);
      }
      return out;
    };
    const key = (i: number) => all.images[i * IMAGE_BYTES] * 256 + all.images[i * IMAGE_BYTES + 1];
    const va = firstPixels(a, 'validation');
    expect(va).toEqual(firstPixels(b, 'validation'));
    expect(va).not.toEqual(firstPixels(c, 'validation'));
    expect(va.length).toBe(25);
    const ta = firstPixels(a, 'train');
    expect(ta.length).toBe(75);
    expect(new Set([...va, ...ta])).toEqual(new Set(Array.from({ length: 100 }, (_, i) => key(i))));
  });

  it('limits splits for smoke runs and describes counts per class', async () => {
    const p = cifar10Dataset({ dataDir: dir10, limit: { train: 30, test: 5 } });
    await p.prepare();
    expect(p.size('train')).toBe(30);
    expect(p.size('test')).toBe(5);
    const info = p.info();
    expect(info.splits.train.classCounts.reduce((x, y) => x + y, 0)).toBe(30);
    expect(info.splits.test.size).toBe(5);
    // makeFiles gives train labels 0,1,2,… (record index mod 10)
    expect(info.splits.train.classCounts).toEqual(new Array(10).fill(3));
    const full = datasetInfo(await loadCifar10({ dataDir: dir10 }));
    expect(full.splits.train.classCounts).toEqual(new Array(10).fill(10));
    expect(full.splits.test.classCounts).toEqual(new Array(10).fill(2));
  });

  it('defaults to shuffling train only, and returns views (no copies) for natural order', async () => {
    const p = cifar10Dataset({ dataDir: dir10 });
    await p.prepare();
    const [t] = p.batches('train', { batchSize: 100 });
    expect([...t.indices]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const [s] = p.batches('test', { batchSize: 20 });
    expect([...s.indices]).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(s.images.buffer).toBe(p.data().test.images.buffer);
  });

  it('errors clearly before prepare, for bad options and for a validation split without validationSplit', async () => {
    const p = cifar10Dataset({ dataDir: dir10 });
    expect(() => p.size('train')).toThrow(/call prepare\(\)/);
    await p.prepare();
    expect(() => p.size('validation')).toThrow(/no split 'validation'; allowed: train, test/);
    expect(() => cifar10Dataset({ validationSplit: 1.5 })).toThrow(/validationSplit must be a number in \[0, 1\)/);
    expect(() => cifar10Dataset({ limit: 0 })).toThrow(/limit must be a positive integer/);
    expect(() => cifar10Dataset({ limit: { val: 3 } as never })).toThrow(/unknown split 'val'/);
    expect(() => cifar10Dataset({ bogus: 1 } as never)).toThrow(/unknown cifar10 option 'bogus'/);
    const missing = cifar10Dataset({ dataDir: join(tmp, 'nope') });
    await expect(missing.prepare()).rejects.toMatchObject({ code: 'E_DATASET_MISSING' });
  });
});

if (!mini) console.info(`[skip] cifar10-mini not found at ${miniDir}`);
