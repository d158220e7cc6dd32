import type { JsonValue, LayerSpec } from '@tfbricks/core';
import { TfbricksError, echo } from '@tfbricks/core';

export type LayerConfig = LayerSpec['config'];

/** A usage error about one key of one layer's config. */
export function specError(where: string, message: string, hint?: string): TfbricksError {
  return new TfbricksError('E_MODEL_SPEC', `${where}: ${message}`, { usage: true, hint });
}

/** A value in an error message: JSON, bounded in length (see core's `echo`). */
function show(value: unknown): string {
  return echo(value);
}

/**
 * Reads and validates a layer config, filling Keras defaults. Every error names the layer,
 * the key, the value and what is allowed.
 */
export class ConfigReader {
  private readonly seen = new Set<string>(['name']);
  readonly out: LayerConfig = {};

  constructor(
    readonly where: string,
    private readonly cfg: LayerConfig,
  ) {
    if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) {
      throw specError(where, `config must be an object, got ${show(cfg)}`);
    }
    if (cfg.name !== undefined) this.out.name = cfg.name;
  }

  private fail(key: string, value: unknown, allowed: string): never {
    throw specError(this.where, `"${key}" must be ${allowed}, got ${show(value)}`);
  }

  private get(key: string): JsonValue | undefined {
    this.seen.add(key);
    return this.cfg[key];
  }

  int(key: string, def: number | undefined, min = 1): number {
    const v = this.get(key) ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(key, v, `an integer >= ${min}`);
    this.out[key] = v;
    return v;
  }

  num(key: string, def: number, min: number, max: number, maxInclusive = true): number {
    const v = this.get(key) ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (maxInclusive ? v > max : v >= max)) {
      this.fail(key, v, `a number in [${min}, ${max}${maxInclusive ? ']' : ')'}`);
    }
    this.out[key] = v;
    return v;
  }

  bool(key: string, def: boolean): boolean {
    const v = this.get(key) ?? def;
    if (typeof v !== 'boolean') this.fail(key, v, 'true or false');
    this.out[key] = v;
    return v;
  }

  oneOf<T extends string>(key: string, def: T, allowed: readonly T[]): T {
    const v = this.get(key) ?? def;
    if (typeof v !== 'string' || !allowed.includes(v as T)) this.fail(key, v, `one of ${allowed.join(', ')}`);
    this.out[key] = v;
    return v as T;
  }

  /** A pair of positive ints; a single int `n` means `[n, n]`. `def` null: required. */
  pair(key: string, def: [number, number] | null): [number, number] {
    const raw = this.get(key);
    const v = raw ?? def;
    let pair: [number, number] | undefined;
    if (typeof v === 'number') pair = [v, v];
    else if (Array.isArray(v) && v.length === 2) pair = [v[0] as number, v[1] as number];
    if (!pair || !pair.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1)) {
      this.fail(key, v, 'a positive integer or a pair of positive integers');
    }
    this.out[key] = pair;
    return pair;
  }

  /** Optional pair: `null` stays `null`. */
  pairOrNull(key: string): [number, number] | null {
    const raw = this.cfg[key];
    if (raw === undefined || raw === null) {
      this.seen.add(key);
      this.out[key] = null;
      return null;
    }
    return this.pair(key, null);
  }

  /** Initializer identifier (tfjs camelCase, Keras snake_case accepted). */
  initializer(key: string, def: string): string {
    const v = this.get(key) ?? def;
    const id = typeof v === 'string' ? normaliseInitializer(v) : undefined;
    if (!id) this.fail(key, v, `one of ${INITIALIZERS.join(', ')}`);
    this.out[key] = id;
    return id;
  }

  /** `null` or `{ l1?: number, l2?: number }` (Keras `l2(1e-4)` is `{ l2: 1e-4 }`). */
  regularizer(key: string): { l1: number; l2: number } | null {
    const v = this.get(key) ?? null;
    if (v === null) {
      this.out[key] = null;
      return null;
    }
    const ok =
      typeof v === 'object' &&
      !Array.isArray(v) &&
      Object.keys(v).every((k) => k === 'l1' || k === 'l2') &&
      Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);
    if (!ok) this.fail(key, v, 'null or an object { l1?: number >= 0, l2?: number >= 0 }');
    const r = v as { l1?: number; l2?: number };
    const out = { l1: r.l1 ?? 0, l2: r.l2 ?? 0 };
    this.out[key] = out;
    return out;
  }

  activation(key: string, def: ActivationName): ActivationName {
    const raw = this.get(key) ?? def;
    const v = typeof raw === 'string' ? raw.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : raw;
    if (typeof v !== 'string' || !(ACTIVATIONS as readonly string[]).includes(v)) this.fail(key, raw, `one of ${ACTIVATIONS.join(', ')}`);
    this.out[key] = v;
    return v as ActivationName;
  }

  /** Mark a key as consumed (the caller validated it). */
  mark(key: string): void {
    this.seen.add(key);
  }

  /** Throws on keys that no reader consumed. */
  done(): LayerConfig {
    for (const key of Object.keys(this.cfg)) {
      if (!this.seen.has(key)) {
        throw specError(this.where, `unknown config key "${key}" (value ${show(this.cfg[key])})`, `allowed keys: ${[...this.seen].join(', ')}`);
      }
    }
    return this.out;
  }
}

export const INITIALIZERS = [
  'glorotUniform',
  'glorotNormal',
  'heUniform',
  'heNormal',
  'leCunUniform',
  'leCunNormal',
  'zeros',
  'ones',
] as const;

function normaliseInitializer(v: string): string | undefined {
  const camel = v.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const alias: Record<string, string> = { lecunUniform: 'leCunUniform', lecunNormal: 'leCunNormal', zero: 'zeros', one: 'ones' };
  const id = alias[camel] ?? camel;
  return (INITIALIZERS as readonly string[]).includes(id) ? id : undefined;
}

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'softmax', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign', 'swish'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Keras' `to_snake_case` for default layer names (`MaxPooling2D` → `max_pooling2d`). */
export function kerasSnakeCase(className: string): string {
  const intermediate = className.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2');
  return intermediate.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
