/**
 * One axis of a separable resize: for each output index, the source indices it reads and
 * their weights. Both PIL's and TensorFlow's resizes are separable, so a 2-D resize is
 * two lists of taps (rows, columns) and one of the apply functions in `resample.ts`.
 */
export interface AxisTaps {
  /** First source index read by output `o`. */
  start: Int32Array;
  /** Number of source indices read by output `o` (consecutive from `start`). */
  count: Int32Array;
  /** `out × stride` weights; output `o`'s weights start at `o × stride`. */
  weights: Float64Array;
  stride: number;
}

export function makeTaps(out: number, stride: number): AxisTaps {
  return { start: new Int32Array(out), count: new Int32Array(out), weights: new Float64Array(out * stride), stride };
}

/** Taps that read exactly one source index per output (nearest neighbour). */
export function singleTaps(indices: ArrayLike<number>): AxisTaps {
  const taps = makeTaps(indices.length, 1);
  for (let o = 0; o < indices.length; o++) {
    taps.start[o] = indices[o];
    taps.count[o] = 1;
    taps.weights[o] = 1;
  }
  return taps;
}

/**
 * Taps for an arbitrary list of (index, weight) pairs per output; indices need not be
 * consecutive or distinct (TF's clamped cubic taps repeat the edge pixel), so they are
 * folded into a consecutive window by adding weights that land on the same index.
 */
export function tapsFromPairs(pairs: { index: number[]; weight: number[] }[]): AxisTaps {
  let stride = 1;
  const spans = pairs.map(({ index }) => {
    const lo = Math.min(...index);
    const hi = Math.max(...index);
    stride = Math.max(stride, hi - lo + 1);
    return lo;
  });
  const taps = makeTaps(pairs.length, stride);
  pairs.forEach(({ index, weight }, o) => {
    const lo = spans[o];
    taps.start[o] = lo;
    taps.count[o] = Math.max(...index) - lo + 1;
    index.forEach((i, k) => (taps.weights[o * stride + i - lo] += weight[k]));
  });
  return taps;
}

/** Taps are a pure function of (input size, output size, method): computed once and kept, up to this many. */
const MEMO_LIMIT = 256;

/**
 * A small bounded memo for taps (or anything derived from them): a folder of same-size
 * images resizes with the same two tables every time, so they are computed once. The
 * memo is cleared when full, which bounds its memory whatever sizes a folder holds.
 */
export function tapsMemo<T>(): (key: string, make: () => T) => T {
  const memo = new Map<string, T>();
  return (key, make) => {
    let hit = memo.get(key);
    if (hit === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      hit = make();
      memo.set(key, hit);
    }
    return hit;
  };
}
