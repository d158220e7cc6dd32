// Generates the WebAssembly text of tfbricks' direct NHWC filter gradient (see build.mjs):
//   dW_s[kh, kw, ci, co] += Σ_{n ∈ [n0, n1), oh, ow} x[n, oh·sH − pT + kh, ow·sW − pL + kw, ci] · dy[n, oh, ow, co]
// where s = n0 / slice picks one of several buffers (dwBytes apart): the caller sums the slices
// in a fixed order, so the result does not depend on which thread took which images.
// Register tiles of R input channels × V vectors of 4 output channels stay in v128 locals over
// a block of output rows; the tails (fewer channels) have their own smaller tiles, picked by
// call_indirect. `fma` uses relaxed SIMD's f32x4.relaxed_madd, otherwise mul + add; `shared`
// imports a shared memory (tfjs' threaded build) or a plain one.

import { convForwardParts } from './conv-forward.mjs';
import { ELEMENTWISE } from './elementwise.mjs';
import { POOLING_SUMS } from './pooling-sums.mjs';
import { madd } from './simd.mjs';
import { WINOGRAD } from './winograd.mjs';

function tile(r, v, fma) {
  const acc = [];
  for (let i = 0; i < r; i++) for (let j = 0; j < v; j++) acc.push(`$a${i}_${j}`);
  const L = [];
  L.push(`  (func $t${r}_${v} (param $dwp i32) (param $xTap i32) (param $dyBlk i32) (param $ih0 i32) (param $rows i32) (param $cnt i32)`);
  L.push(`    (local $xp i32) (local $dp i32) (local $k i32) (local $ih i32) (local $row i32) (local $xs i32) (local $cs i32)`);
  L.push(`    ${acc.map((a) => `(local ${a} v128)`).join(' ')}`);
  L.push(`    ${Array.from({ length: v }, (_, j) => `(local $b${j} v128)`).join(' ')} (local $s v128)`);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < v; j++) L.push(`    (local.set $a${i}_${j} (v128.load offset=${16 * j} (i32.add (local.get $dwp) (i32.mul (global.get $co4) (i32.const ${i})))))`);
  // Globals are memory loads in V8: the loop's strides in locals.
  L.push(`    (local.set $xs (global.get $xstep))`);
  L.push(`    (local.set $cs (global.get $co4))`);
  L.push(`    (local.set $ih (local.get $ih0))`);
  L.push(`    (local.set $dp (local.get $dyBlk))`);
  L.push(`    (block $rdone (loop $rloop`);
  L.push(`      (br_if $rdone (i32.ge_u (local.get $row) (local.get $rows)))`);
  L.push(`      (if (i32.lt_u (local.get $ih) (global.get $H)) (then`);
  L.push(`        (local.set $xp (i32.add (local.get $xTap) (i32.mul (local.get $ih) (global.get $xrow))))`);
  L.push(`        (local.set $k (local.get $cnt))`);
  L.push(`        (local.set $dp (i32.add (local.get $dyBlk) (i32.mul (local.get $row) (global.get $dyrow))))`);
  L.push(`        (loop $p`);
  for (let j = 0; j < v; j++) L.push(`          (local.set $b${j} (v128.load offset=${16 * j} (local.get $dp)))`);
  for (let i = 0; i < r; i++) {
    L.push(`          (local.set $s (v128.load32_splat offset=${4 * i} (local.get $xp)))`);
    for (let j = 0; j < v; j++) {
      const a = `$a${i}_${j}`;
      L.push(`          ${madd(a, '$s', `$b${j}`, fma)}`);
    }
  }
  L.push(`          (local.set $xp (i32.add (local.get $xp) (local.get $xs)))`);
  L.push(`          (local.set $dp (i32.add (local.get $dp) (local.get $cs)))`);
  L.push(`          (br_if $p (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))`);
  L.push(`      (local.set $ih (i32.add (local.get $ih) (global.get $sH)))`);
  L.push(`      (local.set $row (i32.add (local.get $row) (i32.const 1)))`);
  L.push(`      (br $rloop)))`);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < v; j++) L.push(`    (v128.store offset=${16 * j} (i32.add (local.get $dwp) (i32.mul (global.get $co4) (i32.const ${i}))) (local.get $a${i}_${j}))`);
  L.push(`  )`);
  return L.join('\n');
}

/** The driver: images [n0, n1), output rows in blocks of `rpb`, every tap, every channel tile. */
function driver(R, V) {
  return `
  (func $filter_grad (export "filter_grad") (param $x i32) (param $dy i32) (param $dw i32) (param $n0 i32) (param $n1 i32)
      (param $Hp i32) (param $W i32) (param $Ci i32) (param $OH i32) (param $OW i32) (param $Co i32)
      (param $KH i32) (param $KW i32) (param $sHp i32) (param $sW i32) (param $pT i32) (param $pL i32) (param $rpb i32)
      (param $slice i32) (param $dwBytes i32)
    (local $n i32) (local $oh0 i32) (local $rows i32) (local $kh i32) (local $kw i32) (local $lo i32) (local $hi i32)
    (local $ci0 i32) (local $co0 i32) (local $r i32) (local $v i32) (local $xImg i32) (local $dyBlk i32) (local $xTap i32) (local $dwTap i32)
    ;; Images [n0, n1) lie in one slice of \`slice\` images: their sum goes to that slice's buffer.
    (local.set $dw (i32.add (local.get $dw) (i32.mul (i32.div_u (local.get $n0) (local.get $slice)) (local.get $dwBytes))))
    (global.set $H (local.get $Hp))
    (global.set $sH (local.get $sHp))
    (global.set $co4 (i32.shl (local.get $Co) (i32.const 2)))
    (global.set $xrow (i32.shl (i32.mul (local.get $W) (local.get $Ci)) (i32.const 2)))
    (global.set $xstep (i32.shl (i32.mul (local.get $sW) (local.get $Ci)) (i32.const 2)))
    (global.set $dyrow (i32.shl (i32.mul (local.get $OW) (local.get $Co)) (i32.const 2)))
    (local.set $n (local.get $n0))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $n1)))
      (local.set $xImg (i32.add (local.get $x) (i32.mul (local.get $n) (i32.mul (local.get $Hp) (global.get $xrow)))))
      (local.set $oh0 (i32.const 0))
      (block $bdone (loop $bloop
        (br_if $bdone (i32.ge_s (local.get $oh0) (local.get $OH)))
        (local.set $rows (select (local.get $rpb) (i32.sub (local.get $OH) (local.get $oh0)) (i32.le_s (local.get $rpb) (i32.sub (local.get $OH) (local.get $oh0)))))
        (local.set $dyBlk (i32.add (local.get $dy) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh0)) (global.get $dyrow))))
        (local.set $kh (i32.const 0))
        (block $khdone (loop $khloop
          (br_if $khdone (i32.ge_s (local.get $kh) (local.get $KH)))
          (local.set $kw (i32.const 0))
          (block $kwdone (loop $kwloop
            (br_if $kwdone (i32.ge_s (local.get $kw) (local.get $KW)))
            ;; ow with 0 <= ow*sW - pL + kw < W: lo = ceil((pL - kw) / sW) clamped at 0, hi = floor((W - 1 + pL - kw) / sW) + 1 clamped at OW
            (local.set $lo (i32.sub (local.get $pL) (local.get $kw)))
            (local.set $lo (select (i32.div_s (i32.add (local.get $lo) (i32.sub (local.get $sW) (i32.const 1))) (local.get $sW)) (i32.const 0) (i32.gt_s (local.get $lo) (i32.const 0))))
            (local.set $hi (i32.add (i32.sub (local.get $W) (i32.const 1)) (i32.sub (local.get $pL) (local.get $kw))))
            (local.set $hi (select (i32.add (i32.div_s (local.get $hi) (local.get $sW)) (i32.const 1)) (i32.const 0) (i32.ge_s (local.get $hi) (i32.const 0))))
            (local.set $hi (select (local.get $OW) (local.get $hi) (i32.gt_s (local.get $hi) (local.get $OW))))
            (if (i32.lt_s (local.get $lo) (local.get $hi)) (then
              (local.set $xTap (i32.add (local.get $xImg) (i32.shl (i32.mul (i32.sub (i32.add (i32.mul (local.get $lo) (local.get $sW)) (local.get $kw)) (local.get $pL)) (local.get $Ci)) (i32.const 2))))
              (local.set $dwTap (i32.add (local.get $dw) (i32.mul (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $Ci)) (global.get $co4))))
              (local.set $ci0 (i32.const 0))
              (block $cidone (loop $ciloop
                (br_if $cidone (i32.ge_s (local.get $ci0) (local.get $Ci)))
                (local.set $r (i32.sub (local.get $Ci) (local.get $ci0)))
                (local.set $r (select (i32.const ${R}) (local.get $r) (i32.gt_s (local.get $r) (i32.const ${R}))))
                (local.set $co0 (i32.const 0))
                (block $codone (loop $coloop
                  (br_if $codone (i32.ge_s (local.get $co0) (local.get $Co)))
                  (local.set $v (i32.shr_s (i32.sub (local.get $Co) (local.get $co0)) (i32.const 2)))
                  (local.set $v (select (i32.const ${V}) (local.get $v) (i32.gt_s (local.get $v) (i32.const ${V}))))
                  (call_indirect (type $tileT)
                    (i32.add (local.get $dwTap) (i32.shl (i32.add (i32.mul (local.get $ci0) (local.get $Co)) (local.get $co0)) (i32.const 2)))
                    (i32.add (local.get $xTap) (i32.shl (local.get $ci0) (i32.const 2)))
                    (i32.add (i32.add (local.get $dyBlk) (i32.shl (i32.mul (local.get $lo) (local.get $Co)) (i32.const 2))) (i32.shl (local.get $co0) (i32.const 2)))
                    (i32.sub (i32.add (i32.mul (local.get $oh0) (local.get $sHp)) (local.get $kh)) (local.get $pT))
                    (local.get $rows)
                    (i32.sub (local.get $hi) (local.get $lo))
                    (i32.add (i32.mul (i32.sub (local.get $r) (i32.const 1)) (i32.const ${V})) (i32.sub (local.get $v) (i32.const 1))))
                  (local.set $co0 (i32.add (local.get $co0) (i32.shl (local.get $v) (i32.const 2))))
                  (br $coloop)))
                (local.set $ci0 (i32.add (local.get $ci0) (local.get $r)))
                (br $ciloop)))))
            (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
            (br $kwloop)))
          (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
          (br $khloop)))
        (local.set $oh0 (i32.add (local.get $oh0) (local.get $rpb)))
        (br $bloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )`;
}

/** dst[i] += src[i] for `n` floats (n a multiple of 4): another thread's partial gradient. */
const ADD_INTO = `
  (func (export "add_into") (param $dst i32) (param $src i32) (param $n i32)
    (block $done (loop $l
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $l)))
  )`;

/** The module: the filter gradient (this file), the direct convolution (conv-forward.mjs), pooling-sums.mjs, elementwise.mjs, add_into. */
export function kernelsWat({ fma, shared, R = 4, V = 2, fwdR = 4, fwdV = 2 }) {
  const tiles = [];
  const names = [];
  for (let r = 1; r <= R; r++)
    for (let v = 1; v <= V; v++) {
      tiles.push(tile(r, v, fma));
      names.push(`$t${r}_${v}`);
    }
  const fwd = convForwardParts({ fma, R: fwdR, V: fwdV, base: names.length });
  const mem = shared ? '(memory 1 65536 shared)' : '(memory 1)';
  return `(module
  (import "env" "memory" ${mem})
  (type $tileT (func (param i32 i32 i32 i32 i32 i32)))
  ${fwd.type}
  (table ${names.length + fwd.names.length} funcref)
  (elem (i32.const 0) ${[...names, ...fwd.names].join(' ')})
  (global $H (mut i32) (i32.const 0))
  (global $sH (mut i32) (i32.const 1))
  (global $co4 (mut i32) (i32.const 0))
  (global $xrow (mut i32) (i32.const 0))
  (global $xstep (mut i32) (i32.const 0))
  (global $dyrow (mut i32) (i32.const 0))
${fwd.globals}
${tiles.join('\n')}
${driver(R, V)}
${fwd.body}
${POOLING_SUMS}
${ELEMENTWISE}
${WINOGRAD}
${ADD_INTO}
)`;
}
