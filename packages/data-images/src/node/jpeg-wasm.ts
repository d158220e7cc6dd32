import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { jpegSize } from '../image-header';
import type { Pixels } from '../resize';

type Decode = (buffer: ArrayBuffer) => Promise<{ data: Uint8ClampedArray; width: number; height: number }>;
let decoder: Promise<Decode> | undefined;

/**
 * mozjpeg compiled to WebAssembly (`@jsquash/jpeg`, from Squoosh): for small JPEGs it
 * decodes several times faster than a libvips pipeline (no per-image thread hop), with
 * libjpeg-turbo's integer IDCT and fancy upsampling. Loaded on first use.
 */
function loadDecoder(): Promise<Decode> {
  decoder ??= (async () => {
    const require = createRequire(import.meta.url);
    const decodeJs = require.resolve('@jsquash/jpeg/decode.js');
    const wasmPath = require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
    const mod = (await import(decodeJs)) as { init(module: WebAssembly.Module): Promise<void>; default: Decode };
    await mod.init(await WebAssembly.compile(await readFile(wasmPath)));
    return mod.default;
  })();
  return decoder;
}

/** The file ends with the EOI marker (allowing trailing padding), i.e. is not cut short. */
function endsWithEoi(b: Uint8Array): boolean {
  let end = b.length;
  while (end > 2 && (b[end - 1] === 0 || b[end - 1] === 0x0a || b[end - 1] === 0x20)) end--;
  return b[end - 2] === 0xff && b[end - 1] === 0xd9;
}

/** Small, complete, plain (1 or 3 component) JPEGs go through the wasm decoder. */
export const WASM_JPEG_MAX_PIXELS = 4_194_304;

export function wasmCanDecode(b: Uint8Array, maxPixels: number): boolean {
  const size = jpegSize(b);
  return !!size && size.width > 0 && size.height > 0 && (size.components === 1 || size.components === 3) && size.width * size.height <= Math.min(maxPixels, WASM_JPEG_MAX_PIXELS) && endsWithEoi(b);
}

/** Decode with mozjpeg-wasm to RGB (the decoder hands over RGBA; JPEG has no alpha). */
export async function decodeJpegWasm(bytes: Uint8Array): Promise<Pixels> {
  const decode = await loadDecoder();
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const img = await decode(ab);
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  const src = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    data[i * 3] = src[j];
    data[i * 3 + 1] = src[j + 1];
    data[i * 3 + 2] = src[j + 2];
  }
  return { data, width: img.width, height: img.height, channels: 3 };
}
