/**
 * `n` deterministic values in [-1, 1) from a small LCG seeded with `seed` (no dependence on tf's
 * RNG), for test inputs in Node and in a page alike. Seed 0 is taken as 1.
 */
export function lcgValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
