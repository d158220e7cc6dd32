import { usageError } from '@tfbricks/core';

/** Keras' `fill_mode` values (scipy.ndimage boundary modes, with scipy's exact semantics). */
export type FillMode = 'nearest' | 'constant' | 'reflect' | 'wrap';
export const FILL_MODES: readonly FillMode[] = ['nearest', 'constant', 'reflect', 'wrap'];

/** scipy.ndimage spline order Keras supports here: 0 nearest neighbour, 1 bilinear. */
export type InterpolationOrder = 0 | 1;

export function checkFillMode(input: string, value: unknown): FillMode {
  if (typeof value === 'string' && (FILL_MODES as readonly string[]).includes(value)) return value as FillMode;
  throw usageError('E_AUGMENT_OPTION', `${input} must be one of ${FILL_MODES.join(', ')}; got ${JSON.stringify(value)}`);
}

export function checkOrder(input: string, value: unknown): InterpolationOrder {
  if (value === 0 || value === 1) return value;
  throw usageError(
    'E_AUGMENT_OPTION',
    `${input} must be 0 (nearest) or 1 (bilinear); got ${JSON.stringify(value)}`,
    'higher spline orders (scipy order 2..5) are not implemented',
  );
}

/**
 * Maps an input coordinate that lies outside [0, len-1] back inside, exactly as
 * scipy.ndimage's `map_coordinate` does for geometric transforms (scipy >= 1.6, the
 * version Keras' reference outputs were produced with). Returns NaN where the output
 * takes `cval` (mode 'constant', strictly outside [0, len-1]).
 *
 * Note scipy's quirks, reproduced on purpose: 'wrap' is periodic with period len-1
 * (the first and last samples overlap), and 'reflect' (half-sample symmetric) leaves
 * coordinates in (-1, 0) and (len-1, len) to the caller, which clamps the neighbours.
 */
export function mapCoordinate(x: number, len: number, mode: FillMode): number {
  if (x >= 0 && x <= len - 1) return x;
  switch (mode) {
    case 'nearest':
      return x < 0 ? 0 : len - 1;
    case 'constant':
      return Number.NaN;
    case 'reflect': {
      if (len <= 1) return 0;
      const sz2 = 2 * len;
      if (x < 0) {
        if (x < -sz2) x = sz2 * Math.trunc(-x / sz2) + x;
        return x < -len ? x + sz2 : -x - 1;
      }
      x -= sz2 * Math.trunc(x / sz2);
      if (x >= len) x = sz2 - x - 1;
      return x;
    }
    case 'wrap': {
      if (len <= 1) return 0;
      const sz = len - 1;
      if (x < 0) return x + sz * (Math.trunc(-x / sz) + 1);
      return x - sz * Math.trunc(x / sz);
    }
  }
}
