import type { ImageFolderReader } from '@tfbricks/core';
import type { ImageFolderDataset } from '../image-batches';
import { imageDatasetFromDirectoryWith } from '../image-dataset';
import type { ImageDatasetOptions } from '../image-dataset-options';
import { imageFolderReader } from './reader';

/** Keras 3's `image_dataset_from_directory`, reading with the Node reader (sharp + cache) unless `reader` is given. */
export function imageDatasetFromDirectory(
  directory: string,
  options: ImageDatasetOptions & { reader?: ImageFolderReader } = {},
): Promise<ImageFolderDataset | [ImageFolderDataset, ImageFolderDataset]> {
  return imageDatasetFromDirectoryWith(options.reader ?? imageFolderReader(), directory, options);
}
