// Generates the WebAssembly text of tfbricks' direct NHWC convolution on a zero-padded input:
//   y[n, oh, ow, co] = act(bias[co] + Σ_{kh, kw, ci} xp[n, oh·sH + kh, ow·sW + kw, ci] · w[kh, kw, ci, co])
// For one filter row kh, (kw, ci) run contiguously in both xp's row and w, so the reduction is
// one loop of KW·Ci per row. Register tiles: R output columns × V vectors of 4 output channels
// (tails: smaller tiles by call_indirect). The forward pass and the input gradient (the same
// convolution of dy with the filter turned round) both run on it; `pad_copy` builds xp.
import { madd } from './simd.mjs';

function tile(r, v, fma) {
  const L = [];
  L.push(`  (func $c${r}_${v} (param $xpos i32) (param $wp i32) (param $yp i32) (param $bp i32)`);
  L.push(`    (local $kh i32) (local $k i32) (local $wk i32) (local $row i32) (local $cs i32)`);
  L.push(`    ${Array.from({ length: r }, (_, i) => `(local $p${i} i32)`).join(' ')}`);
  L.push(`    ${Array.from({ length: r * v }, (_, i) => `(local $a${Math.floor(i / v)}_${i % v} v128)`).join(' ')}`);
  L.push(`    ${Array.from({ length: v }, (_, j) => `(local $b${j} v128)`).join(' ')} (local $s v128)`);
  // Start from the bias (or zero).
  for (let j = 0; j < v; j++) {
    L.push(`    (local.set $b${j} (if (result v128) (global.get $hasBias) (then (v128.load offset=${16 * j} (local.get $bp))) (else (v128.const i32x4 0 0 0 0))))`);
    for (let i = 0; i < r; i++) L.push(`    (local.set $a${i}_${j} (local.get $b${j}))`);
  }
  // Globals are memory loads in V8: the loop's stride in a local.
  L.push(`    (local.set $cs (global.get $co4))`);
  L.push(`    (local.set $wk (local.get $wp))`);
  L.push(`    (local.set $row (local.get $xpos))`);
  L.push(`    (local.set $kh (global.get $KH))`);
  L.push(`    (loop $rows`);
  for (let i = 0; i < r; i++) L.push(`      (local.set $p${i} (i32.add (local.get $row) (i32.mul (global.get $xstep) (i32.const ${i}))))`);
  L.push(`      (local.set $k (global.get $kwci))`);
  L.push(`      (loop $red`);
  for (let j = 0; j < v; j++) L.push(`        (local.set $b${j} (v128.load offset=${16 * j} (local.get $wk)))`);
  for (let i = 0; i < r; i++) {
    L.push(`        (local.set $s (v128.load32_splat (local.get $p${i})))`);
    for (let j = 0; j < v; j++) {
      const a = `$a${i}_${j}`;
      L.push(`        ${madd(a, '$s', `$b${j}`, fma)}`);
    }
    L.push(`        (local.set $p${i} (i32.add (local.get $p${i}) (i32.const 4)))`);
  }
  L.push(`        (local.set $wk (i32.add (local.get $wk) (local.get $cs)))`);
  L.push(`        (br_if $red (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))`);
  L.push(`      (local.set $row (i32.add (local.get $row) (global.get $xrow)))`);
  L.push(`      (br_if $rows (local.tee $kh (i32.sub (local.get $kh) (i32.const 1)))))`);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < v; j++) {
      const a = `(local.get $a${i}_${j})`;
      const val = `(if (result v128) (global.get $relu) (then (f32x4.max ${a} (v128.const i32x4 0 0 0 0))) (else ${a}))`;
      L.push(`    (v128.store offset=${16 * (i * 0 + j)} (i32.add (local.get $yp) (i32.mul (global.get $co4) (i32.const ${i}))) ${val})`);
    }
  L.push(`  )`);
  return L.join('\n');
}

function driver(R, V, base) {
  return `
  (func $conv_forward (export "conv_forward") (param $xp i32) (param $w i32) (param $bias i32) (param $y i32) (param $n0 i32) (param $n1 i32)
      (param $Hp i32) (param $Wp i32) (param $Ci i32) (param $OH i32) (param $OW i32) (param $Co i32)
      (param $KHp i32) (param $KW i32) (param $sH i32) (param $sW i32) (param $act i32) (param $hb i32) (param $wStride i32)
    (local $n i32) (local $oh i32) (local $ow0 i32) (local $co0 i32) (local $r i32) (local $v i32) (local $xrowPos i32) (local $yrow i32) (local $wn i32)
    (global.set $KH (local.get $KHp))
    (global.set $co4 (i32.shl (local.get $Co) (i32.const 2)))
    (global.set $xrow (i32.shl (i32.mul (local.get $Wp) (local.get $Ci)) (i32.const 2)))
    (global.set $xstep (i32.shl (i32.mul (local.get $sW) (local.get $Ci)) (i32.const 2)))
    (global.set $kwci (i32.mul (local.get $KW) (local.get $Ci)))
    (global.set $relu (local.get $act))
    (global.set $hasBias (local.get $hb))
    (local.set $n (local.get $n0))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $n1)))
      ;; wStride 0: one filter; else each image its own (Winograd's 16 matrices)
      (local.set $wn (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $wStride))))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_s (local.get $oh) (local.get $OH)))
        (local.set $xrowPos (i32.add (local.get $xp) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Hp)) (i32.mul (local.get $oh) (local.get $sH))) (global.get $xrow))))
        (local.set $yrow (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh)) (i32.mul (local.get $OW) (global.get $co4)))))
        (local.set $co0 (i32.const 0))
        (block $codone (loop $coloop
          (br_if $codone (i32.ge_s (local.get $co0) (local.get $Co)))
          (local.set $v (i32.shr_s (i32.sub (local.get $Co) (local.get $co0)) (i32.const 2)))
          (local.set $v (select (i32.const ${V}) (local.get $v) (i32.gt_s (local.get $v) (i32.const ${V}))))
          (local.set $ow0 (i32.const 0))
          (block $owdone (loop $owloop
            (br_if $owdone (i32.ge_s (local.get $ow0) (local.get $OW)))
            (local.set $r (i32.sub (local.get $OW) (local.get $ow0)))
            (local.set $r (select (i32.const ${R}) (local.get $r) (i32.gt_s (local.get $r) (i32.const ${R}))))
            (call_indirect (type $convT)
              (i32.add (local.get $xrowPos) (i32.mul (local.get $ow0) (global.get $xstep)))
              (i32.add (local.get $wn) (i32.shl (local.get $co0) (i32.const 2)))
              (i32.add (i32.add (local.get $yrow) (i32.mul (local.get $ow0) (global.get $co4))) (i32.shl (local.get $co0) (i32.const 2)))
              (i32.add (local.get $bias) (i32.shl (local.get $co0) (i32.const 2)))
              (i32.add (i32.const ${base}) (i32.add (i32.mul (i32.sub (local.get $r) (i32.const 1)) (i32.const ${V})) (i32.sub (local.get $v) (i32.const 1)))))
            (local.set $ow0 (i32.add (local.get $ow0) (local.get $r)))
            (br $owloop)))
          (local.set $co0 (i32.add (local.get $co0) (i32.shl (local.get $v) (i32.const 2))))
          (br $coloop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )`;
}

/** xp = x zero-padded, images [n0, n1): `pT` rows on top and `pL` columns on the left (negative crops), Hp × Wp in all. */
const PAD_COPY = `
  (func (export "pad_copy") (param $x i32) (param $xp i32) (param $n0 i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
      (param $Hp i32) (param $Wp i32) (param $pT i32) (param $pL i32)
    (local $n i32) (local $r i32) (local $ih i32) (local $c0 i32) (local $c1 i32) (local $dst i32) (local $src i32)
    (memory.fill (i32.add (local.get $xp) (i32.shl (i32.mul (i32.mul (local.get $n0) (local.get $Hp)) (i32.mul (local.get $Wp) (local.get $C))) (i32.const 2)))
      (i32.const 0) (i32.shl (i32.mul (i32.mul (i32.sub (local.get $N) (local.get $n0)) (local.get $Hp)) (i32.mul (local.get $Wp) (local.get $C))) (i32.const 2)))
    ;; destination columns [c0, c1) hold source columns [c0 - pL, c1 - pL)
    (local.set $c0 (select (local.get $pL) (i32.const 0) (i32.gt_s (local.get $pL) (i32.const 0))))
    (local.set $c1 (i32.add (local.get $W) (local.get $pL)))
    (local.set $c1 (select (local.get $Wp) (local.get $c1) (i32.gt_s (local.get $c1) (local.get $Wp))))
    (if (i32.le_s (local.get $c1) (local.get $c0)) (then (return)))
    (local.set $n (local.get $n0))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $Hp)))
        (local.set $ih (i32.sub (local.get $r) (local.get $pT)))
        (if (i32.lt_u (local.get $ih) (local.get $H)) (then
          (local.set $dst (i32.add (local.get $xp) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Hp)) (local.get $r)) (local.get $Wp)) (local.get $c0)) (local.get $C)) (i32.const 2))))
          (local.set $src (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (i32.sub (local.get $c0) (local.get $pL))) (local.get $C)) (i32.const 2))))
          (memory.copy (local.get $dst) (local.get $src) (i32.shl (i32.mul (i32.sub (local.get $c1) (local.get $c0)) (local.get $C)) (i32.const 2)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )`;

/** The tiles (their table slots from `base`), the driver, pad_copy and the globals they share. */
export function convForwardParts({ fma, R = 4, V = 2, base }) {
  const tiles = [];
  const names = [];
  for (let r = 1; r <= R; r++)
    for (let v = 1; v <= V; v++) {
      tiles.push(tile(r, v, fma));
      names.push(`$c${r}_${v}`);
    }
  const globals = ['KH', 'kwci', 'relu', 'hasBias'].map((g) => `  (global $${g} (mut i32) (i32.const 0))`).join('\n');
  return { names, type: '(type $convT (func (param i32 i32 i32 i32)))', globals, body: `${tiles.join('\n')}\n${driver(R, V, base)}\n${PAD_COPY}` };
}
