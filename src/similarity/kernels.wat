;; SIMD (f32x4) kernels of the implicit ALS solve, on one shared memory holding factors, CSR arrays and scratch.
;; Assembled into kernels.generated.ts by `node --require tsx/cjs src/similarity/kernels-build.ts`.
;; All pointers are byte offsets; vector lengths n are multiples of 4.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; sum of a[i] * b[i] for i < n, with two vector accumulators for instruction-level parallelism
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $acc0 v128) (local $acc1 v128)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_u (i32.add (local.get $a) (i32.const 32)) (local.get $end)))
        (local.set $acc0 (f32x4.add (local.get $acc0)
          (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $acc1 (f32x4.add (local.get $acc1)
          (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $pairs)))
    (if (i32.lt_u (local.get $a) (local.get $end))
      (then
        (local.set $acc0 (f32x4.add (local.get $acc0)
          (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))

  ;; out[i] += s * x[i] for i < n
  (func $axpy (param $s f32) (param $x i32) (param $out i32) (param $n i32)
    (local $end i32) (local $sv v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $out)
          (f32x4.add (v128.load (local.get $out)) (f32x4.mul (local.get $sv) (v128.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $l))))

  ;; p[i] = r[i] + s * p[i] for i < n
  (func $xpby (param $r i32) (param $s f32) (param $p i32) (param $n i32)
    (local $end i32) (local $sv v128)
    (local.set $end (i32.add (local.get $r) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
        (v128.store (local.get $p)
          (f32x4.add (v128.load (local.get $r)) (f32x4.mul (local.get $sv) (v128.load (local.get $p)))))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l))))

  ;; out = s * (G v) for the n x n row-major G
  (func $matvec (param $g i32) (param $v i32) (param $out i32) (param $n i32) (param $s f32)
    (local $i i32) (local $row i32)
    (local.set $row (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (f32.store (local.get $out) (f32.mul (local.get $s) (call $dot (local.get $g) (local.get $v) (local.get $n))))
        (local.set $g (i32.add (local.get $g) (local.get $row)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))

  ;; Warm-started CG steps on (G + sum_i d_ui y_i y_i^T) x_u = sum_i (1 + d_ui) y_i for rows u in [start, end),
  ;; x_u updated in place in `target`. The same algorithm as solveBlock in als.ts, in single precision.
  (func (export "solve")
    (param $indptr i32) (param $indices i32) (param $data i32)
    (param $other i32) (param $target i32) (param $g i32)
    (param $f i32) (param $steps i32) (param $start i32) (param $end i32) (param $scratch i32)
    (local $u i32) (local $x i32) (local $r i32) (local $p i32) (local $ap i32)
    (local $q i32) (local $qend i32) (local $y i32) (local $d f32) (local $rowBytes i32)
    (local $step i32) (local $rsold f32) (local $rsnew f32) (local $pap f32) (local $alpha f32)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (local.set $r (local.get $scratch))
    (local.set $p (i32.add (local.get $r) (local.get $rowBytes)))
    (local.set $ap (i32.add (local.get $p) (local.get $rowBytes)))
    (local.set $u (local.get $start))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $u) (local.get $end)))
        (local.set $x (i32.add (local.get $target) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $q (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $u) (i32.const 2)))))
        (local.set $qend (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $u) (i32.const 2)))))
        ;; a row without entries has b = 0, so its exact solution is x = 0: no CG needed
        (if (i32.eq (local.get $q) (local.get $qend))
          (then
            (memory.fill (local.get $x) (i32.const 0) (local.get $rowBytes))
            (local.set $u (i32.add (local.get $u) (i32.const 1)))
            (br $rows)))
        ;; r = b - A x
        (call $matvec (local.get $g) (local.get $x) (local.get $r) (local.get $f) (f32.const -1))
        (block $bDone
          (loop $b
            (br_if $bDone (i32.ge_u (local.get $q) (local.get $qend)))
            (local.set $y (i32.add (local.get $other)
              (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2)))) (local.get $rowBytes))))
            (local.set $d (f32.load (i32.add (local.get $data) (i32.shl (local.get $q) (i32.const 2)))))
            (call $axpy
              (f32.sub (f32.add (f32.const 1) (local.get $d))
                (f32.mul (local.get $d) (call $dot (local.get $y) (local.get $x) (local.get $f))))
              (local.get $y) (local.get $r) (local.get $f))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $b)))
        (memory.copy (local.get $p) (local.get $r) (local.get $rowBytes))
        (local.set $rsold (call $dot (local.get $r) (local.get $r) (local.get $f)))
        (block $cgDone
          (br_if $cgDone (f32.lt (local.get $rsold) (f32.const 1e-20)))
          (local.set $step (i32.const 0))
          (loop $cg
            (br_if $cgDone (i32.ge_u (local.get $step) (local.get $steps)))
            ;; ap = A p
            (call $matvec (local.get $g) (local.get $p) (local.get $ap) (local.get $f) (f32.const 1))
            (local.set $q (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $u) (i32.const 2)))))
            (block $apDone
              (loop $apl
                (br_if $apDone (i32.ge_u (local.get $q) (local.get $qend)))
                (local.set $y (i32.add (local.get $other)
                  (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2)))) (local.get $rowBytes))))
                (call $axpy
                  (f32.mul (f32.load (i32.add (local.get $data) (i32.shl (local.get $q) (i32.const 2))))
                    (call $dot (local.get $y) (local.get $p) (local.get $f)))
                  (local.get $y) (local.get $ap) (local.get $f))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $apl)))
            (local.set $pap (call $dot (local.get $p) (local.get $ap) (local.get $f)))
            (br_if $cgDone (i32.eqz (f32.gt (local.get $pap) (f32.const 0))))
            (local.set $alpha (f32.div (local.get $rsold) (local.get $pap)))
            (call $axpy (local.get $alpha) (local.get $p) (local.get $x) (local.get $f))
            (call $axpy (f32.neg (local.get $alpha)) (local.get $ap) (local.get $r) (local.get $f))
            (local.set $rsnew (call $dot (local.get $r) (local.get $r) (local.get $f)))
            (br_if $cgDone (f32.lt (local.get $rsnew) (f32.const 1e-20)))
            (call $xpby (local.get $r) (f32.div (local.get $rsnew) (local.get $rsold)) (local.get $p) (local.get $f))
            (local.set $rsold (local.get $rsnew))
            (local.set $step (i32.add (local.get $step) (i32.const 1)))
            (br $cg)))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $rows))))
;; Dot products of four consecutive query vectors (from byte offset q) with every one of `rows` rows of `unit`,
  ;; f floats each: out[t * rows + j] = query[t] . unit[j] for t < 4. Each candidate row is loaded once for four queries.
  (func (export "dots4")
    (param $unit i32) (param $rows i32) (param $f i32) (param $q i32) (param $out i32)
    (local $rowBytes i32) (local $j i32) (local $y i32) (local $d i32)
    (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32) (local $plane i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $v v128)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (local.set $plane (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $q0 (local.get $q))
    (local.set $q1 (i32.add (local.get $q0) (local.get $rowBytes)))
    (local.set $q2 (i32.add (local.get $q1) (local.get $rowBytes)))
    (local.set $q3 (i32.add (local.get $q2) (local.get $rowBytes)))
    (local.set $y (local.get $unit))
    (block $done
      (loop $cand
        (br_if $done (i32.ge_u (local.get $j) (local.get $rows)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (block $dimsDone
          (loop $dims
            (br_if $dimsDone (i32.ge_u (local.get $d) (local.get $rowBytes)))
            (local.set $v (v128.load (i32.add (local.get $y) (local.get $d))))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $q0) (local.get $d))))))
            (local.set $a1 (f32x4.add (local.get $a1)
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $q1) (local.get $d))))))
            (local.set $a2 (f32x4.add (local.get $a2)
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $q2) (local.get $d))))))
            (local.set $a3 (f32x4.add (local.get $a3)
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $q3) (local.get $d))))))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $dims)))
        (f32.store (local.get $out) (call $hsum (local.get $a0)))
        (f32.store (i32.add (local.get $out) (local.get $plane)) (call $hsum (local.get $a1)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $plane) (i32.const 1))) (call $hsum (local.get $a2)))
        (f32.store (i32.add (local.get $out) (i32.mul (local.get $plane) (i32.const 3))) (call $hsum (local.get $a3)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (local.get $rowBytes)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cand))))

  (func $hsum (param $a v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
;; Partial Gram matrix of rows [start, end) of the f-column matrix at x, into out (f x f floats, overwritten):
  ;; only the upper triangle, from each row's 4-aligned diagonal block rightwards, is filled (callers mirror it).
  (func (export "gram") (param $x i32) (param $f i32) (param $start i32) (param $end i32) (param $out i32)
    (local $rowBytes i32) (local $r i32) (local $xr i32) (local $i i32) (local $from i32)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $f) (local.get $rowBytes)))
    (local.set $r (local.get $start))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $i (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $i) (local.get $f)))
            (local.set $from (i32.and (local.get $i) (i32.const -4)))
            (call $axpy
              (f32.load (i32.add (local.get $xr) (i32.shl (local.get $i) (i32.const 2))))
              (i32.add (local.get $xr) (i32.shl (local.get $from) (i32.const 2)))
              (i32.add (local.get $out)
                (i32.add (i32.mul (local.get $i) (local.get $rowBytes)) (i32.shl (local.get $from) (i32.const 2))))
              (i32.sub (local.get $f) (local.get $from)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
)
