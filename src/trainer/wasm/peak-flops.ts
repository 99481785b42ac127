// The peak of 128-bit wasm SIMD on one thread, for tests/bench/peak-flops.js (compiled there, not part of the app):
// 12 independent accumulators, each updated acc = acc · m + c per iteration (an f32x4 multiply and an f32x4 add,
// 8 FLOPs). Twelve chains hide the multiply and add latencies (3–4 cycles each), so the loop runs at the
// processor's throughput for 128-bit multiplies and adds; wasm has no fused multiply-add outside relaxed SIMD, so
// the bench also compiles this file with relaxed SIMD on, where each update is one fused multiply-add.
// Each chain stays bounded (m < 1), so no value overflows or goes subnormal however long it runs.

// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Runs `iters` iterations (96 FLOPs each) and returns a sum so the work cannot be optimised away. */
export function spin(iters: i32): f32 {
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  let a0 = f32x4.splat(1.0);
  let a1 = f32x4.splat(1.1);
  let a2 = f32x4.splat(1.2);
  let a3 = f32x4.splat(1.3);
  let a4 = f32x4.splat(1.4);
  let a5 = f32x4.splat(1.5);
  let a6 = f32x4.splat(1.6);
  let a7 = f32x4.splat(1.7);
  let a8 = f32x4.splat(1.8);
  let a9 = f32x4.splat(1.9);
  let a10 = f32x4.splat(2.0);
  let a11 = f32x4.splat(2.1);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, c);
    a1 = madd(a1, m, c);
    a2 = madd(a2, m, c);
    a3 = madd(a3, m, c);
    a4 = madd(a4, m, c);
    a5 = madd(a5, m, c);
    a6 = madd(a6, m, c);
    a7 = madd(a7, m, c);
    a8 = madd(a8, m, c);
    a9 = madd(a9, m, c);
    a10 = madd(a10, m, c);
    a11 = madd(a11, m, c);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
