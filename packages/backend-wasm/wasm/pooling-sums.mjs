// Generates the WebAssembly text of two memory-bound kernels of a training step:
//   max_pool_grad: MaxPoolGrad (NHWC) for windows that never overlap, 4 channels at a time: each
//     window's dy goes to its first maximum (strictly greater, rows then columns), as
//     tfjs-backend-cpu decides; pixels outside every window get 0.
//   leading_sum: column sums over `rows` rows of `width` floats, each divided by `divisor` first,
//     accumulated in doubles in row order (tfjs-backend-cpu's order and precision): a bias
//     gradient (divisor 1) or a mean over the leading axes (batch norm's moments).

/**
 * One pass over a window's pixels, rows r0..r1 and columns q0..q1 in order, `k` counting them:
 * `$at` points at pixel (r, q), channels c..c+3, of the map at `base`, for `body`.
 */
const overWindow = (pass, base, body) => `            (local.set $k (i32.const 0))
            (local.set $r (local.get $r0))
            (block $r${pass}done (loop $r${pass}loop
              (br_if $r${pass}done (i32.ge_s (local.get $r) (local.get $r1)))
              (local.set $q (local.get $q0))
              (block $q${pass}done (loop $q${pass}loop
                (br_if $q${pass}done (i32.ge_s (local.get $q) (local.get $q1)))
                (local.set $at (i32.add (local.get ${base}) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $r)) (local.get $W)) (local.get $q)) (local.get $C)) (local.get $c)) (i32.const 2))))
                ${body}
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $q${pass}loop)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $r${pass}loop)))`;

export const POOLING_SUMS = `
  (func (export "max_pool_grad") (param $x i32) (param $dy i32) (param $dx i32) (param $n0 i32) (param $n1 i32)
      (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
      (param $KH i32) (param $KW i32) (param $sH i32) (param $sW i32) (param $pT i32) (param $pL i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $c i32) (local $r i32) (local $q i32) (local $k i32)
    (local $r0 i32) (local $q0 i32) (local $r1 i32) (local $q1 i32) (local $img i32) (local $at i32) (local $d i32)
    (local $best v128) (local $idx v128) (local $v v128) (local $m v128) (local $g v128)
    (local.set $img (i32.shl (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C)) (i32.const 2)))
    (memory.fill (i32.add (local.get $dx) (i32.mul (local.get $n0) (local.get $img))) (i32.const 0)
      (i32.mul (i32.sub (local.get $n1) (local.get $n0)) (local.get $img)))
    (local.set $n (local.get $n0))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $n1)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_s (local.get $oh) (local.get $OH)))
        (local.set $r0 (i32.sub (i32.mul (local.get $oh) (local.get $sH)) (local.get $pT)))
        (local.set $r1 (i32.add (local.get $r0) (local.get $KH)))
        (local.set $r1 (select (local.get $H) (local.get $r1) (i32.gt_s (local.get $r1) (local.get $H))))
        (local.set $r0 (select (local.get $r0) (i32.const 0) (i32.gt_s (local.get $r0) (i32.const 0))))
        (local.set $ow (i32.const 0))
        (block $owdone (loop $owloop
          (br_if $owdone (i32.ge_s (local.get $ow) (local.get $OW)))
          (local.set $q0 (i32.sub (i32.mul (local.get $ow) (local.get $sW)) (local.get $pL)))
          (local.set $q1 (i32.add (local.get $q0) (local.get $KW)))
          (local.set $q1 (select (local.get $W) (local.get $q1) (i32.gt_s (local.get $q1) (local.get $W))))
          (local.set $q0 (select (local.get $q0) (i32.const 0) (i32.gt_s (local.get $q0) (i32.const 0))))
          (local.set $d (i32.add (local.get $dy) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh)) (local.get $OW)) (local.get $ow)) (local.get $C)) (i32.const 2))))
          (local.set $c (i32.const 0))
          (block $cdone (loop $cloop
            (br_if $cdone (i32.ge_s (local.get $c) (local.get $C)))
            ;; pass 1: the first maximum's window position per lane (-1: none)
            (local.set $best (v128.const f32x4 -inf -inf -inf -inf))
            (local.set $idx (v128.const i32x4 -1 -1 -1 -1))
${overWindow('1', '$x', `(local.set $v (v128.load (local.get $at)))
                (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                (local.set $idx (v128.bitselect (i32x4.splat (local.get $k)) (local.get $idx) (local.get $m)))`)}
            ;; pass 2: dy to the winner, 0 to the rest of the window
            (local.set $g (v128.load (i32.add (local.get $d) (i32.shl (local.get $c) (i32.const 2)))))
${overWindow('2', '$dx', '(v128.store (local.get $at) (v128.and (local.get $g) (i32x4.eq (local.get $idx) (i32x4.splat (local.get $k)))))')}
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cloop)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owloop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  (func (export "leading_sum") (param $src i32) (param $dst i32) (param $acc i32) (param $rows i32) (param $width i32) (param $divisor f32)
    (local $r i32) (local $c i32) (local $p i32) (local $a i32) (local $v v128) (local $d v128)
    (local.set $d (f32x4.splat (local.get $divisor)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $width) (i32.const 3)))
    (local.set $p (local.get $src))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $a (local.get $acc))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $width)))
        ;; x / divisor rounded to float32 first (Mean, as tfjs-backend-cpu divides then sums; 1 for Sum)
        (local.set $v (f32x4.div (v128.load (local.get $p)) (local.get $d)))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $v))))
        (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
    (local.set $c (i32.const 0))
    (block $odone (loop $oloop
      (br_if $odone (i32.ge_s (local.get $c) (local.get $width)))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $oloop)))
  )`;
