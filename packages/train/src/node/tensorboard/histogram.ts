import type { HistogramData } from './proto';

/**
 * A histogram like `tf.summary.histogram` (TF 2): `buckets` equal-width buckets spanning
 * [min, max]; `bucketLimit[i]` is bucket i's right edge. All-equal values get one bucket
 * of width 1 centred on the value. Non-finite values are skipped.
 */
export function histogram(values: ArrayLike<number>, buckets = 30): HistogramData {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  let num = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
    num++;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  if (min === max) return { min, max, num, sum, sumSquares, bucketLimit: [min + 0.5], bucket: [num] };
  const width = (max - min) / buckets;
  const counts = new Array<number>(buckets).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(buckets - 1, Math.floor((v - min) / width))]++;
  }
  const bucketLimit = counts.map((_, i) => (i === buckets - 1 ? max : min + (i + 1) * width));
  return { min, max, num, sum, sumSquares, bucketLimit, bucket: counts };
}
