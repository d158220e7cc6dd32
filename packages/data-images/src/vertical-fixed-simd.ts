import type { AxisTaps } from './axis-taps';
import { VERTICAL_FIXED_WASM } from './vertical-fixed-wasm';

/** The exports of wasm/vertical-fixed.wat. */
interface VerticalWasm {
  memory: WebAssembly.Memory;
  vertical(src: number, rowLen: number, outH: number, start: number, count: number, k: number, stride: number, out: number): void;
  verticalFloat(src: number, rowLen: number, outH: number, start: number, count: number, w: number, stride: number, out: number): void;
}

let instance: VerticalWasm | null | undefined;
let enabled = true;

/** The module, compiled on first use (about 1 KB, so synchronously, in browsers too); null without WebAssembly SIMD. */
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
/** The module's memory grows to at most this (a pass needing more runs in JavaScript). */
const MAX_MEMORY_BYTES = 32 * 2 ** 20;

/**
 * Pillow's vertical 8-bit pass in WebAssembly SIMD (16 values per step, the same integer
 * sums): taps, weights and the rows it reads are copied into the module's memory, the
 * result copied out. Returns false (nothing done) where WebAssembly SIMD is unavailable.
 */
export function verticalFixedSimd(src: Uint8Array, rowLen: number, taps: AxisTaps, k: Int32Array, out: Uint8Array): boolean {
  const wasm = enabled ? load() : null;
  if (!wasm) return false;
  const at = layout(wasm, rowLen, taps, k.length * 4, 1);
  if (!at) return false;
  const { mem, srcAt, outAt, countAt, kAt, rows } = at;
  new Int32Array(mem, kAt, k.length).set(k);
  new Uint8Array(mem, srcAt, rows * rowLen).set(src.subarray(0, rows * rowLen));
  wasm.vertical(srcAt, rowLen, taps.start.length, 0, countAt, kAt, taps.stride, outAt);
  out.set(new Uint8Array(mem, outAt, taps.start.length * rowLen));
  return true;
}

/**
 * TF's vertical float pass in WebAssembly SIMD (two doubles per lane pair, the same IEEE
 * operations in the same order as the JS loop, float32 store, round half up, clip), from
 * float32 rows to uint8. Returns false where WebAssembly SIMD is unavailable.
 */
export function verticalFloatSimd(src: Float32Array, rowLen: number, taps: AxisTaps, out: Uint8Array): boolean {
  const wasm = enabled ? load() : null;
  if (!wasm) return false;
  const at = layout(wasm, rowLen, taps, taps.weights.length * 8, 4);
  if (!at) return false;
  const { mem, srcAt, outAt, countAt, kAt, rows } = at;
  new Float64Array(mem, kAt, taps.weights.length).set(taps.weights);
  new Float32Array(mem, srcAt, rows * rowLen).set(src.subarray(0, rows * rowLen));
  wasm.verticalFloat(srcAt, rowLen, taps.start.length, 0, countAt, kAt, taps.stride, outAt);
  out.set(new Uint8Array(mem, outAt, taps.start.length * rowLen));
  return true;
}

/** Module memory: [start i32s][count i32s][weights][rows read][output], grown as needed (up to {@link MAX_MEMORY_BYTES}; undefined beyond); taps copied in. */
function layout(wasm: VerticalWasm, rowLen: number, taps: AxisTaps, weightBytes: number, srcBytes: number) {
  const outH = taps.start.length;
  let rows = 0;
  for (let o = 0; o < outH; o++) rows = Math.max(rows, taps.start[o] + taps.count[o]);
  const countAt = outH * 4;
  const kAt = align16(countAt + outH * 4);
  const srcAt = align16(kAt + weightBytes);
  const outAt = align16(srcAt + rows * rowLen * srcBytes);
  const end = outAt + outH * rowLen;
  // WebAssembly memory never shrinks: large images take the JavaScript pass instead.
  if (end > MAX_MEMORY_BYTES) return undefined;
  const have = wasm.memory.buffer.byteLength;
  if (end > have) wasm.memory.grow(Math.ceil((end - have) / 65536));
  const mem = wasm.memory.buffer;
  new Int32Array(mem, 0, outH).set(taps.start);
  new Int32Array(mem, countAt, outH).set(taps.count);
  return { mem, srcAt, outAt, countAt, kAt, rows };
}
