import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendPlugin, DeviceInfo } from '../backend';
import { Rng } from '../random';
import { createBackendRegistry } from '../registry';
import {
  DEFAULT_PARITY_TOLERANCE,
  type ParityCase,
  type ParityInput,
  type ParityLayers,
  type ParityTolerance,
  parityCases,
} from './parity-cases';

export * from './parity-cases';

/** Values read back from one output tensor. */
export interface ParityOutput {
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

export interface ParityCaseResult {
  outputs: Record<string, ParityOutput>;
  /** `tf.memory().numTensors` after minus before (0 when nothing leaked). */
  leakedTensors: number;
}

export interface ParityComparison {
  output: string;
  ok: boolean;
  maxAbsError: number;
  /** Largest |a − e| / (atol + rtol·|e|): ≤ 1 passes. */
  worstRatio: number;
  /** Human-readable reason for a failure (first offending element, or a shape mismatch). */
  problem?: string;
}

/** Deterministic per-case seed: the suite seed mixed with the case name. */
export function caseSeed(seed: number, name: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h | 0;
}

/** Build a case's inputs from the seed (identical on every backend). */
export function parityInputs(c: ParityCase, seed: number): Record<string, ParityInput> {
  return c.inputs(new Rng(caseSeed(seed, c.name)));
}

/** The kernels of `c.optionalKernels` that the given tfjs backend lacks. */
export function missingKernels(c: ParityCase, tfjsBackend: string): string[] {
  return (c.optionalKernels ?? []).filter((k) => !tf.getKernel(k, tfjsBackend));
}

/**
 * Run one case on the currently active tfjs backend: create the inputs, run inside
 * `tf.tidy`, read every output with `await data()` (works on WebGPU in Node), dispose
 * everything and report leaked tensors.
 */
export async function runParityCase(c: ParityCase, inputs: Record<string, ParityInput>, layers?: ParityLayers): Promise<ParityCaseResult> {
  const before = tf.memory().numTensors;
  const tensors: Record<string, tf.Tensor> = {};
  let produced: Record<string, tf.Tensor> = {};
  const outputs: Record<string, ParityOutput> = {};
  try {
    for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
    produced = tf.tidy(() => c.run(tensors, { layers }));
    for (const [k, t] of Object.entries(produced)) outputs[k] = { shape: t.shape.slice(), values: (await t.data()) as ParityOutput['values'] };
  } finally {
    tf.dispose(Object.values(produced));
    tf.dispose(Object.values(tensors));
  }
  return { outputs, leakedTensors: tf.memory().numTensors - before };
}

/** Compare with `|a − e| ≤ atol + rtol·|e|` (NaN only matches NaN). */
export function compareParityOutput(name: string, actual: ParityOutput, expected: ParityOutput, tol: ParityTolerance): ParityComparison {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    return { output: name, ok: false, maxAbsError: Infinity, worstRatio: Infinity, problem: `shape [${actual.shape}] ≠ expected [${expected.shape}]` };
  }
  let maxAbsError = 0;
  let worstRatio = 0;
  let problem: string | undefined;
  for (let i = 0; i < expected.values.length; i++) {
    const a = actual.values[i];
    const e = expected.values[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a)) && problem === undefined) problem = `element ${i}: got ${a}, expected ${e}`;
      continue;
    }
    const err = Math.abs(a - e);
    const allowed = tol.atol + tol.rtol * Math.abs(e);
    maxAbsError = Math.max(maxAbsError, err);
    const ratio = err === 0 ? 0 : allowed === 0 ? Infinity : err / allowed;
    if (ratio > worstRatio) worstRatio = ratio;
    if (err > allowed && problem === undefined) problem = `element ${i}: got ${a}, expected ${e} (|diff| ${err.toExponential(2)} > ${allowed.toExponential(2)})`;
  }
  return { output: name, ok: problem === undefined, maxAbsError, worstRatio, problem };
}

/**
 * For backends that may compute matmul/conv in reduced precision (CUDA's TF32 on Ampere and
 * newer): the issue's 1e-3 + 1e-3·|e| for every case that is not compared exactly.
 */
export function reducedPrecisionTolerance(backends: string[]): NonNullable<ParityOptions['tolerance']> {
  return (backend, _c, caseTol) =>
    backends.includes(backend) && (caseTol.atol > 0 || caseTol.rtol > 0) ? DEFAULT_PARITY_TOLERANCE : undefined;
}

export interface ParityOptions {
  /** The reference backend (the cpu plugin). */
  reference: BackendPlugin;
  /** Backends compared against the reference (unavailable ones are skipped with the reason). */
  backends: BackendPlugin[];
  /** Backend names that must be available: an unavailable one fails instead of being skipped. */
  required?: string[];
  /** Cases to run (default {@link parityCases}). */
  cases?: ParityCase[];
  /** Suite seed (default 1234). */
  seed?: number;
  /** `@tensorflow/tfjs-layers` (for the dropout case); without it that case is skipped with the reason. */
  layers?: ParityLayers;
  /** Overrides a case's tolerance, by case name. */
  tolerances?: Record<string, ParityTolerance>;
  /**
   * Per-backend override (wins over `tolerances`): return a tolerance, or undefined to keep
   * the case's. See {@link reducedPrecisionTolerance}.
   */
  tolerance?: (backend: string, c: ParityCase, caseTolerance: ParityTolerance) => ParityTolerance | undefined;
  /** Where the summary goes (default `console.info`). */
  log?: (line: string) => void;
}

interface BackendState {
  plugin: BackendPlugin;
  available: boolean;
  device?: DeviceInfo;
  reason?: string;
}

/**
 * The cross-backend parity suite (vitest): every case on the reference backend, then on
 * each available backend from identical inputs, compared with the case's documented
 * tolerance; each run must leave `tf.memory().numTensors` unchanged. Prints which backends
 * were compared and which were skipped, and why, plus the worst error per case.
 */
export function describeParity(options: ParityOptions): void {
  const cases = options.cases ?? parityCases();
  const seed = options.seed ?? 1234;
  const log = options.log ?? ((line: string) => console.info(line));
  const required = new Set(options.required ?? []);
  const refName = options.reference.name;
  const states = new Map<string, BackendState>();
  const reference = new Map<string, Promise<ParityCaseResult>>();
  const report: string[] = [];
  let previousBackend: string | null = null;

  const activate = async (plugin: BackendPlugin) => {
    if (tf.getBackend() !== plugin.tfjsBackend) {
      const ok = await tf.setBackend(plugin.tfjsBackend);
      if (!ok) throw new Error(`tf.setBackend('${plugin.tfjsBackend}') returned false`);
    }
  };

  const referenceResult = (c: ParityCase): Promise<ParityCaseResult> => {
    let pending = reference.get(c.name);
    if (!pending) {
      pending = (async () => {
        await activate(options.reference);
        return runParityCase(c, parityInputs(c, seed), options.layers);
      })();
      reference.set(c.name, pending);
    }
    return pending;
  };

  describe(`parity vs ${refName}`, () => {
    beforeAll(async () => {
      previousBackend = tf.getBackend() ?? null;
      const registry = createBackendRegistry({ env: {} });
      const all = [options.reference, ...options.backends.filter((b) => b.name !== refName)];
      for (const p of all) registry.register(p);
      for (const p of all) {
        const outcome = await registry.init(p.name);
        states.set(p.name, outcome.ok ? { plugin: p, available: true, device: outcome.device } : { plugin: p, available: false, reason: outcome.reason });
      }
      const ref = states.get(refName)!;
      if (!ref.available) throw new Error(`the reference backend "${refName}" is not available: ${ref.reason}`);
      const compared = [...states.values()].filter((s) => s.available && s.plugin.name !== refName);
      const skipped = [...states.values()].filter((s) => !s.available);
      log(`[parity] reference: ${refName} on ${ref.device!.description}`);
      log(`[parity] compared: ${compared.length ? compared.map((s) => `${s.plugin.name} (${s.device!.description})`).join(', ') : '(none)'}`);
      log(`[parity] skipped: ${skipped.length ? skipped.map((s) => `${s.plugin.name} (${s.reason})`).join('; ') : '(none)'}`);
    });

    afterAll(async () => {
      if (report.length) log(`[parity] worst error per case (|diff| max; ratio = |diff| / allowed, ≤ 1 passes):\n${report.join('\n')}`);
      if (previousBackend && previousBackend !== tf.getBackend() && tf.findBackend(previousBackend)) await tf.setBackend(previousBackend);
    });

    describe(`${refName} (reference)`, () => {
      for (const c of cases) {
        it(`${c.name}: finite, leak-free`, async (ctx) => {
          if (c.needsLayers && !options.layers) ctx.skip('needs @tensorflow/tfjs-layers: pass options.layers');
          const result = await referenceResult(c);
          expect(result.leakedTensors, `${c.name} leaked tensors on ${refName}`).toBe(0);
          for (const [k, out] of Object.entries(result.outputs)) {
            expect(Array.from(out.values).every(Number.isFinite), `${c.name}: output ${k} has non-finite values`).toBe(true);
          }
          const problem = c.check?.(result.outputs, parityInputs(c, seed));
          expect(problem, problem).toBeUndefined();
        });
      }
    });

    for (const plugin of options.backends.filter((b) => b.name !== refName)) {
      describe(`${plugin.name} vs ${refName}`, () => {
        for (const c of cases) {
          it(c.name, async (ctx) => {
            const state = states.get(plugin.name);
            if (!state?.available) {
              const reason = state?.reason ?? 'not initialised';
              if (required.has(plugin.name)) throw new Error(`${plugin.name} is required here but unavailable: ${reason}`);
              ctx.skip(`${plugin.name} unavailable: ${reason}`);
            }
            if (c.needsLayers && !options.layers) ctx.skip('needs @tensorflow/tfjs-layers: pass options.layers');
            const missing = missingKernels(c, plugin.tfjsBackend);
            if (missing.length) {
              report.push(`  ${plugin.name} | ${c.name}: SKIPPED (kernel ${missing.join(', ')} not registered for "${plugin.tfjsBackend}")`);
              ctx.skip(`kernel ${missing.join(', ')} not registered for ${plugin.tfjsBackend}`);
            }
            const expected = await referenceResult(c);
            await activate(plugin);
            const actual = await runParityCase(c, parityInputs(c, seed), options.layers);
            expect(actual.leakedTensors, `${c.name} leaked tensors on ${plugin.name}`).toBe(0);
            const caseTol = options.tolerances?.[c.name] ?? c.tolerance ?? DEFAULT_PARITY_TOLERANCE;
            const tol = options.tolerance?.(plugin.name, c, caseTol) ?? caseTol;
            const results = Object.keys(expected.outputs).map((k) => {
              const got = actual.outputs[k];
              if (!got) return { output: k, ok: false, maxAbsError: Infinity, worstRatio: Infinity, problem: 'missing output' } satisfies ParityComparison;
              return compareParityOutput(k, got, expected.outputs[k], tol);
            });
            report.push(
              `  ${plugin.name} | ${c.name} | atol ${tol.atol} rtol ${tol.rtol} | ` +
                results.map((r) => `${r.output}: ${r.maxAbsError.toExponential(1)} (${r.worstRatio === Infinity ? '∞' : r.worstRatio.toFixed(2)})`).join(', '),
            );
            const failed = results.filter((r) => !r.ok);
            expect(failed.map((r) => `${r.output}: ${r.problem}`), `${plugin.name} differs from ${refName} on "${c.name}"`).toEqual([]);
          });
        }
      });
    }
  });
}

