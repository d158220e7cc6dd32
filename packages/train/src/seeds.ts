/**
 * Seed derivation: every random draw of a training run is a pure function of the run's
 * seed and its position (epoch, step, purpose), so a resumed run repeats the exact draws
 * an uninterrupted run makes.
 */

function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Purposes a seed is derived for (distinct streams). */
export const SeedPurpose = {
  shuffle: 1,
  augment: 2,
  dropout: 3,
  tensorboard: 4,
} as const;

/**
 * A uint32 seed in [1, 2^32) derived from `seed` and the integer parts (purpose, epoch,
 * step, …). Never 0, because tfjs treats a 0 seed as "unseeded".
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = mix32((seed >>> 0) ^ 0x9e3779b9);
  for (const part of parts) {
    h = mix32((h + 0x9e3779b9 + Math.imul(part >>> 0, 0x27d4eb2f)) >>> 0);
  }
  return h === 0 ? 1 : h;
}
