import { TfbricksError } from '@tfbricks/core';
import { IMAGE_BYTES, IMAGE_HEIGHT, IMAGE_WIDTH } from './spec';

const PLANE = IMAGE_HEIGHT * IMAGE_WIDTH;

/** Where and how to parse a run of records. */
export interface RecordLayout {
  /** Label bytes before the pixels of each record. */
  labelBytes: number;
  /** Exclusive upper bound of each label byte. */
  labelLimits: readonly number[];
  /** Names of the label bytes, for messages. */
  labelNames: readonly string[];
  /** Which label byte goes to the output labels. */
  labelIndex: number;
}

/**
 * Convert `count` planar CIFAR records (label bytes, then the R, G and B planes of 32×32)
 * from `src` into interleaved NHWC pixels and labels. Every label byte is checked against
 * its range; a bad one is an error naming `file` and the record index within the file.
 *
 * The hot loop allocates nothing per record.
 */
export function convertRecords(
  src: Uint8Array,
  count: number,
  layout: RecordLayout,
  images: Uint8Array,
  labels: Uint8Array,
  outIndex: number,
  file: string,
  firstRecordInFile: number,
): void {
  const { labelBytes, labelLimits, labelIndex } = layout;
  const stride = labelBytes + IMAGE_BYTES;
  const words = wordView(images);
  for (let r = 0; r < count; r++) {
    const base = r * stride;
    for (let b = 0; b < labelBytes; b++) {
      const v = src[base + b];
      if (v >= labelLimits[b]) {
        throw new TfbricksError(
          'E_DATASET_FORMAT',
          `${file}: record ${firstRecordInFile + r} has ${layout.labelNames[b]} byte ${v}; allowed: 0–${labelLimits[b] - 1}`,
          {
            hint: 'the file is corrupt or not a CIFAR binary batch of this dataset; re-download it or check the path',
            details: { file, record: firstRecordInFile + r, value: v, max: labelLimits[b] - 1 },
          },
        );
      }
    }
    labels[outIndex + r] = src[base + labelIndex];
    interleave(src, base + labelBytes, images, words, (outIndex + r) * IMAGE_BYTES);
  }
}

/**
 * One image: planes R, G, B of 1,024 bytes → 1,024 RGB triples. With a word view of the
 * destination (4-byte aligned, little-endian), four pixels (12 bytes) are stored as three
 * uint32 words: a quarter of the stores of a byte loop.
 */
function interleave(src: Uint8Array, s: number, dst: Uint8Array, words: Uint32Array | undefined, d: number): void {
  const g = s + PLANE;
  const b = s + 2 * PLANE;
  if (words !== undefined) {
    let w = d >>> 2;
    for (let p = 0; p < PLANE; p += 4) {
      const r0 = src[s + p], r1 = src[s + p + 1], r2 = src[s + p + 2], r3 = src[s + p + 3];
      const g0 = src[g + p], g1 = src[g + p + 1], g2 = src[g + p + 2], g3 = src[g + p + 3];
      const b0 = src[b + p], b1 = src[b + p + 1], b2 = src[b + p + 2], b3 = src[b + p + 3];
      words[w] = r0 | (g0 << 8) | (b0 << 16) | (r1 << 24);
      words[w + 1] = g1 | (b1 << 8) | (r2 << 16) | (g2 << 24);
      words[w + 2] = b2 | (r3 << 8) | (g3 << 16) | (b3 << 24);
      w += 3;
    }
    return;
  }
  for (let p = 0; p < PLANE; p++) {
    dst[d] = src[s + p];
    dst[d + 1] = src[g + p];
    dst[d + 2] = src[b + p];
    d += 3;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A uint32 view of `dst` when word stores are possible (aligned start, little-endian host). */
function wordView(dst: Uint8Array): Uint32Array | undefined {
  if (!LITTLE_ENDIAN || (dst.byteOffset & 3) !== 0) return undefined;
  return new Uint32Array(dst.buffer, dst.byteOffset, dst.length >>> 2);
}

/** The inverse of the conversion (NHWC image → CIFAR planar pixels); for writers and tests. */
export function toPlanar(image: Uint8Array, out: Uint8Array = new Uint8Array(IMAGE_BYTES), offset = 0): Uint8Array {
  for (let p = 0; p < PLANE; p++) {
    out[offset + p] = image[3 * p];
    out[offset + PLANE + p] = image[3 * p + 1];
    out[offset + 2 * PLANE + p] = image[3 * p + 2];
  }
  return out;
}
