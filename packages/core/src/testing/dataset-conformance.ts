import { describe, expect, it } from 'vitest';
import type { DatasetPlugin, RawBatch } from '../dataset';
import { isTfbricksError } from '../errors';

export interface DatasetConformanceOptions {
  /** Expected records per split (after `prepare`), e.g. `{ train: 100, test: 20 }`. Splits not named are only checked for consistency. */
  expectedSizes?: Record<string, number>;
  /** Exclusive upper bound of labels (default: `classNames.length`). */
  numClasses?: number;
  /** Batch size used by the checks (default 7: rarely divides a split, so remainders are exercised). */
  batchSize?: number;
  /** Timeout for `prepare()` in ms (default 120,000). */
  prepareTimeoutMs?: number;
  /** When set, the suite is skipped and this reason printed (e.g. data not available here). */
  skip?: string;
}

type Factory = () => DatasetPlugin | Promise<DatasetPlugin>;

function collect(batches: Iterable<RawBatch>): RawBatch[] {
  return [...batches];
}

function order(batches: RawBatch[]): number[] {
  const out: number[] = [];
  for (const b of batches) for (const i of b.indices) out.push(i);
  return out;
}

async function expectUsageError(fn: () => unknown, what: string): Promise<void> {
  let error: unknown;
  try {
    const r = fn();
    // iterate lazily produced iterables, so validation inside a generator also counts
    if (r && typeof (r as Iterable<unknown>)[Symbol.iterator] === 'function') for (const _ of r as Iterable<unknown>) break;
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`${what}: expected a TfbricksError, nothing was thrown`);
  expect(isTfbricksError(error), `${what}: ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toMatch(/^E_[A-Z_]+$/);
}

/**
 * The contract every dataset plugin runs on itself: well-formed metadata, `prepare()`
 * idempotent, every split's sizes, each index exactly once per epoch, seeded shuffles
 * reproducible and seed-dependent, `shuffle: false` in natural order, labels in range,
 * image byte lengths, `dropRemainder`, and clear errors for bad batch options and splits.
 */
export function describeDatasetConformance(factory: Factory, options: DatasetConformanceOptions = {}): void {
  const title = 'dataset conformance';
  if (options.skip) {
    describe.skip(`${title} (skipped: ${options.skip})`, () => {
      it('skipped', () => undefined);
    });
    console.info(`[conformance] dataset suite skipped: ${options.skip}`);
    return;
  }
  describe(title, () => {
    let plugin: DatasetPlugin;
    const batchSize = options.batchSize ?? 7;
    const prepared = async (): Promise<DatasetPlugin> => {
      if (!plugin) {
        plugin = await factory();
        await plugin.prepare();
      }
      return plugin;
    };

    it('is a well-formed plugin object', async () => {
      const p = await factory();
      expect(p.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(p.imageShape.length).toBe(3);
      for (const d of p.imageShape) expect(Number.isInteger(d) && d > 0).toBe(true);
      expect(p.classNames.length).toBeGreaterThan(0);
      for (const c of p.classNames) expect(typeof c === 'string' && c.length > 0).toBe(true);
      expect(new Set(p.classNames).size).toBe(p.classNames.length);
      expect(p.splits.length).toBeGreaterThan(0);
      expect(new Set(p.splits).size).toBe(p.splits.length);
      for (const f of ['prepare', 'size', 'batches'] as const) expect(typeof p[f]).toBe('function');
    });

    it('prepares idempotently (concurrent and repeated calls)', async () => {
      const p = await factory();
      await Promise.all([p.prepare(), p.prepare()]);
      await p.prepare();
      for (const s of p.splits) expect(Number.isInteger(p.size(s))).toBe(true);
    }, options.prepareTimeoutMs ?? 120_000);

    it('reports the expected split sizes and rejects unknown splits', async () => {
      const p = await prepared();
      for (const s of p.splits) {
        const n = p.size(s);
        expect(Number.isInteger(n) && n >= 0, `size(${s}) = ${n}`).toBe(true);
        if (options.expectedSizes?.[s] !== undefined) expect(n, `size of split ${s}`).toBe(options.expectedSizes[s]);
      }
      for (const s of Object.keys(options.expectedSizes ?? {})) expect(p.splits).toContain(s);
      await expectUsageError(() => p.size('no-such-split'), 'size of an unknown split');
      await expectUsageError(() => p.batches('no-such-split', { batchSize }), 'batches of an unknown split');
    }, options.prepareTimeoutMs ?? 120_000);

    it('shuffle: false yields every index once, in natural order, with well-formed batches', async () => {
      const p = await prepared();
      const [h, w, c] = p.imageShape;
      const numClasses = options.numClasses ?? p.classNames.length;
      for (const s of p.splits) {
        const n = p.size(s);
        const bs = collect(p.batches(s, { batchSize, shuffle: false }));
        expect(order(bs)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(bs.length).toBe(Math.ceil(n / batchSize));
        bs.forEach((b, k) => {
          expect(b.size).toBe(k < bs.length - 1 ? batchSize : n - batchSize * (bs.length - 1));
          expect(b.images).toBeInstanceOf(Uint8Array);
          expect(b.images.length).toBe(b.size * h * w * c);
          expect(b.labels.length).toBe(b.size);
          expect(b.indices.length).toBe(b.size);
          for (const l of b.labels) expect(l >= 0 && l < numClasses, `label ${l} in split ${s}`).toBe(true);
        });
      }
    });

    it('shuffled epochs contain every index exactly once, with the same records as natural order', async () => {
      const p = await prepared();
      const [h, w, c] = p.imageShape;
      const bytes = h * w * c;
      for (const s of p.splits) {
        const n = p.size(s);
        const natural = collect(p.batches(s, { batchSize: Math.max(1, n), shuffle: false }))[0];
        const bs = collect(p.batches(s, { batchSize, shuffle: true, seed: 3 }));
        const seen = order(bs);
        expect(seen.length).toBe(n);
        expect(new Set(seen).size).toBe(n);
        for (const i of seen) expect(i >= 0 && i < n).toBe(true);
        // a record keeps its label and pixels whatever the order
        for (const b of bs.slice(0, 3)) {
          for (let k = 0; k < b.size; k++) {
            const i = b.indices[k];
            expect(b.labels[k]).toBe(natural.labels[i]);
            expect(b.images[k * bytes + (bytes >> 1)]).toBe(natural.images[i * bytes + (bytes >> 1)]);
            expect(b.images[k * bytes + bytes - 1]).toBe(natural.images[i * bytes + bytes - 1]);
          }
        }
      }
    });

    it('the same seed gives the same order, different seeds differ, a new pass restarts', async () => {
      const p = await prepared();
      const s = p.splits.reduce((a, b) => (p.size(a) >= p.size(b) ? a : b));
      const n = p.size(s);
      const a = order(collect(p.batches(s, { batchSize, shuffle: true, seed: 11 })));
      const b = order(collect(p.batches(s, { batchSize, shuffle: true, seed: 11 })));
      expect(a).toEqual(b);
      if (n > 3) {
        const other = order(collect(p.batches(s, { batchSize, shuffle: true, seed: 12 })));
        expect(other).not.toEqual(a);
        expect(a).not.toEqual(Array.from({ length: n }, (_, i) => i));
      }
      const iterable = p.batches(s, { batchSize, shuffle: true, seed: 11 });
      expect(order(collect(iterable))).toEqual(a);
      expect(order(collect(iterable))).toEqual(a);
    });

    it('dropRemainder yields only full batches', async () => {
      const p = await prepared();
      for (const s of p.splits) {
        const n = p.size(s);
        for (const shuffle of [false, true]) {
          const bs = collect(p.batches(s, { batchSize, shuffle, seed: 5, dropRemainder: true }));
          expect(bs.length).toBe(Math.floor(n / batchSize));
          for (const b of bs) expect(b.size).toBe(batchSize);
          const seen = order(bs);
          expect(new Set(seen).size).toBe(seen.length);
        }
      }
    });

    it('rejects bad batch options with a TfbricksError', async () => {
      const p = await prepared();
      const s = p.splits[0];
      for (const bad of [0, -1, 1.5, Number.NaN, '8' as unknown as number, undefined as unknown as number]) {
        await expectUsageError(() => p.batches(s, { batchSize: bad }), `batchSize ${String(bad)}`);
      }
      await expectUsageError(() => p.batches(s, { batchSize, shuffle: true, seed: 0.5 }), 'seed 0.5');
    });
  });
}
