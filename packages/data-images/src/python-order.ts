/** Python's `str` ordering (by code point), which `sorted()` in Keras uses; JS's `<` compares UTF-16 units. */
export function comparePython(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral code point) sorts above every BMP character.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export const sortedPython = (items: Iterable<string>): string[] => [...items].sort(comparePython);

/** keras_preprocessing's `DirectoryIterator.white_list_formats` (tested with `endswith`, no dot). */
export const KERAS_PREPROCESSING_FORMATS = ['png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff'] as const;
/** Keras 3's `image_dataset_utils.ALLOWLIST_FORMATS`. */
export const KERAS3_FORMATS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png'] as const;

/** Whether Keras lists a file by its name (`fname.lower().endswith(formats)`). */
export function hasImageExtension(name: string, style: 'keras-preprocessing' | 'keras3'): boolean {
  const lower = name.toLowerCase();
  const formats: readonly string[] = style === 'keras3' ? KERAS3_FORMATS : KERAS_PREPROCESSING_FORMATS;
  return formats.some((f) => lower.endsWith(f));
}
