/**
 * Keras' affine transform matrix (keras_preprocessing 1.1.x `apply_affine_transform`),
 * as the 2x2 matrix + offset it hands to `scipy.ndimage.affine_transform`:
 * `input_coordinate = A @ output_coordinate + offset`, coordinates (row, column).
 */
export interface AffineMap {
  a00: number;
  a01: number;
  a10: number;
  a11: number;
  o0: number;
  o1: number;
}

/** Keras' transform parameters (camelCase). Missing keys take Keras' neutral values. */
export interface TransformParams {
  /** Rotation angle, degrees. */
  theta?: number;
  /** Keras' `tx` (documented as the shift along rows, in pixels; see README for Keras' axis swap). */
  tx?: number;
  /** Keras' `ty` (documented as the shift along columns, in pixels). */
  ty?: number;
  /** Shear angle, degrees. */
  shear?: number;
  zx?: number;
  zy?: number;
  flipHorizontal?: boolean;
  flipVertical?: boolean;
  /** `null`/undefined: no channel shift (Keras' `None`). */
  channelShiftIntensity?: number | null;
  /** `null`/undefined: no brightness change (Keras' `None`). */
  brightness?: number | null;
}

type M3 = number[]; // row-major 3x3

function dot(a: M3, b: M3): M3 {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k] * b[k * 3 + j];
      out[i * 3 + j] = s;
    }
  }
  return out;
}

const deg2rad = (d: number): number => (d * Math.PI) / 180;

/**
 * The matrix Keras builds, or `null` when Keras skips the affine step (all parameters
 * neutral). Reproduces keras_preprocessing 1.1.2 exactly, including its centre
 * `(h/2 - 0.5, w/2 - 0.5)` and its final row/column swap (`M' = P M P`), which is why
 * `tx` ends up moving columns and `ty` rows, and why a positive `theta` turns the
 * picture clockwise in array coordinates. This is what the reference outputs show.
 */
export function kerasAffineMap(p: TransformParams, h: number, w: number): AffineMap | null {
  const theta = p.theta ?? 0;
  const tx = p.tx ?? 0;
  const ty = p.ty ?? 0;
  const shear = p.shear ?? 0;
  const zx = p.zx ?? 1;
  const zy = p.zy ?? 1;
  let m: M3 | null = null;
  const chain = (next: M3): void => {
    m = m === null ? next : dot(m, next);
  };
  if (theta !== 0) {
    const t = deg2rad(theta);
    chain([Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1]);
  }
  if (tx !== 0 || ty !== 0) chain([1, 0, tx, 0, 1, ty, 0, 0, 1]);
  if (shear !== 0) {
    const s = deg2rad(shear);
    chain([1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1]);
  }
  if (zx !== 1 || zy !== 1) chain([zx, 0, 0, 0, zy, 0, 0, 0, 1]);
  if (m === null) return null;
  const ox = h / 2 - 0.5;
  const oy = w / 2 - 0.5;
  const centred = dot(dot([1, 0, ox, 0, 1, oy, 0, 0, 1], m), [1, 0, -ox, 0, 1, -oy, 0, 0, 1]);
  // Keras' swap of the x/y axes: M' = P M P.
  return { a00: centred[4], a01: centred[3], a10: centred[1], a11: centred[0], o0: centred[5], o1: centred[2] };
}
