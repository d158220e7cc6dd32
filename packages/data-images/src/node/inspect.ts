import type { BadImageFile, FolderListingStyle } from '@tfbricks/core';
import { BadImage, MAX_IMAGE_PIXELS, decodeFile } from './decode-file';
import { listImageFolder } from './list-folder';

export interface ImageFolderInspection {
  directory: string;
  classNames: string[];
  /** Image files listed per class (bad ones included). */
  counts: number[];
  /** `"<width>x<height>"` -> how many decodable images have that size, most common first. */
  sizes: [string, number][];
  /** Decoded channel counts (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) -> images. */
  channels: Record<string, number>;
  bad: BadImageFile[];
  files: number;
}

/**
 * Decode every listed image once (no cache, nothing written) and report classes, counts,
 * sizes seen and bad files: what `tfbricks dataset <folder>` prints.
 */
export async function inspectImageFolder(directory: string, options: { style?: FolderListingStyle; followLinks?: boolean; concurrency?: number; maxPixels?: number } = {}): Promise<ImageFolderInspection> {
  const listing = listImageFolder(directory, { style: options.style ?? 'keras3', followLinks: options.followLinks });
  const counts = listing.classNames.map(() => 0);
  for (const f of listing.files) counts[f.classIndex]++;
  const sizes = new Map<string, number>();
  const channels: Record<string, number> = {};
  const bad: BadImageFile[] = [...listing.bad];
  let next = 0;
  const lane = async () => {
    while (next < listing.files.length) {
      const file = listing.files[next++];
      try {
        const px = await decodeFile(file.path, options.maxPixels ?? MAX_IMAGE_PIXELS);
        const key = `${px.width}x${px.height}`;
        sizes.set(key, (sizes.get(key) ?? 0) + 1);
        channels[px.channels] = (channels[px.channels] ?? 0) + 1;
      } catch (error) {
        if (!(error instanceof BadImage)) throw error;
        bad.push({ path: file.path, code: error.code, reason: error.message });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, lane));
  const order = new Map(listing.files.map((f, i) => [f.path, i]));
  bad.sort((a, b) => (order.get(a.path) ?? -1) - (order.get(b.path) ?? -1));
  return {
    directory,
    classNames: listing.classNames,
    counts,
    sizes: [...sizes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    channels,
    bad,
    files: listing.files.length,
  };
}
