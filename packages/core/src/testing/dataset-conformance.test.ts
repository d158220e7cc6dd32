import type { BatchOptions, DatasetPlugin, RawBatch } from '../dataset';
import { TfbricksError } from '../errors';
import { Rng } from '../random';
import { describeDatasetConformance } from './dataset-conformance';

/** A tiny in-memory dataset (2×2×1 images whose first byte is the record index). */
function memoryDataset(sizes: Record<string, number>): DatasetPlugin {
  let ready = false;
  const need = (split: string) => {
    if (!ready) throw new TfbricksError('E_DATASET_NOT_PREPARED', 'call prepare() first');
    if (!(split in sizes)) throw new TfbricksError('E_USAGE', `no split '${split}'`, { usage: true });
    return sizes[split];
  };
  return {
    name: 'memory',
    imageShape: [2, 2, 1],
    classNames: ['a', 'b', 'c'],
    splits: Object.keys(sizes),
    async prepare() {
      ready = true;
    },
    size: need,
    batches(split: string, o: BatchOptions): Iterable<RawBatch> {
      const n = need(split);
      if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new TfbricksError('E_USAGE', `batchSize ${o.batchSize}`, { usage: true });
      if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new TfbricksError('E_USAGE', `seed ${o.seed}`, { usage: true });
      const order = o.shuffle ? new Rng(o.seed ?? 0).permutation(n) : Uint32Array.from({ length: n }, (_, i) => i);
      return {
        *[Symbol.iterator]() {
          for (let start = 0; start < n; start += o.batchSize) {
            const indices = order.slice(start, start + o.batchSize);
            if (o.dropRemainder && indices.length < o.batchSize) return;
            const images = new Uint8Array(indices.length * 4);
            indices.forEach((idx, k) => (images[k * 4] = idx & 0xff));
            yield { images, labels: Uint8Array.from(indices, (idx) => idx % 3), indices, size: indices.length };
          }
        },
      };
    },
  };
}

describeDatasetConformance(() => memoryDataset({ train: 30, test: 9 }), { expectedSizes: { train: 30, test: 9 }, batchSize: 4 });
describeDatasetConformance(() => memoryDataset({ train: 5 }), { skip: 'demonstrates the skip path' });
