// Node-only entry: file-system listing, sharp decoding, the on-disk cache.
export { imageFolderReader, type NodeImageReaderOptions, type NodeImageFolderReader } from './reader';
export { listImageFolder } from './list-folder';
export { decodeFile, decodeImageBytes, BadImage, MAX_IMAGE_PIXELS } from './decode-file';
export { defaultImageCacheDir } from './cache-dir';
export { PixelCache } from './pixel-cache';
export { imageDatasetFromDirectory } from './image-dataset';
export { imageFolderDataset } from './plugin';
export { inspectImageFolder, type ImageFolderInspection } from './inspect';
export { type ImageFolderDatasetOptions, type ImageFolderReport } from './plugin';
