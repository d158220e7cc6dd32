// Generates the WebAssembly text of tfbricks' elementwise binary kernel (float32):
//   out[i] = a[ia(i)] op b[ib(i)],  op ∈ {0: ×, 1: +, 2: −, 3: ÷}
// each operand read whole (mode 0), as a scalar (mode 1) or as one value per channel repeating
// every `C` elements (mode 2: a bias, batch norm's per-channel statistics; C a multiple of 4).
// The work is cut in blocks of `block` elements; a call computes blocks [b0, b1). IEEE float32
// arithmetic: the same bits as tfjs-backend-cpu's (double, then rounded) for these four ops.

const OPS = ['f32x4.mul', 'f32x4.add', 'f32x4.sub', 'f32x4.div'];
const SCALAR_OPS = ['f32.mul', 'f32.add', 'f32.sub', 'f32.div'];

/** The operand's vector at element `i` (channel position `c`). */
const operand = (name) => `
        (if (result v128) (i32.eqz (local.get $${name}m)) (then (v128.load (i32.add (local.get $${name}) (i32.shl (local.get $i) (i32.const 2)))))
          (else (if (result v128) (i32.eq (local.get $${name}m) (i32.const 1)) (then (v128.load32_splat (local.get $${name})))
            (else (v128.load (i32.add (local.get $${name}) (i32.shl (local.get $c) (i32.const 2))))))))`;

const scalarOperand = (name) => `
        (if (result f32) (i32.eqz (local.get $${name}m)) (then (f32.load (i32.add (local.get $${name}) (i32.shl (local.get $i) (i32.const 2)))))
          (else (if (result f32) (i32.eq (local.get $${name}m) (i32.const 1)) (then (f32.load (local.get $${name})))
            (else (f32.load (i32.add (local.get $${name}) (i32.shl (local.get $c) (i32.const 2))))))))`;

function loop(op) {
  return `
      (block $vdone (loop $vloop
        (br_if $vdone (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $end)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (${OPS[op]} ${operand('a')} ${operand('b')}))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (if (i32.ge_s (local.get $c) (local.get $C)) (then (local.set $c (i32.const 0))))
        (br $vloop)))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_s (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (${SCALAR_OPS[op]} ${scalarOperand('a')} ${scalarOperand('b')}))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (if (i32.ge_s (local.get $c) (local.get $C)) (then (local.set $c (i32.const 0))))
        (br $sloop)))`;
}

export const ELEMENTWISE = `
  (func (export "binary") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $b0 i32) (param $b1 i32)
      (param $n i32) (param $am i32) (param $bm i32) (param $C i32) (param $block i32)
    (local $i i32) (local $end i32) (local $c i32)
    (local.set $i (i32.mul (local.get $b0) (local.get $block)))
    (local.set $end (i32.mul (local.get $b1) (local.get $block)))
    (local.set $end (select (local.get $n) (local.get $end) (i32.gt_s (local.get $end) (local.get $n))))
    ;; blocks are multiples of 4 and of C, so every block starts at channel 0
    (local.set $c (i32.const 0))
    (if (i32.eqz (local.get $op)) (then ${loop(0)} (return)))
    (if (i32.eq (local.get $op) (i32.const 1)) (then ${loop(1)} (return)))
    (if (i32.eq (local.get $op) (i32.const 2)) (then ${loop(2)} (return)))
    ${loop(3)}
  )`;
