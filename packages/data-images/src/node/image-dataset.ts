import type { ImageFolderReader } from '@tfbricks/core';
import type { ImageFolderDataset } from '../image-batches';
import { imageDatasetFromDirectoryWith } from '../image-dataset';
import type { ImageDatasetOptions } from '../image-dataset-options';
import { type NodeImageReaderOptions, imageFolderReader } from './reader';

/**
 * Keras 3's `image_dataset_from_directory`, reading with the Node reader (sharp + the
 * on-disk cache; `cacheDir`, `concurrency`, `maxPixels` configure it) unless `reader` is given.
 */
export function imageDatasetFromDirectory(
  directory: string,
  options: ImageDatasetOptions & NodeImageReaderOptions & { reader?: ImageFolderReader } = {},
): Promise<ImageFolderDataset | [ImageFolderDataset, ImageFolderDataset]> {
  return imageDatasetFromDirectoryWith(options.reader ?? imageFolderReader(options), directory, options);
}
