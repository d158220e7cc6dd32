import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../../../vitest.shared';
import { makeFiles, writeFolder } from '../../test/fixtures';
import { loadCifar10, loadCifar100 } from './load';
import { CIFAR10_SPEC, CIFAR100_SPEC, IMAGE_BYTES, recordBytes } from '../spec';

const tmp = mkdtempSync(join(tmpdir(), 'tfb-cifar-folder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const miniDir = join(sharedDir, 'data/cifar10-mini/cifar-10-batches-bin');

function expectNhwc(images: Uint8Array, outIndex: number, planar: Buffer, offset: number): void {
  for (let p = 0; p < 1024; p += 37) {
    for (let c = 0; c < 3; c++) expect(images[outIndex * IMAGE_BYTES + p * 3 + c]).toBe(planar[offset + c * 1024 + p]);
  }
}

describe('loadCifar10({ dataDir })', () => {
  const files = makeFiles(CIFAR10_SPEC, { train: 100, test: 20 });
  const dir = writeFolder(join(tmp, 'c10'), files);

  it('loads every batch in order into NHWC uint8 with labels', async () => {
    const data = await loadCifar10({ dataDir: dir });
    expect(data.train.images.length).toBe(100 * IMAGE_BYTES);
    expect(data.train.labels.length).toBe(100);
    expect(data.test.labels.length).toBe(20);
    expect(data.classNames[0]).toBe('airplane');
    expect(data.classNames[9]).toBe('truck');
    expect(data.imageShape).toEqual([32, 32, 3]);
    expect(data.source.kind).toBe('dataDir');
    const rb = recordBytes(CIFAR10_SPEC);
    // record 3 of data_batch_2 is train record 23
    const batch2 = files.get('data_batch_2.bin')!;
    expect(data.train.labels[23]).toBe(batch2[3 * rb]);
    expectNhwc(data.train.images, 23, batch2, 3 * rb + 1);
    const test = files.get('test_batch.bin')!;
    expect(data.test.labels[19]).toBe(test[19 * rb]);
    expectNhwc(data.test.images, 19, test, 19 * rb + 1);
  });

  it('accepts any whole number of records per file, but exact counts only when asked', async () => {
    await expect(loadCifar10({ dataDir: dir, strictSizes: true })).rejects.toThrow(/data_batch_1\.bin is 61460 bytes; expected exactly 30730000 \(10000 records of 3073 bytes\)/);
    const exact = await loadCifar10({ dataDir: dir, records: { train: 100, test: 20 } });
    expect(exact.train.labels.length).toBe(100);
    await expect(loadCifar10({ dataDir: dir, records: { train: 50, test: 20 } })).rejects.toMatchObject({ code: 'E_DATASET_FORMAT' });
  });

  it('rejects a partial record, a missing file and an out-of-range label, naming them', async () => {
    const bad = writeFolder(join(tmp, 'partial'), files);
    truncateSync(join(bad, 'data_batch_4.bin'), 3073 * 20 - 5);
    await expect(loadCifar10({ dataDir: bad })).rejects.toThrow(/data_batch_4\.bin is 61455 bytes; allowed: a positive whole number of 3073-byte CIFAR-10 records/);

    const missing = writeFolder(join(tmp, 'missing'), new Map([...files].filter(([n]) => n !== 'test_batch.bin')));
    await expect(loadCifar10({ dataDir: missing })).rejects.toMatchObject({ code: 'E_DATASET_MISSING', message: expect.stringContaining('test_batch.bin') });

    const labels = writeFolder(join(tmp, 'labels'), files);
    const b3 = Buffer.from(files.get('data_batch_3.bin')!);
    b3[7 * 3073] = 10;
    writeFileSync(join(labels, 'data_batch_3.bin'), b3);
    await expect(loadCifar10({ dataDir: labels })).rejects.toThrow(/data_batch_3\.bin: record 7 has label byte 10; allowed: 0–9/);
  });

  it('validates options with usage errors', async () => {
    await expect(loadCifar10({ dataDir: dir, archive: 'x.tar.gz' })).rejects.toMatchObject({ code: 'E_USAGE', usage: true });
    await expect(loadCifar10({ url: 'https://example.org/c.tgz' })).rejects.toThrow(/needs option sha256/);
    await expect(loadCifar10({ url: 'ftp://example.org/c.tgz', sha256: 'a'.repeat(64) })).rejects.toThrow(/http\(s\) URL/);
    await expect(loadCifar10({ sha256: 'xyz' })).rejects.toThrow(/64 hex digits/);
    await expect(loadCifar10({ records: { train: 7, test: 1 } })).rejects.toThrow(/records\.train must be a positive integer divisible by 5/);
    await expect(loadCifar10({ progress: 'fancy' as never })).rejects.toThrow(/'auto', 'bar', 'lines' or false/);
    await expect(loadCifar10({ labelMode: 'fine' } as never)).rejects.toThrow(/unknown cifar10 option 'labelMode'/);
    await expect(loadCifar100({ labelMode: 'medium' as never })).rejects.toThrow(/labelMode must be 'fine' or 'coarse'/);
  });

  it('reports parse progress to onProgress and prints nothing by default', async () => {
    const events: { phase: string; done: number; total?: number; finished: boolean }[] = [];
    await loadCifar10({ dataDir: dir, onProgress: (e) => events.push(e) });
    const last = events.at(-1)!;
    expect(last.phase).toBe('parse');
    expect(last.finished).toBe(true);
    expect(last.done).toBe(120 * 3073);
    expect(last.total).toBe(120 * 3073);
  });
});

describe('loadCifar100({ dataDir })', () => {
  const files = makeFiles(CIFAR100_SPEC, { train: 40, test: 10 });
  const dir = writeFolder(join(tmp, 'c100'), files);

  it('returns fine labels by default and coarse on request', async () => {
    const fine = await loadCifar100({ dataDir: dir });
    const coarse = await loadCifar100({ dataDir: dir, labelMode: 'coarse' });
    const train = files.get('train.bin')!;
    const rb = recordBytes(CIFAR100_SPEC);
    expect(fine.classNames.length).toBe(100);
    expect(coarse.classNames.length).toBe(20);
    expect(fine.labelMode).toBe('fine');
    for (const r of [0, 13, 39]) {
      expect(coarse.train.labels[r]).toBe(train[r * rb]);
      expect(fine.train.labels[r]).toBe(train[r * rb + 1]);
    }
    expectNhwc(fine.train.images, 13, train, 13 * rb + 2);
    expect(fine.test.labels.length).toBe(10);
  });

  it('rejects a coarse label byte of 20', async () => {
    const bad = writeFolder(join(tmp, 'c100bad'), files);
    const t = Buffer.from(files.get('test.bin')!);
    t[4 * 3074] = 20;
    writeFileSync(join(bad, 'test.bin'), t);
    await expect(loadCifar100({ dataDir: bad })).rejects.toThrow(/test\.bin: record 4 has coarse label byte 20; allowed: 0–19/);
  });
});

describe('cifar10-mini (../shared/data/cifar10-mini)', () => {
  const present = existsSync(join(miniDir, 'data_batch_1.bin'));
  if (!present) console.info(`[skip] cifar10-mini not found at ${miniDir}; mini checks skipped`);
  it.skipIf(!present)('parses 1,000-record batches: 500 per class in train, 100 in test, NHWC against the planar bytes', async () => {
    const data = await loadCifar10({ dataDir: miniDir });
    expect(data.train.labels.length).toBe(5000);
    expect(data.test.labels.length).toBe(1000);
    const count = (labels: Uint8Array) => {
      const c = new Array(10).fill(0);
      for (const l of labels) c[l]++;
      return c;
    };
    expect(count(data.train.labels)).toEqual(new Array(10).fill(500));
    expect(count(data.test.labels)).toEqual(new Array(10).fill(100));
    const raw = readFileSync(join(miniDir, 'data_batch_5.bin'));
    for (const r of [0, 499, 999]) {
      expect(data.train.labels[4000 + r]).toBe(raw[r * 3073]);
      const full = Buffer.alloc(IMAGE_BYTES);
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) full[p * 3 + c] = raw[r * 3073 + 1 + c * 1024 + p];
      expect(Buffer.from(data.train.images.subarray((4000 + r) * IMAGE_BYTES, (4001 + r) * IMAGE_BYTES))).toEqual(full);
    }
    await expect(loadCifar10({ dataDir: miniDir, strictSizes: true })).rejects.toMatchObject({ code: 'E_DATASET_FORMAT' });
  });
});
