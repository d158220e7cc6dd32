// Test helpers: image folders written with an encoder (sharp, bmp-js), in temp dirs.
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

export function tempDir(prefix = 'tfbricks-images-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Solid or patterned RGB(A) pixels: `f(x, y, c)`. */
export function pixels(width: number, height: number, channels: number, f: (x: number, y: number, c: number) => number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = f(x, y, c);
  return data;
}

export async function writeImage(path: string, data: Buffer, width: number, height: number, channels: 1 | 3 | 4, format: 'png' | 'jpeg' | 'gif' = 'png'): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const img = sharp(data, { raw: { width, height, channels } });
  const encoded = format === 'png' ? await img.png().toBuffer() : format === 'jpeg' ? await img.jpeg({ quality: 95 }).toBuffer() : await img.gif().toBuffer();
  writeFileSync(path, encoded);
}

/** A 24-bit BMP written by hand (bottom-up rows, BGR, rows padded to 4 bytes). */
export function writeBmp(path: string, data: Buffer, width: number, height: number): void {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + rowBytes * height);
  out.write('BM', 0);
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = 54 + (height - 1 - y) * rowBytes + x * 3;
      out[d] = data[s + 2];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s];
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, out);
}

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG whose IHDR declares `width × height` but carries almost no data (a decompression bomb header). */
export function writeHugePngHeader(path: string, width: number, height: number): void {
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb));
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]));
}

/** Every path below `dir` with its size and mtime: proves a folder was not modified. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) out.push(`${p} -> link`);
      else if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out.push(`${p} ${s.size} ${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}
