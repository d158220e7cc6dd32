import { describe, expect, it } from 'vitest';
import { bytes, makeRecords } from '../test/fixtures';
import { convertRecords, toPlanar } from './parse';
import { CIFAR10_SPEC, CIFAR100_SPEC, IMAGE_BYTES, recordBytes } from './spec';

const layout10 = { labelBytes: 1, labelLimits: [10], labelNames: ['label'], labelIndex: 0 };

describe('convertRecords', () => {
  it('turns planar R,G,B records into NHWC pixels and labels', () => {
    const n = 3;
    const src = makeRecords(CIFAR10_SPEC, n, 7);
    const images = new Uint8Array(n * IMAGE_BYTES);
    const labels = new Uint8Array(n);
    convertRecords(src, n, layout10, images, labels, 0, 'x.bin', 0);
    const rb = recordBytes(CIFAR10_SPEC);
    for (let r = 0; r < n; r++) {
      expect(labels[r]).toBe(src[r * rb]);
      for (const [y, x, c] of [[0, 0, 0], [0, 1, 1], [5, 31, 2], [31, 31, 0], [17, 3, 1]]) {
        expect(images[r * IMAGE_BYTES + (y * 32 + x) * 3 + c]).toBe(src[r * rb + 1 + c * 1024 + y * 32 + x]);
      }
    }
    // the whole image round-trips through the inverse
    expect(Buffer.from(toPlanar(images.subarray(IMAGE_BYTES, 2 * IMAGE_BYTES)))).toEqual(src.subarray(rb + 1, 2 * rb));
  });

  it('gives the same bytes through the word path and the unaligned byte path', () => {
    const src = makeRecords(CIFAR10_SPEC, 2, 9);
    const aligned = new Uint8Array(2 * IMAGE_BYTES);
    const backing = new Uint8Array(2 * IMAGE_BYTES + 1);
    const unaligned = backing.subarray(1);
    convertRecords(src, 2, layout10, aligned, new Uint8Array(2), 0, 'a', 0);
    convertRecords(src, 2, layout10, unaligned, new Uint8Array(2), 0, 'a', 0);
    expect(Buffer.from(unaligned)).toEqual(Buffer.from(aligned));
  });

  it('names the file and record of an out-of-range label byte', () => {
    const src = makeRecords(CIFAR10_SPEC, 4, 3);
    src[2 * recordBytes(CIFAR10_SPEC)] = 10;
    expect(() => convertRecords(src, 4, layout10, new Uint8Array(4 * IMAGE_BYTES), new Uint8Array(4), 0, '/d/data_batch_2.bin', 100)).toThrow(
      /data_batch_2\.bin: record 102 has label byte 10; allowed: 0–9/,
    );
  });

  it('checks both CIFAR-100 label bytes and picks fine or coarse', () => {
    const src = makeRecords(CIFAR100_SPEC, 2, 5, 0, (i, b) => (b === 0 ? 19 - i : 99 - i));
    const lay = { labelBytes: 2, labelLimits: [20, 100], labelNames: ['coarse label', 'fine label'], labelIndex: 1 };
    const labels = new Uint8Array(2);
    convertRecords(src, 2, lay, new Uint8Array(2 * IMAGE_BYTES), labels, 0, 'train.bin', 0);
    expect([...labels]).toEqual([99, 98]);
    convertRecords(src, 2, { ...lay, labelIndex: 0 }, new Uint8Array(2 * IMAGE_BYTES), labels, 0, 'train.bin', 0);
    expect([...labels]).toEqual([19, 18]);
    src[recordBytes(CIFAR100_SPEC)] = 20;
    expect(() => convertRecords(src, 2, lay, new Uint8Array(2 * IMAGE_BYTES), labels, 0, 'train.bin', 0)).toThrow(
      /train\.bin: record 1 has coarse label byte 20; allowed: 0–19/,
    );
    src[recordBytes(CIFAR100_SPEC)] = 3;
    src[recordBytes(CIFAR100_SPEC) + 1] = 100;
    expect(() => convertRecords(src, 2, lay, new Uint8Array(2 * IMAGE_BYTES), labels, 0, 'train.bin', 0)).toThrow(/record 1 has fine label byte 100; allowed: 0–99/);
  });

  it('fixture bytes are deterministic', () => {
    expect(bytes(8, 1)).toEqual(bytes(8, 1));
    expect(bytes(8, 1)).not.toEqual(bytes(8, 2));
  });
});
