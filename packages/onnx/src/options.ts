import { usageError } from '@tfbricks/core';

/** The opsets this exporter writes (every op it emits has the semantics of opset 13 or later). */
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

/**
 * The preprocessing a model's inputs need, in Keras `ImageDataGenerator.standardize` order:
 * rescale, samplewise center, samplewise std normalisation, featurewise center (`mean`),
 * featurewise std normalisation (`std`), ZCA whitening (`zca`).
 */
export interface Preprocessing {
  /** Multiplies raw pixels (tfbricks trains and evaluates with 1/255). */
  rescale?: number;
  samplewiseCenter?: boolean;
  samplewiseStdNormalization?: boolean;
  /** Per-channel mean fitted by the generator (subtracted). */
  mean?: ArrayLike<number>;
  /** Per-channel std fitted by the generator (x / (std + 1e-6), as Keras). */
  std?: ArrayLike<number>;
  /** ZCA principal components, d x d row-major with d = height * width * channels (NHWC order). */
  zca?: ArrayLike<number>;
}

export interface ExportOptions {
  /** ONNX opset, 13 to 21 (default 17). */
  opset?: number;
  /** `'dynamic'` (default: a symbolic `batch` dimension) or a fixed batch size. */
  batch?: 'dynamic' | number;
  /** Layout of the graph's image input (and of any rank-4 output): NHWC (default, as tfjs) or NCHW. */
  inputLayout?: 'NHWC' | 'NCHW';
  /** Bake `preprocessing` into the graph: the input is then raw pixels (default false: metadata only). */
  includePreprocessing?: boolean;
  /** Stored as metadata (and baked with `includePreprocessing`); default `{ rescale: 1/255 }`. */
  preprocessing?: Preprocessing;
  /** Class names, stored as metadata `classNames` (JSON array). */
  classNames?: readonly string[];
  /** More metadata entries (`metadata_props`). */
  metadata?: Record<string, string>;
  /** The graph's name (default: the model's). */
  graphName?: string;
}

export interface ResolvedOptions {
  opset: number;
  batch: 'dynamic' | number;
  inputLayout: 'NHWC' | 'NCHW';
  includePreprocessing: boolean;
  preprocessing: Preprocessing;
  classNames: string[] | undefined;
  metadata: Record<string, string>;
  graphName: string | undefined;
}

function bad(key: string, value: unknown, allowed: string): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw usageError('E_ONNX_OPTIONS', `exportOnnx: option "${key}" must be ${allowed}, got ${shown}`);
}

function finiteArray(key: string, value: unknown): number[] {
  const ok = value !== null && typeof value === 'object' && typeof (value as ArrayLike<number>).length === 'number';
  if (!ok) bad(key, value, 'an array of finite numbers');
  const arr = Array.from(value as ArrayLike<number>);
  if (!arr.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(`${key}`, `[${arr.length} values, not all finite]`, 'an array of finite numbers');
  return arr;
}

function resolvePreprocessing(p: unknown): Preprocessing {
  if (p === undefined) return { rescale: 1 / 255 };
  if (p === null || typeof p !== 'object' || Array.isArray(p)) bad('preprocessing', p, 'an object');
  const src = p as Record<string, unknown>;
  const allowed = ['rescale', 'samplewiseCenter', 'samplewiseStdNormalization', 'mean', 'std', 'zca'];
  for (const k of Object.keys(src)) if (!allowed.includes(k)) bad(`preprocessing.${k}`, src[k], `absent (known keys: ${allowed.join(', ')})`);
  const out: Preprocessing = {};
  if (src.rescale !== undefined) {
    if (typeof src.rescale !== 'number' || !Number.isFinite(src.rescale) || src.rescale === 0) bad('preprocessing.rescale', src.rescale, 'a finite non-zero number');
    out.rescale = src.rescale;
  }
  for (const k of ['samplewiseCenter', 'samplewiseStdNormalization'] as const) {
    if (src[k] !== undefined) {
      if (typeof src[k] !== 'boolean') bad(`preprocessing.${k}`, src[k], 'true or false');
      out[k] = src[k] as boolean;
    }
  }
  if (src.mean !== undefined) out.mean = finiteArray('preprocessing.mean', src.mean);
  if (src.std !== undefined) {
    const std = finiteArray('preprocessing.std', src.std);
    if (std.some((s) => s < 0)) bad('preprocessing.std', std, 'an array of numbers >= 0');
    out.std = std;
  }
  if (src.zca !== undefined) out.zca = Float32Array.from(finiteArray('preprocessing.zca', src.zca));
  return out;
}

/** Validate `exportOnnx` options and fill the defaults. */
export function resolveOptions(options: ExportOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') bad('options', options, 'an object');
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) bad('opset', opset, `an integer from ${MIN_OPSET} to ${MAX_OPSET}`);
  const batch = options.batch ?? 'dynamic';
  if (batch !== 'dynamic' && (!Number.isInteger(batch) || batch < 1)) bad('batch', batch, '"dynamic" or an integer >= 1');
  const inputLayout = options.inputLayout ?? 'NHWC';
  if (inputLayout !== 'NHWC' && inputLayout !== 'NCHW') bad('inputLayout', inputLayout, '"NHWC" or "NCHW"');
  const includePreprocessing = options.includePreprocessing ?? false;
  if (typeof includePreprocessing !== 'boolean') bad('includePreprocessing', includePreprocessing, 'true or false');
  const classNames = options.classNames === undefined ? undefined : [...options.classNames];
  if (classNames && !classNames.every((n) => typeof n === 'string')) bad('classNames', classNames, 'an array of strings');
  const metadata = { ...(options.metadata ?? {}) };
  for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') bad(`metadata.${k}`, v, 'a string');
  if (options.graphName !== undefined && (typeof options.graphName !== 'string' || options.graphName === '')) bad('graphName', options.graphName, 'a non-empty string');
  return { opset, batch, inputLayout, includePreprocessing, preprocessing: resolvePreprocessing(options.preprocessing), classNames, metadata, graphName: options.graphName };
}

/** The IR version that goes with an opset (onnx/helper.py's VERSION_TABLE). */
export function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}
