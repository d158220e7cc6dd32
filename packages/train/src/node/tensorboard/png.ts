import { PNG } from 'pngjs';

/** Encode `height × width × channels` uint8 pixels (1, 3 or 4 channels) as PNG. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    const src = p * channels;
    const dst = p * 4;
    if (channels === 1) {
      png.data[dst] = png.data[dst + 1] = png.data[dst + 2] = pixels[src];
      png.data[dst + 3] = 255;
    } else {
      png.data[dst] = pixels[src];
      png.data[dst + 1] = pixels[src + 1];
      png.data[dst + 2] = pixels[src + 2];
      png.data[dst + 3] = channels === 4 ? pixels[src + 3] : 255;
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}
