// Pieces of WebAssembly text the kernel generators share.

/** `acc += a · b` on f32x4 locals: relaxed SIMD's fused multiply-add, or a multiply then an add. */
export const madd = (acc, a, b, fma) =>
  fma
    ? `(local.set ${acc} (f32x4.relaxed_madd (local.get ${a}) (local.get ${b}) (local.get ${acc})))`
    : `(local.set ${acc} (f32x4.add (local.get ${acc}) (f32x4.mul (local.get ${a}) (local.get ${b}))))`;
