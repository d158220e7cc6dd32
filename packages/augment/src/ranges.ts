import { type Rng, usageError } from '@tfbricks/core';

/**
 * Keras' shift range: a number (float semantics: uniform in (-r, r); an integer >= 1
 * takes Keras' int semantics: an integer from [0, r) times ±1), a list (a value from
 * the list times ±1), or `{ uniform: r }` to force float semantics for an integral r.
 * Values whose maximum is < 1 are fractions of the image size, otherwise pixels.
 */
export type ShiftRange = number | readonly number[] | { uniform: number };

export interface ParsedShift {
  kind: 'none' | 'float' | 'int' | 'list';
  value: number;
  list: readonly number[];
  fraction: boolean;
}

export function parseShiftRange(input: string, value: ShiftRange | undefined): ParsedShift {
  const none: ParsedShift = { kind: 'none', value: 0, list: [], fraction: false };
  if (value === undefined || value === 0) return none;
  const bad = (): never => {
    throw usageError(
      'E_AUGMENT_OPTION',
      `${input} must be a finite number >= 0, a non-empty list of finite numbers, or { uniform: number }; got ${JSON.stringify(value)}`,
    );
  };
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) bad();
    if (Number.isInteger(value)) return { kind: 'int', value, list: [], fraction: false };
    return { kind: 'float', value, list: [], fraction: value < 1 };
  }
  if (Array.isArray(value)) {
    if (value.length === 0 || value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) bad();
    return { kind: 'list', value: 0, list: [...value], fraction: Math.max(...value) < 1 };
  }
  if (typeof value === 'object' && value !== null && 'uniform' in value) {
    const u = (value as { uniform: unknown }).uniform;
    if (typeof u !== 'number' || !Number.isFinite(u) || u < 0) bad();
    if (u === 0) return none;
    return { kind: 'float', value: u as number, list: [], fraction: (u as number) < 1 };
  }
  return bad();
}

/** Draws a shift in pixels like Keras' `get_random_transform` (size: the axis length). */
export function drawShift(rng: Rng, s: ParsedShift, size: number): number {
  let v: number;
  switch (s.kind) {
    case 'none':
      return 0;
    case 'float':
      v = rng.uniform(-s.value, s.value);
      break;
    case 'int':
      v = rng.int(0, s.value) * (rng.next() < 0.5 ? -1 : 1);
      break;
    case 'list':
      v = s.list[rng.int(0, s.list.length)] * (rng.next() < 0.5 ? -1 : 1);
      break;
  }
  return s.fraction ? v * size : v;
}

/** Keras' `zoom_range`: z -> [1-z, 1+z], or an explicit [lower, upper]. */
export function parseZoomRange(input: string, value: number | readonly [number, number] | undefined): [number, number] {
  if (value === undefined) return [1, 1];
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return [1 - value, 1 + value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isFinite(v)) && value[0] <= value[1]) {
    return [value[0], value[1]];
  }
  throw usageError(
    'E_AUGMENT_OPTION',
    `${input} must be a number >= 0 or a pair [lower, upper] with lower <= upper; got ${JSON.stringify(value)}`,
  );
}

export function parseNonNegative(input: string, value: number | undefined, fallback = 0): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw usageError('E_AUGMENT_OPTION', `${input} must be a finite number >= 0; got ${JSON.stringify(value)}`);
}

export function parsePair(input: string, value: readonly [number, number] | undefined): [number, number] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isFinite(v)) && value[0] <= value[1]) {
    return [value[0], value[1]];
  }
  throw usageError('E_AUGMENT_OPTION', `${input} must be a pair [lower, upper] of finite numbers with lower <= upper; got ${JSON.stringify(value)}`);
}
