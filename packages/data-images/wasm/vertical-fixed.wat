;; The vertical passes of the resizes in WebAssembly SIMD. `vertical`: Pillow's 8-bit pass
;; (ImagingResampleVertical_8bpc): output row o = clip8((2^21 + sum_t k[o*stride+t] * row[start[o]+t]) >> 22), 16 values
;; at a time in four i32x4 sums (exact integer arithmetic, the same sums as Pillow's), the
;; saturating narrows doing the clip to [0, 255]; the last rowLen % 16 values one by one.
;; Regenerate src/vertical-fixed-wasm.ts with `node wasm/build.mjs` (after `npm install --no-save wabt@1.0.39`).
(module
  (memory (export "memory") 1)
  (func (export "vertical")
    (param $src i32) (param $rowLen i32) (param $outH i32) (param $start i32) (param $count i32)
    (param $k i32) (param $stride i32) (param $out i32)
    (local $o i32) (local $n i32) (local $t i32) (local $x i32) (local $base i32) (local $p i32)
    (local $kp i32) (local $q i32) (local $w i32) (local $ss i32) (local $end16 i32)
    (local $wv v128) (local $v v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end16 (i32.and (local.get $rowLen) (i32.const -16)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $o) (local.get $outH)))
        (local.set $n (i32.load (i32.add (local.get $count) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $base (i32.add (local.get $src)
          (i32.mul (i32.load (i32.add (local.get $start) (i32.shl (local.get $o) (i32.const 2)))) (local.get $rowLen))))
        (local.set $kp (i32.add (local.get $k) (i32.shl (i32.mul (local.get $o) (local.get $stride)) (i32.const 2))))
        (local.set $q (i32.add (local.get $out) (i32.mul (local.get $o) (local.get $rowLen))))
        (local.set $x (i32.const 0))
        ;; 16 values at a time
        (block $wide_done
          (loop $wide
            (br_if $wide_done (i32.ge_u (local.get $x) (local.get $end16)))
            (local.set $a0 (i32x4.splat (i32.const 2097152)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $t (i32.const 0))
            (local.set $p (i32.add (local.get $base) (local.get $x)))
            (block $taps_done
              (loop $taps
                (br_if $taps_done (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $wv (i32x4.splat (i32.load (i32.add (local.get $kp) (i32.shl (local.get $t) (i32.const 2))))))
                (local.set $v (v128.load (local.get $p)))
                (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $wv))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $wv))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $wv))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $wv))))
                (local.set $p (i32.add (local.get $p) (local.get $rowLen)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $taps)))
            (v128.store (i32.add (local.get $q) (local.get $x))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a0) (i32.const 22)) (i32x4.shr_s (local.get $a1) (i32.const 22)))
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a2) (i32.const 22)) (i32x4.shr_s (local.get $a3) (i32.const 22)))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $wide)))
        ;; the rest, one value at a time
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $x) (local.get $rowLen)))
            (local.set $ss (i32.const 2097152))
            (local.set $t (i32.const 0))
            (local.set $p (i32.add (local.get $base) (local.get $x)))
            (block $ttaps_done
              (loop $ttaps
                (br_if $ttaps_done (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $ss (i32.add (local.get $ss)
                  (i32.mul (i32.load8_u (local.get $p)) (i32.load (i32.add (local.get $kp) (i32.shl (local.get $t) (i32.const 2)))))))
                (local.set $p (i32.add (local.get $p) (local.get $rowLen)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $ttaps)))
            (local.set $ss (i32.shr_s (local.get $ss) (i32.const 22)))
            (i32.store8 (i32.add (local.get $q) (local.get $x))
              (select (i32.const 0)
                (select (i32.const 255) (local.get $ss) (i32.gt_s (local.get $ss) (i32.const 255)))
                (i32.lt_s (local.get $ss) (i32.const 0))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $tail)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $rows))))

  ;; tf.image.resize's vertical float pass as src/separable-pass.ts computes it: each output
  ;; value = sum_t double(row[start[o]+t] (float32)) * w[o*stride+t] (float64), in tap order,
  ;; stored as float32, then rounded half up (in double) and clipped to [0, 255]. IEEE double
  ;; multiply and add are exact-rounded in wasm as in JS, so the bytes are the JS pass's.
  (func (export "verticalFloat")
    (param $src i32) (param $rowLen i32) (param $outH i32) (param $start i32) (param $count i32)
    (param $w i32) (param $stride i32) (param $out i32)
    (local $o i32) (local $n i32) (local $t i32) (local $x i32) (local $base i32) (local $p i32)
    (local $wp i32) (local $q i32) (local $end4 i32) (local $rowBytes i32) (local $acc f64)
    (local $wv v128) (local $v v128) (local $a0 v128) (local $a1 v128) (local $i0 v128) (local $i1 v128)
    (local.set $end4 (i32.and (local.get $rowLen) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $rowLen) (i32.const 2)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $o) (local.get $outH)))
        (local.set $n (i32.load (i32.add (local.get $count) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $base (i32.add (local.get $src)
          (i32.mul (i32.load (i32.add (local.get $start) (i32.shl (local.get $o) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $wp (i32.add (local.get $w) (i32.shl (i32.mul (local.get $o) (local.get $stride)) (i32.const 3))))
        (local.set $q (i32.add (local.get $out) (i32.mul (local.get $o) (local.get $rowLen))))
        (local.set $x (i32.const 0))
        (block $wide_done
          (loop $wide
            (br_if $wide_done (i32.ge_u (local.get $x) (local.get $end4)))
            (local.set $a0 (f64x2.splat (f64.const 0)))
            (local.set $a1 (local.get $a0))
            (local.set $t (i32.const 0))
            (local.set $p (i32.add (local.get $base) (i32.shl (local.get $x) (i32.const 2))))
            (block $taps_done
              (loop $taps
                (br_if $taps_done (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $wv (f64x2.splat (f64.load (i32.add (local.get $wp) (i32.shl (local.get $t) (i32.const 3))))))
                (local.set $v (v128.load (local.get $p)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $wv))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
                  (local.get $wv))))
                (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $taps)))
            ;; float32 (Math.fround), back to double, + 0.5, truncate: Math.round for the kept range.
            (local.set $i0 (i32x4.trunc_sat_f64x2_s_zero (f64x2.add
              (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (local.get $a0))) (f64x2.splat (f64.const 0.5)))))
            (local.set $i1 (i32x4.trunc_sat_f64x2_s_zero (f64x2.add
              (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (local.get $a1))) (f64x2.splat (f64.const 0.5)))))
            (local.set $i0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $i0) (local.get $i1)))
            (local.set $i0 (i16x8.narrow_i32x4_s (local.get $i0) (local.get $i0)))
            (v128.store32_lane 0 (i32.add (local.get $q) (local.get $x)) (i8x16.narrow_i16x8_u (local.get $i0) (local.get $i0)))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (br $wide)))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $x) (local.get $rowLen)))
            (local.set $acc (f64.const 0))
            (local.set $t (i32.const 0))
            (local.set $p (i32.add (local.get $base) (i32.shl (local.get $x) (i32.const 2))))
            (block $ttaps_done
              (loop $ttaps
                (br_if $ttaps_done (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $acc (f64.add (local.get $acc)
                  (f64.mul (f64.promote_f32 (f32.load (local.get $p))) (f64.load (i32.add (local.get $wp) (i32.shl (local.get $t) (i32.const 3)))))))
                (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $ttaps)))
            (local.set $t (i32.trunc_sat_f64_s (f64.add (f64.promote_f32 (f32.demote_f64 (local.get $acc))) (f64.const 0.5))))
            (i32.store8 (i32.add (local.get $q) (local.get $x))
              (select (i32.const 0)
                (select (i32.const 255) (local.get $t) (i32.gt_s (local.get $t) (i32.const 255)))
                (i32.lt_s (local.get $t) (i32.const 0))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $tail)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $rows))))
)
