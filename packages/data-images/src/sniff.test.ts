import { describe, expect, it } from 'vitest';
import { sniffFormat } from './sniff';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('sniffFormat: the format from the first bytes', () => {
  it('names each signature, and nothing for other bytes', () => {
    expect(sniffFormat(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('png');
    expect(sniffFormat(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(sniffFormat(new TextEncoder().encode('GIF89a'))).toBe('gif');
    expect(sniffFormat(new TextEncoder().encode('BM'))).toBe('bmp');
    expect(sniffFormat(bytes(0x49, 0x49, 0x2a, 0))).toBe('tiff');
    expect(sniffFormat(bytes(0x4d, 0x4d, 0, 0x2a))).toBe('tiff');
    expect(sniffFormat(new TextEncoder().encode('RIFF\0\0\0\0WEBP'))).toBe('webp');
    expect(sniffFormat(new TextEncoder().encode('P6\n1 1\n255\n'))).toBe('ppm');
    expect(sniffFormat(new TextEncoder().encode('{"not": "an image"}'))).toBeUndefined();
    expect(sniffFormat(bytes())).toBeUndefined();
    // A signature cut short is not one.
    expect(sniffFormat(bytes(0x89, 0x50, 0x4e, 0x47))).toBeUndefined();
    expect(sniffFormat(bytes(0xff, 0xd8))).toBeUndefined();
  });
});
