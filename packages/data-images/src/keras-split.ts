import { TfbricksError } from '@tfbricks/core';
import { NumpyRandomState } from './numpy-random';

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

/**
 * keras_preprocessing's per-class split (`_list_valid_filenames_in_directory`): the FIRST
 * `int(split × n)` files of each class (in listing order) are validation, the rest training.
 */
export function kerasPreprocessingSubset<T extends { classIndex: number }>(items: readonly T[], validationSplit: number, subset: 'training' | 'validation'): T[] {
  const byClass = new Map<number, T[]>();
  for (const item of items) {
    let list = byClass.get(item.classIndex);
    if (!list) byClass.set(item.classIndex, (list = []));
    list.push(item);
  }
  const out: T[] = [];
  for (const list of byClass.values()) {
    const cut = Math.trunc(validationSplit * list.length);
    out.push(...(subset === 'validation' ? list.slice(0, cut) : list.slice(cut)));
  }
  return out;
}

/** A usage error that names every bad file (all of them, one per line). */
export function badImagesError(bad: readonly { path: string; reason: string }[], hint: string): TfbricksError {
  const lines = bad.map((b) => `  ${b.path}: ${b.reason}`);
  return new TfbricksError('E_IMAGE_BAD', `${bad.length} bad image file${bad.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, {
    hint,
    usage: true,
    details: { bad },
  });
}
