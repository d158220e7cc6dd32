import { readFile } from 'node:fs/promises';
import v8 from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { startKernelPool } from './kernel-pool';
import { kernelBytes, relaxedSimdSupported } from './kernel-runtime';
import type { ConvKernelExports } from './kernel-runtime';

// Every build of tfbricks' kernel module (shared or plain memory × relaxed-SIMD FMA or mul+add)
// against plain JavaScript definitions, and the worker pool on a shared memory.

beforeAll(() => {
  // Node 20 runs relaxed SIMD behind a flag (the plugin's init() sets it the same way).
  if (!relaxedSimdSupported()) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
});

const PAGE = 65536;

function memoryFor(shared: boolean): WebAssembly.Memory {
  return shared ? new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true }) : new WebAssembly.Memory({ initial: 64 });
}

function instantiate(shared: boolean, fma: boolean): { exports: ConvKernelExports; memory: WebAssembly.Memory; module: WebAssembly.Module } {
  const memory = memoryFor(shared);
  const module = new WebAssembly.Module(kernelBytes(shared, fma));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { exports: instance.exports as unknown as ConvKernelExports, memory, module };
}

/** A bump allocator over the memory; returns byte offsets of filled float arrays. */
function arena(memory: WebAssembly.Memory) {
  let next = 64;
  const f32 = () => new Float32Array(memory.buffer);
  return {
    alloc(n: number, fill?: (i: number) => number): number {
      const at = next;
      next += Math.ceil((n * 4 + 64) / 64) * 64;
      if (next > memory.buffer.byteLength) throw new Error('test arena too small');
      const view = f32();
      for (let i = 0; i < n; i++) view[at / 4 + i] = fill ? fill(i) : 0;
      return at;
    },
    read: (at: number, n: number) => Array.from(f32().subarray(at / 4, at / 4 + n)),
  };
}

interface Geometry {
  N: number;
  H: number;
  W: number;
  Ci: number;
  Co: number;
  K: number;
  s: number;
  pT: number;
  pL: number;
  OH: number;
  OW: number;
}

const geometry = (N: number, H: number, W: number, Ci: number, Co: number, K: number, s: number, pT: number, pL: number): Geometry => ({
  N, H, W, Ci, Co, K, s, pT, pL,
  OH: Math.floor((H + 2 * pT - K) / s) + 1,
  OW: Math.floor((W + 2 * pL - K) / s) + 1,
});

const xAt = (g: Geometry, x: number[], n: number, ih: number, iw: number, ci: number) =>
  ih < 0 || ih >= g.H || iw < 0 || iw >= g.W ? 0 : x[((n * g.H + ih) * g.W + iw) * g.Ci + ci]!;

function referenceFilterGrad(g: Geometry, x: number[], dy: number[]): number[] {
  const dw = new Array<number>(g.K * g.K * g.Ci * g.Co).fill(0);
  for (let kh = 0; kh < g.K; kh++)
    for (let kw = 0; kw < g.K; kw++)
      for (let ci = 0; ci < g.Ci; ci++)
        for (let co = 0; co < g.Co; co++) {
          let sum = 0;
          for (let n = 0; n < g.N; n++)
            for (let oh = 0; oh < g.OH; oh++)
              for (let ow = 0; ow < g.OW; ow++) sum += xAt(g, x, n, oh * g.s - g.pT + kh, ow * g.s - g.pL + kw, ci) * dy[((n * g.OH + oh) * g.OW + ow) * g.Co + co]!;
          dw[((kh * g.K + kw) * g.Ci + ci) * g.Co + co] = sum;
        }
  return dw;
}

function referenceConv(g: Geometry, x: number[], w: number[], bias: number[] | null, relu: boolean): number[] {
  const y: number[] = [];
  for (let n = 0; n < g.N; n++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++)
        for (let co = 0; co < g.Co; co++) {
          let sum = bias ? bias[co]! : 0;
          for (let kh = 0; kh < g.K; kh++)
            for (let kw = 0; kw < g.K; kw++)
              for (let ci = 0; ci < g.Ci; ci++) sum += xAt(g, x, n, oh * g.s - g.pT + kh, ow * g.s - g.pL + kw, ci) * w[((kh * g.K + kw) * g.Ci + ci) * g.Co + co]!;
          y.push(relu ? Math.max(0, sum) : sum);
        }
  return y;
}

function expectClose(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const worst = actual.reduce((m, a, i) => Math.max(m, Math.abs(a - expected[i]!) / (1 + Math.abs(expected[i]!))), 0);
  expect(worst, what).toBeLessThan(1e-5); // float32 sums against double ones
}

const sample = (seed: number) => (i: number) => Math.sin(i * 0.37 + seed) * (1 + (i % 3));

/** Filter gradient and padded convolution of `g` on one instance; returns [dw, y]. */
function runBoth(exports: ConvKernelExports, memory: WebAssembly.Memory, g: Geometry, relu: boolean): [number[], number[], number[], number[]] {
  const a = arena(memory);
  const xs = g.N * g.H * g.W * g.Ci;
  const ys = g.N * g.OH * g.OW * g.Co;
  const ws = g.K * g.K * g.Ci * g.Co;
  const x = a.alloc(xs, sample(1));
  const dy = a.alloc(ys, sample(2));
  const w = a.alloc(ws, sample(3));
  const bias = a.alloc(g.Co, sample(4));
  const dw = a.alloc(ws);
  exports.filter_grad(x, dy, dw, 0, g.N, g.H, g.W, g.Ci, g.OH, g.OW, g.Co, g.K, g.K, g.s, g.s, g.pT, g.pL, 2, g.N, 0);
  const hp = (g.OH - 1) * g.s + g.K;
  const wp = (g.OW - 1) * g.s + g.K;
  const xp = a.alloc(g.N * hp * wp * g.Ci, () => 7); // pad_copy must overwrite every element
  exports.pad_copy(x, xp, 0, g.N, g.H, g.W, g.Ci, hp, wp, g.pT, g.pL);
  const y = a.alloc(ys);
  exports.conv_forward(xp, w, bias, y, 0, g.N, hp, wp, g.Ci, g.OH, g.OW, g.Co, g.K, g.K, g.s, g.s, relu ? 1 : 0, 1, 0);
  const xv = a.read(x, xs);
  return [a.read(dw, ws), referenceFilterGrad(g, xv, a.read(dy, ys)), a.read(y, ys), referenceConv(g, xv, a.read(w, ws), a.read(bias, g.Co), relu)];
}

describe('the kernel module, every build', () => {
  const geometries = [geometry(2, 7, 6, 5, 12, 3, 1, 1, 1), geometry(2, 9, 8, 3, 8, 3, 2, 1, 0), geometry(1, 6, 5, 6, 4, 3, 1, 0, 0), geometry(2, 5, 7, 9, 20, 1, 2, 0, 0)];
  for (const shared of [false, true]) {
    for (const fma of [false, true]) {
      it(`${shared ? 'shared' : 'plain'} memory, ${fma ? 'relaxed-SIMD FMA' : 'mul + add'}: filter gradient, padded copy and convolution (+ bias, relu) match their definitions`, () => {
        const { exports, memory } = instantiate(shared, fma);
        for (const [i, g] of geometries.entries()) {
          const [dw, dwRef, y, yRef] = runBoth(exports, memory, g, i % 2 === 0);
          expectClose(dw, dwRef, `dw, geometry ${i}`);
          expectClose(y, yRef, `y, geometry ${i}`);
        }
      });
    }
  }

  it('the committed module is what wasm/*.mjs generate (run `node wasm/build.mjs` after editing them)', async () => {
    // @ts-expect-error: a plain ESM script without types
    const { assembleKernels } = (await import('../../wasm/assemble.mjs')) as { assembleKernels(): Promise<string> };
    const committed = await readFile(new URL('./conv-kernels-wasm.ts', import.meta.url), 'utf8');
    expect(committed === (await assembleKernels()), 'src/kernels/conv-kernels-wasm.ts is stale').toBe(true);
  });

  it('the four builds are distinct modules of the expected size (relaxed SIMD only in the FMA ones)', () => {
    const sizes = [kernelBytes(true, true), kernelBytes(true, false), kernelBytes(false, true), kernelBytes(false, false)].map((b) => b.length);
    expect(new Set(sizes).size).toBeGreaterThanOrEqual(2);
    for (const size of sizes) expect(size).toBeLessThan(PAGE);
  });
});

describe('the kernel pool (Node worker threads on a shared memory)', () => {
  it("a call split between the caller and a worker equals the whole call on one thread; a worker's trap is an error on the caller", async () => {
    const { exports, memory, module } = instantiate(true, relaxedSimdSupported());
    const pool = await startKernelPool(module, memory, 1);
    await pool.allReady();
    expect(pool.ready()).toBe(1);
    const g = geometry(4, 8, 8, 4, 8, 3, 1, 1, 1);
    const a = arena(memory);
    const x = a.alloc(g.N * g.H * g.W * g.Ci, sample(1));
    const dy = a.alloc(g.N * g.OH * g.OW * g.Co, sample(2));
    const ws = g.K * g.K * g.Ci * g.Co;
    const [whole, first, second] = [a.alloc(ws), a.alloc(ws), a.alloc(ws)];
    // One slice of the whole batch (every range sums into `dw` itself).
    const args = (dw: number, n0: number, n1: number) => [x, dy, dw, n0, n1, g.H, g.W, g.Ci, g.OH, g.OW, g.Co, g.K, g.K, g.s, g.s, g.pT, g.pL, 2, g.N, 0];
    exports.filter_grad(...args(whole, 0, g.N));
    pool.dispatch(0, 0, args(second, 2, 4));
    exports.filter_grad(...args(first, 0, 2));
    pool.wait(0);
    exports.add_into(first, second, ws);
    expectClose(a.read(first, ws), a.read(whole, ws), 'split dw');
    // Shared out in chunks of one image from the pool's counter: every image is taken exactly once.
    const [mine, theirs] = [a.alloc(ws), a.alloc(ws)];
    pool.resetCounter();
    pool.dispatch(0, 0, args(theirs, 0, 0), { at: 3, total: g.N, chunk: 1 });
    let taken = 0;
    for (let i = pool.claim(1); i < g.N; i = pool.claim(1), taken++) exports.filter_grad(...args(mine, i, i + 1));
    pool.wait(0);
    expect(taken).toBeLessThanOrEqual(g.N);
    exports.add_into(mine, theirs, ws);
    expectClose(a.read(mine, ws), a.read(whole, ws), 'chunked dw');
    // A pointer past the end of memory traps on the worker: the caller gets an error, the pool stays usable.
    pool.dispatch(0, 0, args(memory.buffer.byteLength + 1024 * PAGE, 0, g.N));
    expect(() => pool.wait(0)).toThrow(/trapped on a worker thread/);
    const again = a.alloc(ws); // filter_grad accumulates: a zeroed buffer
    pool.dispatch(0, 0, args(again, 0, g.N));
    pool.wait(0);
    expectClose(a.read(again, ws), a.read(whole, ws), 'dw after the trap');
  });
});
