import type { ImageFileEntry, ImageFolderReader } from '@tfbricks/core';
import { badImagesError, usageError } from '@tfbricks/core';
import { ImageFolderDataset } from './image-batches';
import { type ImageDatasetOptions, resolveImageDatasetOptions } from './image-dataset-options';
import { keras3Shuffle, keras3Subset } from './keras-split';
import { KERAS3_FORMATS, comparePython } from './python-order';

/**
 * Keras 3's `image_dataset_from_directory` on a given {@link ImageFolderReader}: the same
 * class order, file order, shuffle (numpy's RandomState(seed)) and subset split, so a seed
 * puts the same files in training and validation as in Keras; images decoded and resized
 * as `tf.image.resize` does. Bad files are listed all at once (or skipped and counted).
 * Resolves to one dataset, or `[training, validation]` for `subset: 'both'`.
 */
export async function imageDatasetFromDirectoryWith(
  reader: ImageFolderReader,
  directory: string,
  options: ImageDatasetOptions = {},
): Promise<ImageFolderDataset | [ImageFolderDataset, ImageFolderDataset]> {
  const o = resolveImageDatasetOptions(options);
  const print = options.verbose === false ? () => {} : (options.print ?? ((line: string) => console.log(line)));
  const inferred = o.labels === 'inferred';
  const listing = await reader.list(directory, { style: 'keras3', classes: o.classNames, inferLabels: inferred, followLinks: o.followLinks });
  let files: ImageFileEntry[] = listing.files;
  let labels: number[] | null = null;
  let classNames: string[] | null = inferred ? listing.classNames : null;
  if (inferred) labels = files.map((f) => f.classIndex);
  else if (Array.isArray(o.labels)) {
    // Explicit labels follow the alphanumeric order of the file paths.
    if (o.labels.length !== files.length) {
      throw usageError('E_IMAGE_OPTION', `Expected the lengths of \`labels\` to match the number of files in the target directory. len(labels) is ${o.labels.length} while we found ${files.length} files in directory ${directory}.`);
    }
    labels = [...o.labels];
    classNames = [...new Set(labels)].sort((a, b) => a - b).map(String);
  }
  if (labels === null) print(`Found ${files.length} files.`);
  else print(`Found ${files.length} files belonging to ${classNames!.length} classes.`);
  if (o.labelMode === 'binary' && classNames?.length !== 2) {
    throw usageError('E_IMAGE_OPTION', `When passing \`labelMode: 'binary'\`, there must be exactly 2 classNames. Received: classNames=${JSON.stringify(classNames)}`);
  }
  let rows = files.map((file, i) => ({ file, label: labels ? labels[i] : 0 }));
  if (o.shuffle) rows = keras3Shuffle(rows, o.seed);
  const subsets = o.subset === 'both' ? (['training', 'validation'] as const) : o.subset ? [o.subset] : [undefined];
  const picked = subsets.map((subset) => {
    if (!subset) return rows;
    const part = keras3Subset(rows, o.validationSplit, subset);
    print(`Using ${part.length} files for ${subset}.`);
    if (!part.length) throw usageError('E_IMAGE_EMPTY', `No ${subset} images found in directory ${directory}. Allowed formats: ${KERAS3_FORMATS.join(', ')}`, 'add images, or use a validationSplit that leaves images in both subsets');
    return part;
  });
  if (!picked[0].length) throw usageError('E_IMAGE_EMPTY', `No images found in directory ${directory}. Allowed formats: ${KERAS3_FORMATS.join(', ')}`, 'put images in class subfolders');

  const decode = { size: o.imageSize, colorMode: o.colorMode, family: 'tf' as const, interpolation: o.interpolation, aspect: o.aspect };
  const all = picked.flat().map((r) => r.file);
  const prepared = await reader.prepare(all, decode);
  // Reported in listing order (the subsets above are shuffled).
  const listed = new Map(listing.files.map((f, i) => [f.path, i]));
  const bad = [...listing.bad, ...[...prepared.bad].sort((a, b) => (listed.get(a.path) ?? 0) - (listed.get(b.path) ?? 0))];
  if (bad.length && !options.skipBadImages) throw badImagesError(bad, directory, 'fix or remove these files, or pass skipBadImages: true to leave them out');
  if (bad.length) print(`Skipped ${bad.length} bad image file${bad.length === 1 ? '' : 's'}.`);
  const badPaths = new Set(prepared.bad.map((b) => b.path));
  const datasets = picked.map((part, k) => {
    const kept = part.filter((r) => !badPaths.has(r.file.path));
    return new ImageFolderDataset({
      files: kept.map((r) => r.file),
      labels: labels ? kept.map((r) => r.label) : null,
      classNames,
      labelMode: o.labelMode,
      reader,
      decode,
      batchSize: o.batchSize,
      // Keras shuffles the training data each epoch; the validation half of 'both' is not shuffled.
      shuffle: o.shuffle && !(o.subset === 'both' && k === 1),
      seed: o.seed,
    });
  });
  return o.subset === 'both' ? [datasets[0], datasets[1]] : datasets[0];
}

/** Sorted `relativePath`s, for callers that need Keras' `labels` order. */
export const sortedRelativePaths = (files: readonly ImageFileEntry[]) => files.map((f) => f.relativePath).sort(comparePython);
