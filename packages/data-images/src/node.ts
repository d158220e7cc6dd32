// Node-only entry: file-system listing, sharp decoding, the on-disk cache.
export { imageFolderReader, type NodeImageReaderOptions, type NodeImageFolderReader } from './node/reader';
export { listImageFolder } from './node/list-folder';
export { decodeFile, BadImage, MAX_IMAGE_PIXELS } from './node/decode-file';
export { defaultImageCacheDir } from './node/cache-dir';
export { PixelCache } from './node/pixel-cache';
export { imageDatasetFromDirectory } from './node/image-dataset';
export { imageFolderDataset } from './node/plugin';
