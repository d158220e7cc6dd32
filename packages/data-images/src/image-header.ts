/** Image dimensions from the first bytes of a file, to refuse decompression bombs before decoding. */
export interface HeaderSize {
  width: number;
  height: number;
}

/** Width and height from a JPEG's SOF marker, or undefined when none is found in `b`. */
export function jpegSize(b: Uint8Array): (HeaderSize & { components: number }) | undefined {
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const len = (b[p + 2] << 8) | b[p + 3];
    // Baseline / extended / progressive Huffman SOF markers.
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      return { height: (b[p + 5] << 8) | b[p + 6], width: (b[p + 7] << 8) | b[p + 8], components: b[p + 9] };
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    p += 2 + len;
  }
  return undefined;
}

const u32be = (b: Uint8Array, p: number) => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
const u16le = (b: Uint8Array, p: number) => b[p] | (b[p + 1] << 8);
const i32le = (b: Uint8Array, p: number) => b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);

/** PNG (IHDR), GIF (logical screen), BMP (info header) or JPEG (SOF) dimensions; undefined if unknown. */
export function headerSize(b: Uint8Array): HeaderSize | undefined {
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50) return { width: u32be(b, 16), height: u32be(b, 20) };
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return { width: u16le(b, 6), height: u16le(b, 8) };
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) return { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  return undefined;
}
