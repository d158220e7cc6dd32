import { NumpyRandomState } from '@tfbricks/core';

/**
 * Keras 3's `index_directory` shuffle: `RandomState(seed).shuffle(file_paths)` and the
 * same for labels, i.e. one permutation applied to both (here: to the entries).
 */
export function keras3Shuffle<T>(items: readonly T[], seed: number): T[] {
  return new NumpyRandomState(seed).shuffle([...items]);
}

/**
 * Keras 3's `get_training_or_validation_split`: the LAST `int(split × n)` samples
 * (after the shuffle) are validation, the rest training.
 */
export function keras3Subset<T>(items: readonly T[], validationSplit: number, subset: 'training' | 'validation'): T[] {
  const numVal = Math.trunc(validationSplit * items.length);
  if (subset === 'validation') return numVal === 0 ? [] : items.slice(items.length - numVal);
  // Python's samples[:-0] is empty: with no validation sample Keras trains on nothing (and raises).
  return numVal === 0 ? [] : items.slice(0, items.length - numVal);
}

