// Generates the WebAssembly text of the transforms of Winograd's F(2×2, 3×3) (Lavin & Gray):
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A   for 4×4 input tiles d (stride 2) and 2×2 output tiles,
// with Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]] and Aᵀ = [[1,1,1,0],[0,1,−1,−1]].
// wino_in writes V[ξ][t][c] (ξ = 4i + j of the 4×4 transform, t = the tile) from the padded
// input; the 16 products V_ξ · U_ξ are the direct kernel's 1×1 convolutions; wino_out folds
// M[ξ][t][c] back to 2×2 outputs, adds the bias and applies ReLU. 4 channels per vector.

const ix = (a, b) => `${a}${b}`;

/** Bᵀ d B: F(2×2, 3×3) takes d1 − d3 in its last row, F(3×3, 2×2) (the filter gradient) d3 − d1. */
function inputTransform(weightGrad = false) {
  const L = [];
  // d[i][j]: the tile's 16 vectors
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++)
      L.push(`(local.set $d${ix(i, j)} (v128.load (i32.add (local.get $r${i}) (local.get $o${j}))))`);
  // t = Bᵀ d (per column j)
  for (let j = 0; j < 4; j++) {
    L.push(`(local.set $t0${j} (f32x4.sub (local.get $d0${j}) (local.get $d2${j})))`);
    L.push(`(local.set $t1${j} (f32x4.add (local.get $d1${j}) (local.get $d2${j})))`);
    L.push(`(local.set $t2${j} (f32x4.sub (local.get $d2${j}) (local.get $d1${j})))`);
    L.push(weightGrad ? `(local.set $t3${j} (f32x4.sub (local.get $d3${j}) (local.get $d1${j})))` : `(local.set $t3${j} (f32x4.sub (local.get $d1${j}) (local.get $d3${j})))`);
  }
  // v = t B (per row i), stored at V[4i + k]
  const store = (i, k, expr) => `(v128.store (i32.add (local.get $out) (i32.mul (global.get $wxi) (i32.const ${4 * i + k}))) ${expr})`;
  for (let i = 0; i < 4; i++) {
    L.push(store(i, 0, `(f32x4.sub (local.get $t${i}0) (local.get $t${i}2))`));
    L.push(store(i, 1, `(f32x4.add (local.get $t${i}1) (local.get $t${i}2))`));
    L.push(store(i, 2, `(f32x4.sub (local.get $t${i}2) (local.get $t${i}1))`));
    L.push(store(i, 3, weightGrad ? `(f32x4.sub (local.get $t${i}3) (local.get $t${i}1))` : `(f32x4.sub (local.get $t${i}1) (local.get $t${i}3))`));
  }
  return L.map((l) => `            ${l}`).join('\n');
}

function outputTransform() {
  const L = [];
  for (let x = 0; x < 16; x++) L.push(`(local.set $m${x} (v128.load (i32.add (local.get $mp) (i32.mul (global.get $wxi) (i32.const ${x})))))`);
  // s = Aᵀ m (per column k)
  for (let k = 0; k < 4; k++) {
    L.push(`(local.set $s0${k} (f32x4.add (f32x4.add (local.get $m${k}) (local.get $m${4 + k})) (local.get $m${8 + k})))`);
    L.push(`(local.set $s1${k} (f32x4.sub (f32x4.sub (local.get $m${4 + k}) (local.get $m${8 + k})) (local.get $m${12 + k})))`);
  }
  // y = s A, + bias, ReLU
  for (let i = 0; i < 2; i++) {
    L.push(`(local.set $y${i}0 (f32x4.add (f32x4.add (f32x4.add (local.get $s${i}0) (local.get $s${i}1)) (local.get $s${i}2)) (local.get $b)))`);
    L.push(`(local.set $y${i}1 (f32x4.add (f32x4.sub (f32x4.sub (local.get $s${i}1) (local.get $s${i}2)) (local.get $s${i}3)) (local.get $b)))`);
  }
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 2; j++) {
      const v = `(local.get $y${i}${j})`;
      const act = `(if (result v128) (local.get $relu) (then (f32x4.max ${v} (v128.const i32x4 0 0 0 0))) (else ${v}))`;
      const guard = `(i32.and (i32.lt_s (i32.add (local.get $oy) (i32.const ${i})) (local.get $OH)) (i32.lt_s (i32.add (local.get $ox) (i32.const ${j})) (local.get $OW)))`;
      const at = `(i32.add (local.get $yp) (i32.add (i32.mul (local.get $yrow) (i32.const ${i})) (i32.mul (local.get $co4) (i32.const ${j}))))`;
      L.push(`(if ${guard} (then (v128.store ${at} ${act})))`);
    }
  return L.map((l) => `            ${l}`).join('\n');
}

const locals = (prefix, n, type) => Array.from({ length: n }, (_, i) => `(local $${prefix}${i} ${type})`).join(' ');
const grid = (prefix, rows, cols) =>
  Array.from({ length: rows * cols }, (_, k) => `(local $${prefix}${Math.floor(k / cols)}${k % cols} v128)`).join(' ');

function filterTransform() {
  const L = [];
  for (let k = 0; k < 9; k++) L.push(`(local.set $g${k} (v128.load (i32.add (local.get $src) (i32.mul (local.get $plane) (i32.const ${k})))))`);
  // G g (4 rows × 3 columns), G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]]
  for (let c = 0; c < 3; c++) {
    const [g0, g1, g2] = [`(local.get $g${c})`, `(local.get $g${3 + c})`, `(local.get $g${6 + c})`];
    L.push(`(local.set $h0${c} ${g0})`);
    L.push(`(local.set $h1${c} (f32x4.mul (f32x4.add (f32x4.add ${g0} ${g1}) ${g2}) (local.get $half)))`);
    L.push(`(local.set $h2${c} (f32x4.mul (f32x4.add (f32x4.sub ${g0} ${g1}) ${g2}) (local.get $half)))`);
    L.push(`(local.set $h3${c} ${g2})`);
  }
  // (G g) Gᵀ → U[4r + k]
  const store = (x, expr) => `(v128.store (i32.add (local.get $dst) (i32.mul (local.get $plane) (i32.const ${x}))) ${expr})`;
  for (let r = 0; r < 4; r++) {
    const [a0, a1, a2] = [`(local.get $h${r}0)`, `(local.get $h${r}1)`, `(local.get $h${r}2)`];
    L.push(store(4 * r, a0));
    L.push(store(4 * r + 1, `(f32x4.mul (f32x4.add (f32x4.add ${a0} ${a1}) ${a2}) (local.get $half))`));
    L.push(store(4 * r + 2, `(f32x4.mul (f32x4.add (f32x4.sub ${a0} ${a1}) ${a2}) (local.get $half))`));
    L.push(store(4 * r + 3, a2));
  }
  return L.map((l) => `        ${l}`).join('\n');
}

/**
 * The loops every tile transform shares: images [n0, n1), tile rows `ty` < tH, tile columns
 * `tx` < tW, then 4 channels at a time up to `channels`. `perTile` sets the tile's pointers,
 * `perChannel` is the body; the pointers named in `advance` step 16 bytes with the channels.
 */
function overTiles({ channels, perTile, perChannel, advance }) {
  return `
    (local.set $n (local.get $n0))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $n1)))
      (local.set $ty (i32.const 0))
      (block $ydone (loop $yloop
        (br_if $ydone (i32.ge_s (local.get $ty) (local.get $tH)))
        (local.set $tx (i32.const 0))
        (block $xdone (loop $xloop
          (br_if $xdone (i32.ge_s (local.get $tx) (local.get $tW)))
          ${perTile}
          (local.set $c (i32.const 0))
          (block $cdone (loop $cloop
            (br_if $cdone (i32.ge_s (local.get $c) (local.get ${channels})))
${perChannel}
            ${advance.map((p) => `(local.set ${p} (i32.add (local.get ${p}) (i32.const 16)))`).join(' ')}
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cloop)))
          (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
          (br $xloop)))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br $yloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))`;
}

/** The byte offset of tile (n, ty, tx)'s first channel in a `[T][C]` plane, C·4 = `c4`. */
const tileOffset = (c4) => `(i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $tH)) (local.get $ty)) (local.get $tW)) (local.get $tx)) (local.get ${c4}))`;

/**
 * A function reading a zero-padded NHWC map in square tiles of `size` (stride 2) into their
 * transforms `[ξ][t][c]` (T·C floats apart, `wxi`): `size` row pointers `$r…` and column
 * offsets `$o…` for `body` (which loads with them and stores at `$out`).
 */
function tileFunction(name, size, extraLocals, setup, body) {
  const rows = Array.from({ length: size - 1 }, (_, i) => `(local.set $r${i + 1} (i32.add (local.get $r${i}) (local.get $row)))`).join(' ');
  const cols = Array.from({ length: size - 1 }, (_, i) => `(local.set $o${i + 1} (i32.mul (local.get $c4) (i32.const ${i + 1})))`).join(' ');
  const perTile = `(local.set $base (i32.add (local.get $src) (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Hs)) (i32.shl (local.get $ty) (i32.const 1))) (local.get $row))
            (i32.mul (i32.shl (local.get $tx) (i32.const 1)) (local.get $c4)))))
          (local.set $out (i32.add (local.get $V) ${tileOffset('$c4')}))`;
  return `
  (func $${name} (param $src i32) (param $V i32) (param $n0 i32) (param $n1 i32) (param $Hs i32) (param $Ws i32) (param $C i32)
      (param $tH i32) (param $tW i32) (param $T i32)
    (local $n i32) (local $ty i32) (local $tx i32) (local $c i32) (local $base i32) (local $out i32) (local $c4 i32) (local $row i32)
    ${locals('r', size, 'i32')} ${locals('o', size, 'i32')} ${extraLocals}
    ${setup}
    (local.set $c4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $row (i32.mul (local.get $Ws) (local.get $c4)))
    (global.set $wxi (i32.mul (local.get $T) (local.get $c4)))
    (local.set $o0 (i32.const 0)) ${cols}
${overTiles({ channels: '$C', perTile, perChannel: `            (local.set $r0 (local.get $base)) ${rows}\n${body}`, advance: ['$base', '$out'] })}
  )`;
}

/** Bᵀ d B of the input's 4×4 tiles: F(2×2, 3×3) (wino_in) or F(3×3, 2×2) (wgrad_in). */
const inputFunction = (name, weightGrad) => tileFunction(name, 4, `${grid('d', 4, 4)} ${grid('t', 4, 4)}`, '', inputTransform(weightGrad));

function dyTransform() {
  const L = [];
  for (let a = 0; a < 2; a++)
    for (let b = 0; b < 2; b++) L.push(`(local.set $g${a}${b} (v128.load (i32.add (local.get $r${a}) (local.get $o${b}))))`);
  // G g (4 × 2), G = [[1,0],[½,½],[½,−½],[0,1]], per column b
  for (let b = 0; b < 2; b++) {
    L.push(`(local.set $h0${b} (local.get $g0${b}))`);
    L.push(`(local.set $h1${b} (f32x4.mul (f32x4.add (local.get $g0${b}) (local.get $g1${b})) (local.get $half)))`);
    L.push(`(local.set $h2${b} (f32x4.mul (f32x4.sub (local.get $g0${b}) (local.get $g1${b})) (local.get $half)))`);
    L.push(`(local.set $h3${b} (local.get $g1${b}))`);
  }
  // (G g) Gᵀ → W[4r + k]
  const store = (x, expr) => `(v128.store (i32.add (local.get $out) (i32.mul (global.get $wxi) (i32.const ${x}))) ${expr})`;
  for (let r = 0; r < 4; r++) {
    L.push(store(4 * r, `(local.get $h${r}0)`));
    L.push(store(4 * r + 1, `(f32x4.mul (f32x4.add (local.get $h${r}0) (local.get $h${r}1)) (local.get $half))`));
    L.push(store(4 * r + 2, `(f32x4.mul (f32x4.sub (local.get $h${r}0) (local.get $h${r}1)) (local.get $half))`));
    L.push(store(4 * r + 3, `(local.get $h${r}1)`));
  }
  return L.map((l) => `            ${l}`).join('\n');
}

function weightOutputTransform() {
  const L = [];
  for (let x = 0; x < 16; x++) L.push(`(local.set $m${x} (v128.load (i32.add (local.get $src) (i32.mul (local.get $plane) (i32.const ${x})))))`);
  // s = Aᵀ m (3 × 4), Aᵀ = [[1,1,1,0],[0,1,−1,0],[0,1,1,1]], per column k
  for (let k = 0; k < 4; k++) {
    L.push(`(local.set $s0${k} (f32x4.add (f32x4.add (local.get $m${k}) (local.get $m${4 + k})) (local.get $m${8 + k})))`);
    L.push(`(local.set $s1${k} (f32x4.sub (local.get $m${4 + k}) (local.get $m${8 + k})))`);
    L.push(`(local.set $s2${k} (f32x4.add (f32x4.add (local.get $m${4 + k}) (local.get $m${8 + k})) (local.get $m${12 + k})))`);
  }
  const store = (x, expr) => `(v128.store (i32.add (local.get $dst) (i32.mul (local.get $plane) (i32.const ${x}))) ${expr})`;
  for (let i = 0; i < 3; i++) {
    L.push(store(3 * i, `(f32x4.add (f32x4.add (local.get $s${i}0) (local.get $s${i}1)) (local.get $s${i}2))`));
    L.push(store(3 * i + 1, `(f32x4.sub (local.get $s${i}1) (local.get $s${i}2))`));
    L.push(store(3 * i + 2, `(f32x4.add (f32x4.add (local.get $s${i}1) (local.get $s${i}2)) (local.get $s${i}3))`));
  }
  return L.map((l) => `        ${l}`).join('\n');
}

/**
 * A function over the `Ci × Co` plane of 16 (or 9) stacked planes, 4 output channels at a time:
 * `body` loads at `$src + k·$plane` and stores at `$dst + k·$plane` (the filter transforms).
 */
function planeFunction(name, extraLocals, setup, body) {
  return `
  (func (export "${name}") (param $src i32) (param $dst i32) (param $Ci i32) (param $Co i32)
    (local $i i32) (local $n i32) (local $plane i32) ${extraLocals}
    ${setup}
    (local.set $plane (i32.shl (i32.mul (local.get $Ci) (local.get $Co)) (i32.const 2)))
    (local.set $n (i32.shr_u (local.get $plane) (i32.const 4)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
${body}
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
  )`;
}

export const WINOGRAD = `
  ;; U[ξ][ci][co] = (G g Gᵀ)[ξ] for g = w[:, :, ci, co]
${planeFunction('wino_filter', `(local $half v128) ${locals('g', 9, 'v128')} ${grid('h', 4, 3)}`, '(local.set $half (f32x4.splat (f32.const 0.5)))', filterTransform())}

  (global $wxi (mut i32) (i32.const 0))
${inputFunction('wino_in', false)}
${inputFunction('wgrad_in', true)}
  (func $wino_out (param $M i32) (param $y i32) (param $bias i32) (param $n0 i32) (param $n1 i32) (param $OH i32) (param $OW i32)
      (param $Co i32) (param $tH i32) (param $tW i32) (param $T i32) (param $relu i32) (param $hb i32)
    (local $n i32) (local $ty i32) (local $tx i32) (local $c i32) (local $mp i32) (local $yp i32) (local $oy i32) (local $ox i32)
    (local $co4 i32) (local $yrow i32) (local $b v128)
    ${locals('m', 16, 'v128')} ${grid('s', 2, 4)} ${grid('y', 2, 2)}
    (local.set $co4 (i32.shl (local.get $Co) (i32.const 2)))
    (local.set $yrow (i32.mul (local.get $OW) (local.get $co4)))
    (global.set $wxi (i32.mul (local.get $T) (local.get $co4)))
${overTiles({
  channels: '$Co',
  perTile: `(local.set $oy (i32.shl (local.get $ty) (i32.const 1)))
          (local.set $ox (i32.shl (local.get $tx) (i32.const 1)))
          (local.set $mp (i32.add (local.get $M) ${tileOffset('$co4')}))
          (local.set $yp (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oy)) (local.get $OW)) (local.get $ox)) (local.get $co4))))`,
  perChannel: `            (local.set $b (if (result v128) (local.get $hb) (then (v128.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))) (else (v128.const i32x4 0 0 0 0))))
${outputTransform()}`,
  advance: ['$mp', '$yp'],
})}
  )

  ;; The three phases image by image, through buffers of one image's tiles (\`vs\`, \`ms\`: this
  ;; thread's own), so V and M stay in the core's cache instead of passing through memory.
  (func (export "wino_fused") (param $xp i32) (param $U i32) (param $y i32) (param $bias i32) (param $n0 i32) (param $n1 i32)
      (param $Hp i32) (param $Wp i32) (param $Ci i32) (param $OH i32) (param $OW i32) (param $Co i32)
      (param $tH i32) (param $tW i32) (param $relu i32) (param $hb i32) (param $vs i32) (param $ms i32)
    (local $n i32) (local $T i32)
    (local.set $T (i32.mul (local.get $tH) (local.get $tW)))
    (local.set $n (local.get $n0))
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $n) (local.get $n1)))
      (call $wino_in (i32.add (local.get $xp) (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $Hp)) (i32.mul (local.get $Wp) (local.get $Ci))) (i32.const 2)))
        (local.get $vs) (i32.const 0) (i32.const 1) (local.get $Hp) (local.get $Wp) (local.get $Ci) (local.get $tH) (local.get $tW) (local.get $T))
      (call $conv_forward (local.get $vs) (local.get $U) (i32.const 0) (local.get $ms) (i32.const 0) (i32.const 16)
        (i32.const 1) (local.get $T) (local.get $Ci) (i32.const 1) (local.get $T) (local.get $Co) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.shl (i32.mul (local.get $Ci) (local.get $Co)) (i32.const 2)))
      (call $wino_out (local.get $ms) (i32.add (local.get $y) (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $OH)) (i32.mul (local.get $OW) (local.get $Co))) (i32.const 2)))
        (local.get $bias) (i32.const 0) (i32.const 1) (local.get $OH) (local.get $OW) (local.get $Co) (local.get $tH) (local.get $tW) (local.get $T) (local.get $relu) (local.get $hb))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l)))
  )

  ;; F(3×3, 2×2) for the filter gradient: dy's 2×2 tiles (dy zero-padded to even sizes) → W[ξ][t][co]
${tileFunction('wgrad_dy', 2, `(local $half v128) ${grid('g', 2, 2)} ${grid('h', 4, 2)}`, '(local.set $half (f32x4.splat (f32.const 0.5)))', dyTransform())}

  ;; dW[kh][kw][ci][co] = (Aᵀ M A)[kh][kw] from M[ξ][ci][co]
${planeFunction('wgrad_out', `${locals('m', 16, 'v128')} ${grid('s', 3, 4)}`, '', weightOutputTransform())}

  ;; Images [n0, n1) (one slice, summed into M + (n0 / slice)·mBytes) in groups of \`group\`:
  ;; tiles transformed into this thread's buffers, then M_ξ += V_ξᵀ W_ξ on the filter-gradient kernel.
  (func (export "wgrad_fused") (param $xp i32) (param $dyq i32) (param $M i32) (param $n0 i32) (param $n1 i32)
      (param $Hp i32) (param $Wp i32) (param $Ci i32) (param $Hq i32) (param $Wq i32) (param $Co i32)
      (param $tH i32) (param $tW i32) (param $rpb i32) (param $vs i32) (param $ws i32) (param $slice i32) (param $mBytes i32) (param $group i32)
    (local $n i32) (local $g i32) (local $T i32) (local $x i32) (local $plane i32)
    (local.set $M (i32.add (local.get $M) (i32.mul (i32.div_u (local.get $n0) (local.get $slice)) (local.get $mBytes))))
    (local.set $plane (i32.shl (i32.mul (local.get $Ci) (local.get $Co)) (i32.const 2)))
    (local.set $n (local.get $n0))
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $n) (local.get $n1)))
      (local.set $g (i32.sub (local.get $n1) (local.get $n)))
      (local.set $g (select (local.get $group) (local.get $g) (i32.gt_s (local.get $g) (local.get $group))))
      (local.set $T (i32.mul (local.get $g) (i32.mul (local.get $tH) (local.get $tW))))
      (call $wgrad_in (i32.add (local.get $xp) (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $Hp)) (i32.mul (local.get $Wp) (local.get $Ci))) (i32.const 2)))
        (local.get $vs) (i32.const 0) (local.get $g) (local.get $Hp) (local.get $Wp) (local.get $Ci) (local.get $tH) (local.get $tW) (local.get $T))
      (call $wgrad_dy (i32.add (local.get $dyq) (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $Hq)) (i32.mul (local.get $Wq) (local.get $Co))) (i32.const 2)))
        (local.get $ws) (i32.const 0) (local.get $g) (local.get $Hq) (local.get $Wq) (local.get $Co) (local.get $tH) (local.get $tW) (local.get $T))
      (local.set $x (i32.const 0))
      (block $xdone (loop $xloop
        (br_if $xdone (i32.ge_s (local.get $x) (i32.const 16)))
        ;; "image" ξ of g·tH × tW positions, its own buffer ξ·plane into M
        (call $filter_grad (local.get $vs) (local.get $ws) (local.get $M) (local.get $x) (i32.add (local.get $x) (i32.const 1))
          (i32.mul (local.get $g) (local.get $tH)) (local.get $tW) (local.get $Ci) (i32.mul (local.get $g) (local.get $tH)) (local.get $tW) (local.get $Co)
          (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 0) (local.get $rpb) (i32.const 1) (local.get $plane))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $xloop)))
      (local.set $n (i32.add (local.get $n) (local.get $g)))
      (br $l)))
  )`;
