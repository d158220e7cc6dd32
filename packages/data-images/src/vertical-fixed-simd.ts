import type { AxisTaps } from './axis-taps';
import { VERTICAL_FIXED_WASM } from './vertical-fixed-wasm';

/** The exports of wasm/vertical-fixed.wat. */
interface VerticalWasm {
  memory: WebAssembly.Memory;
  vertical(src: number, rowLen: number, outH: number, start: number, count: number, k: number, stride: number, out: number): void;
}

let instance: VerticalWasm | null | undefined;
let enabled = true;

/** The module, compiled on first use (513 bytes, so synchronously, in browsers too); null without WebAssembly SIMD. */
function load(): VerticalWasm | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    if (typeof WebAssembly !== 'object' || typeof atob !== 'function') return null;
    const bytes = Uint8Array.from(atob(VERTICAL_FIXED_WASM), (ch) => ch.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) return null;
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as VerticalWasm;
  } catch {
    instance = null;
  }
  return instance;
}

/** Whether the SIMD pass runs here (WebAssembly SIMD is available and it is not turned off). */
export function simdResampleAvailable(): boolean {
  return enabled && load() !== null;
}

/** Turn the SIMD pass off (tests compare both paths) or back on. */
export function useSimdResample(on: boolean): void {
  enabled = on;
}

const align16 = (n: number) => (n + 15) & ~15;

/**
 * Pillow's vertical 8-bit pass in WebAssembly SIMD (16 values per step, the same integer
 * sums): taps, weights and the rows it reads are copied into the module's memory, the
 * result copied out. Returns false (nothing done) where WebAssembly SIMD is unavailable.
 */
export function verticalFixedSimd(src: Uint8Array, rowLen: number, taps: AxisTaps, k: Int32Array, out: Uint8Array): boolean {
  const wasm = enabled ? load() : null;
  if (!wasm) return false;
  const outH = taps.start.length;
  let rows = 0;
  for (let o = 0; o < outH; o++) rows = Math.max(rows, taps.start[o] + taps.count[o]);
  const countAt = outH * 4;
  const kAt = countAt + outH * 4;
  const srcAt = align16(kAt + k.length * 4);
  const outAt = align16(srcAt + rows * rowLen);
  const end = outAt + outH * rowLen;
  const have = wasm.memory.buffer.byteLength;
  if (end > have) wasm.memory.grow(Math.ceil((end - have) / 65536));
  const mem = wasm.memory.buffer;
  new Int32Array(mem, 0, outH).set(taps.start);
  new Int32Array(mem, countAt, outH).set(taps.count);
  new Int32Array(mem, kAt, k.length).set(k);
  new Uint8Array(mem, srcAt, rows * rowLen).set(src.subarray(0, rows * rowLen));
  wasm.vertical(srcAt, rowLen, outH, 0, countAt, kAt, taps.stride, outAt);
  out.set(new Uint8Array(mem, outAt, outH * rowLen));
  return true;
}
