import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasMiniCifar, miniCifar } from '../test/helpers';
import { describeData, loadData } from './data';

const sink = { write: () => true, isTTY: false };
const io = { stdout: sink, stderr: sink, env: {}, cwd: '/' };

describe.skipIf(!hasMiniCifar)('loadData', () => {
  it('takes the first N records and holds out the last fraction for validation, like Keras', async () => {
    const data = await loadData({ dataset: 'cifar10', labelMode: 'fine', dataDir: miniCifar, limitTrain: 100, limitTest: 30, validationSplit: 0.2 }, io);
    expect(data.train.count).toBe(80);
    expect(data.validation?.count).toBe(20);
    expect(data.test.count).toBe(30);
    const raw = readFileSync(join(miniCifar, 'cifar-10-batches-bin/data_batch_1.bin'));
    // record 80 of data_batch_1: label byte, then planar RGB; ours is NHWC.
    const rec = raw.subarray(80 * 3073, 81 * 3073);
    expect(data.validation!.labels[0]).toBe(rec[0]);
    expect(data.validation!.images[0]).toBe(rec[1]);
    expect(data.validation!.images[1]).toBe(rec[1 + 1024]);
    expect(describeData(data)).toEqual(['x_train shape: (80, 32, 32, 3)', '80 train samples', '20 validation samples', '30 test samples']);
  });

  it('accepts the extracted folder itself as well as its parent', async () => {
    const data = await loadData({ dataset: 'cifar10', labelMode: 'fine', dataDir: join(miniCifar, 'cifar-10-batches-bin'), limitTrain: 10, limitTest: 10, validationSplit: 0 }, io);
    expect(data.validation).toBeNull();
    expect(data.train.count).toBe(10);
  });
});
