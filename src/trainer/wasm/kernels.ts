// The project's training kernels for the tfjs wasm backend, in AssemblyScript with 128-bit SIMD.
// Compiled by `npm run build:wasm` to build/node/trainer/engine/kernels.wasm, which imports the tfjs backend's
// own memory: every pointer below is a tensor's offset in that heap (bytes), so no data is copied in or out.
// The module has no data segments and no allocator: it writes only where its callers point it.
// NHWC layouts throughout; "stride" arguments are in bytes.

/** Zero `bytes` bytes at `dst`. */
export function zero(dst: usize, bytes: i32): void {
  memory.fill(dst, 0, <usize>bytes);
}

/**
 * Copies `src` [n, h, w, c] into `dst` [n, hp, wp, cp] at row `top`, column `left` (channels 0..c−1), after
 * zeroing `dst`: a zero-padded (and channel-padded) copy.
 */
export function pad(src: usize, dst: usize, n: i32, h: i32, w: i32, c: i32, hp: i32, wp: i32, cp: i32, top: i32, left: i32): void {
  memory.fill(dst, 0, <usize>(n * hp * wp * cp) << 2);
  copyWindow(src, dst, n, h, w, c, hp, wp, cp, top, left, true);
}

/** The reverse of `pad`: copies the [n, h, w, c] window at (top, left) of `src` [n, hp, wp, cp] to `dst`. */
export function crop(src: usize, dst: usize, n: i32, h: i32, w: i32, c: i32, hp: i32, wp: i32, cp: i32, top: i32, left: i32): void {
  copyWindow(dst, src, n, h, w, c, hp, wp, cp, top, left, false);
}

/** Copies between `dense` [n, h, w, c] and the window at (top, left) of `framed` [n, hp, wp, cp], either way. */
function copyWindow(
  dense: usize, framed: usize, n: i32, h: i32, w: i32, c: i32, hp: i32, wp: i32, cp: i32, top: i32, left: i32, intoFrame: bool,
): void {
  const rowBytes = <usize>(w * c) << 2;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      const d = dense + ((<usize>((i * h + y) * w * c)) << 2);
      const f = framed + ((<usize>(((i * hp + y + top) * wp + left) * cp)) << 2);
      if (c == cp) {
        if (intoFrame) memory.copy(f, d, rowBytes);
        else memory.copy(d, f, rowBytes);
        continue;
      }
      for (let x = 0; x < w; x++) {
        const dx = d + ((<usize>(x * c)) << 2);
        const fx = f + ((<usize>(x * cp)) << 2);
        if (intoFrame) memory.copy(fx, dx, <usize>c << 2);
        else memory.copy(dx, fx, <usize>c << 2);
      }
    }
  }
}

/**
 * Filter gradient of a convolution (strides sh, sw): acc[t, o] += Σ over every output pixel p of
 * xp[origin(p) + taps[t]] · dz[p, o], where origin(p) is the top-left of p's window.
 * `xp` is the zero-padded input [n, hp, wp, c]; `dz` [n, ho, wo, co8] has co8 (a multiple of 8) channels;
 * `taps` holds k6 (a multiple of 6) i32 byte offsets of the taps from a window origin (the caller repeats a real
 * tap in the unused slots); `acc` [k6, co8] is accumulated into (the caller zeroes it).
 * Cache-blocked by image: one image's dz and input (≤ ~120 KB for cnn-strong) stay in L2 while every group of
 * six taps × eight channels passes over them; unblocked, each group streamed the whole batch from memory.
 */
export function filterGrad(
  xp: usize, dz: usize, taps: usize, acc: usize, n: i32, ho: i32, wo: i32, c: i32, hp: i32, wp: i32, co8: i32, sh: i32, sw: i32, k6: i32,
): void {
  const imageX = <usize>(hp * wp * c) << 2;
  const imageDz = <usize>(ho * wo * co8) << 2;
  for (let i = 0; i < n; i++) {
    const x0 = xp + <usize>i * imageX;
    const d0 = dz + <usize>i * imageDz;
    for (let g = 0; g < co8; g += 8) {
      for (let t = 0; t < k6; t += 6) {
        const tp = taps + (<usize>t << 2);
        filterGrad6x8(x0, d0 + (<usize>g << 2), ho, wo, c, wp, co8, sh, sw, tp, acc + ((<usize>(t * co8 + g)) << 2), <usize>co8 << 2);
      }
    }
  }
}

/**
 * One image's share of six taps × eight output channels, accumulated in registers (twelve named accumulators:
 * an array of them would not stay in registers) and added to the six eight-float rows at `out` (row stride
 * `outStride` bytes).
 */
// @ts-ignore: decorator
@inline
function filterGrad6x8(
  xp: usize, dz: usize, ho: i32, wo: i32, c: i32, wp: i32, co8: i32, sh: i32, sw: i32, taps: usize, out: usize, outStride: usize,
): void {
  const tap0 = <usize>load<i32>(taps);
  const tap1 = <usize>load<i32>(taps, 4);
  const tap2 = <usize>load<i32>(taps, 8);
  const tap3 = <usize>load<i32>(taps, 12);
  const tap4 = <usize>load<i32>(taps, 16);
  const tap5 = <usize>load<i32>(taps, 20);
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
  let a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
  let a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), b4 = f32x4.splat(0);
  let a5 = f32x4.splat(0), b5 = f32x4.splat(0);
  const pixBytes = <usize>(c * sw) << 2;
  const dzBytes = <usize>co8 << 2;
  let d = dz;
  for (let y = 0; y < ho; y++) {
    let x = xp + ((<usize>(y * sh * wp * c)) << 2);
    for (let col = 0; col < wo; col++) {
      const d0 = v128.load(d);
      const d1 = v128.load(d, 16);
      let s = v128.load32_splat(x + tap0);
      a0 = f32x4.add(a0, f32x4.mul(s, d0));
      b0 = f32x4.add(b0, f32x4.mul(s, d1));
      s = v128.load32_splat(x + tap1);
      a1 = f32x4.add(a1, f32x4.mul(s, d0));
      b1 = f32x4.add(b1, f32x4.mul(s, d1));
      s = v128.load32_splat(x + tap2);
      a2 = f32x4.add(a2, f32x4.mul(s, d0));
      b2 = f32x4.add(b2, f32x4.mul(s, d1));
      s = v128.load32_splat(x + tap3);
      a3 = f32x4.add(a3, f32x4.mul(s, d0));
      b3 = f32x4.add(b3, f32x4.mul(s, d1));
      s = v128.load32_splat(x + tap4);
      a4 = f32x4.add(a4, f32x4.mul(s, d0));
      b4 = f32x4.add(b4, f32x4.mul(s, d1));
      s = v128.load32_splat(x + tap5);
      a5 = f32x4.add(a5, f32x4.mul(s, d0));
      b5 = f32x4.add(b5, f32x4.mul(s, d1));
      x += pixBytes;
      d += dzBytes;
    }
  }
  let o = out;
  v128.store(o, f32x4.add(v128.load(o), a0));
  v128.store(o, f32x4.add(v128.load(o, 16), b0), 16);
  o += outStride;
  v128.store(o, f32x4.add(v128.load(o), a1));
  v128.store(o, f32x4.add(v128.load(o, 16), b1), 16);
  o += outStride;
  v128.store(o, f32x4.add(v128.load(o), a2));
  v128.store(o, f32x4.add(v128.load(o, 16), b2), 16);
  o += outStride;
  v128.store(o, f32x4.add(v128.load(o), a3));
  v128.store(o, f32x4.add(v128.load(o, 16), b3), 16);
  o += outStride;
  v128.store(o, f32x4.add(v128.load(o), a4));
  v128.store(o, f32x4.add(v128.load(o, 16), b4), 16);
  o += outStride;
  v128.store(o, f32x4.add(v128.load(o), a5));
  v128.store(o, f32x4.add(v128.load(o, 16), b5), 16);
}

/**
 * Input gradient of a convolution (strides sh, sw), scattered: for every pixel p of dz [n, ho, wo, co], every
 * filter row ky and every 32-float slice s of that row, dxp[p's window origin + ky row + slice s] +=
 * Σ_o dz[p, o] · wt[ky, s, o, 0..31]. `wt` [kh, slices, co, 32] holds the filter rows (kx·c + ci flattened) per
 * output channel, zero past a row's end, so the padded lanes add zero to the neighbouring pixel. `dxp`
 * [n, hp, wp, c] is the padded input gradient, zeroed, with at least 32 floats of slack past its end.
 * Cache-blocked by image: one image's dz and dxp stay in L2 while every (row, slice) pass goes over them.
 */
export function inputGrad(
  dz: usize, wt: usize, dxp: usize, n: i32, ho: i32, wo: i32, co: i32, c: i32, hp: i32, wp: i32, sh: i32, sw: i32, kh: i32, slices: i32,
): void {
  const imageDz = <usize>(ho * wo * co) << 2;
  const imageDx = <usize>(hp * wp * c) << 2;
  const sliceBytes = <usize>co << 7;
  for (let i = 0; i < n; i++) {
    const d0 = dz + <usize>i * imageDz;
    const x0 = dxp + <usize>i * imageDx;
    for (let ky = 0; ky < kh; ky++) {
      for (let s = 0; s < slices; s++) {
        const w = wt + <usize>(ky * slices + s) * sliceBytes;
        inputGradRow(d0, w, x0 + ((<usize>(ky * wp * c + s * 32)) << 2), ho, wo, co, c, wp, sh, sw);
      }
    }
  }
}

/** One image's share of one filter-row slice: 32 floats of dx per dz pixel, accumulated in eight registers. */
// @ts-ignore: decorator
@inline
function inputGradRow(dz: usize, wt: usize, dxp: usize, ho: i32, wo: i32, co: i32, c: i32, wp: i32, sh: i32, sw: i32): void {
  const pixBytes = <usize>(c * sw) << 2;
  let d = dz;
  for (let y = 0; y < ho; y++) {
    let dst = dxp + ((<usize>(y * sh * wp * c)) << 2);
    for (let col = 0; col < wo; col++) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
      let w = wt;
      for (let o = 0; o < co; o++) {
        const s = v128.load32_splat(d);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(w)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(w, 16)));
        a2 = f32x4.add(a2, f32x4.mul(s, v128.load(w, 32)));
        a3 = f32x4.add(a3, f32x4.mul(s, v128.load(w, 48)));
        a4 = f32x4.add(a4, f32x4.mul(s, v128.load(w, 64)));
        a5 = f32x4.add(a5, f32x4.mul(s, v128.load(w, 80)));
        a6 = f32x4.add(a6, f32x4.mul(s, v128.load(w, 96)));
        a7 = f32x4.add(a7, f32x4.mul(s, v128.load(w, 112)));
        d += 4;
        w += 128;
      }
      v128.store(dst, f32x4.add(v128.load(dst), a0));
      v128.store(dst, f32x4.add(v128.load(dst, 16), a1), 16);
      v128.store(dst, f32x4.add(v128.load(dst, 32), a2), 32);
      v128.store(dst, f32x4.add(v128.load(dst, 48), a3), 48);
      v128.store(dst, f32x4.add(v128.load(dst, 64), a4), 64);
      v128.store(dst, f32x4.add(v128.load(dst, 80), a5), 80);
      v128.store(dst, f32x4.add(v128.load(dst, 96), a6), 96);
      v128.store(dst, f32x4.add(v128.load(dst, 112), a7), 112);
      dst += pixBytes;
    }
  }
}

/**
 * [dz, db] for a ReLU followed by a 2×2, stride-2 max pool: the pool's gradient `dy` [rows, wo, c] goes to the
 * first maximum of each window of `y` [2·rows, 2·wo, c] (row-major order, as MaxPoolGrad routes it) when that
 * maximum is positive, else nowhere; `db` [c] receives the sum. Branch-free (V8 turns float selects into jumps,
 * which mispredict on real data): four channels at a time with SIMD masks, or integer selects below four.
 */
export function poolReluBiasGrad(y: usize, dy: usize, dz: usize, db: usize, rows: i32, wo: i32, c: i32): void {
  memory.fill(db, 0, <usize>c << 2);
  const cBytes = <usize>c << 2;
  const rowBytes = <usize>(2 * wo * c) << 2;
  if (c < 4) {
    poolReluBiasGradNarrow(y, dy, dz, db, rows, wo, c, cBytes, rowBytes);
    return;
  }
  // A width that is not a multiple of four ends with a chunk overlapping the previous one; its overlapping lanes
  // rewrite identical dz values but must not add to db twice.
  const tail = c & 3;
  const all = i32x4.splat(-1);
  const fresh = i32x4.gt_s(i32x4(0, 1, 2, 3), i32x4.splat(3 - tail));
  let g = dy;
  for (let r = 0; r < rows; r++) {
    const top = <usize>(2 * r) * rowBytes;
    for (let ox = 0; ox < wo; ox++) {
      const base = top + <usize>(2 * ox) * cBytes;
      let k = 0;
      for (; k + 4 <= c; k += 4) poolWindow4(y, dz, db, base, g, k, cBytes, rowBytes, all);
      if (tail != 0) poolWindow4(y, dz, db, base, g, c - 4, cBytes, rowBytes, fresh);
      g += cBytes;
    }
  }
}

// @ts-ignore: decorator
@inline
function poolWindow4(y: usize, dz: usize, db: usize, base: usize, g: usize, k: i32, cBytes: usize, rowBytes: usize, dbMask: v128): void {
  const a = base + (<usize>k << 2);
  const b = a + cBytes;
  const e = a + rowBytes;
  const f = e + cBytes;
  const va = v128.load(y + a);
  const vb = v128.load(y + b);
  const ve = v128.load(y + e);
  const vf = v128.load(y + f);
  // First maximum wins ties: a later element must be strictly greater.
  const gb = f32x4.gt(vb, va);
  let m = v128.bitselect(vb, va, gb);
  const ge = f32x4.gt(ve, m);
  m = v128.bitselect(ve, m, ge);
  const gf = f32x4.gt(vf, m);
  m = v128.bitselect(vf, m, gf);
  const v = v128.and(v128.load(g + (<usize>k << 2)), f32x4.gt(m, f32x4.splat(0)));
  const notF = v128.not(gf);
  const atE = v128.and(ge, notF);
  const atB = v128.andnot(v128.and(gb, notF), ge);
  const atA = v128.not(v128.or(v128.or(gb, ge), gf));
  v128.store(dz + a, v128.and(v, atA));
  v128.store(dz + b, v128.and(v, atB));
  v128.store(dz + e, v128.and(v, atE));
  v128.store(dz + f, v128.and(v, gf));
  const acc = db + (<usize>k << 2);
  v128.store(acc, f32x4.add(v128.load(acc), v128.and(v, dbMask)));
}

/** One to three channels: integer selects on the bit patterns, which order like the floats for y ≥ 0 (a ReLU's output). */
function poolReluBiasGradNarrow(y: usize, dy: usize, dz: usize, db: usize, rows: i32, wo: i32, c: i32, cBytes: usize, rowBytes: usize): void {
  let g = dy;
  for (let r = 0; r < rows; r++) {
    const top = <usize>(2 * r) * rowBytes;
    for (let ox = 0; ox < wo; ox++) {
      const base = top + <usize>(2 * ox) * cBytes;
      for (let k = 0; k < c; k++) {
        const a = base + (<usize>k << 2);
        const b = a + cBytes;
        const e = a + rowBytes;
        const f = e + cBytes;
        const va = load<i32>(y + a);
        const vb = load<i32>(y + b);
        const ve = load<i32>(y + e);
        const vf = load<i32>(y + f);
        const bBest = vb > va;
        let m = select<i32>(vb, va, bBest);
        let at = select<i32>(1, 0, bBest);
        const eBest = ve > m;
        m = select<i32>(ve, m, eBest);
        at = select<i32>(2, at, eBest);
        const fBest = vf > m;
        m = select<i32>(vf, m, fBest);
        at = select<i32>(3, at, fBest);
        const v = select<i32>(load<i32>(g), 0, m > 0);
        store<i32>(dz + a, select<i32>(v, 0, at == 0));
        store<i32>(dz + b, select<i32>(v, 0, at == 1));
        store<i32>(dz + e, select<i32>(v, 0, at == 2));
        store<i32>(dz + f, select<i32>(v, 0, at == 3));
        const acc = db + (<usize>k << 2);
        store<f32>(acc, load<f32>(acc) + reinterpret<f32>(v));
        g += 4;
      }
    }
  }
}

/**
 * One Adam step (Keras' rule) over the floats from..to−1, in float32: g (+ g2, a second replica's gradient, or
 * zeros) → m, v → w. `step` is lr·√(1−β₂ᵗ)/(1−β₁ᵗ).
 */
export function adam(w: usize, g: usize, g2: usize, m: usize, v: usize, from: i32, to: i32, beta1: f32, beta2: f32, step: f32, eps: f32): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(1 - beta2);
  const s = f32x4.splat(step);
  const e = f32x4.splat(eps);
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const o = <usize>i << 2;
    const gv = f32x4.add(v128.load(g + o), v128.load(g2 + o));
    const mv = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, gv));
    const vv = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    v128.store(w + o, f32x4.sub(v128.load(w + o), f32x4.div(f32x4.mul(s, mv), f32x4.add(f32x4.sqrt(vv), e))));
  }
  for (; i < to; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o) + load<f32>(g2 + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, load<f32>(w + o) - (step * mi) / (sqrt<f32>(vi) + eps));
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** c[m, n] = Σ_k a[m, k] · b[n, k]: a [rows, k], b [cols, k], c [rows, cols] (a times b transposed). */
export function matMulABt(a: usize, b: usize, c: usize, rows: i32, cols: i32, k: i32): void {
  const kv = k & ~3;
  const rowBytes = <usize>k << 2;
  let m = 0;
  for (; m + 2 <= rows; m += 2) {
    const a0 = a + <usize>m * rowBytes;
    const a1 = a0 + rowBytes;
    let n = 0;
    for (; n + 4 <= cols; n += 4) {
      const b0 = b + <usize>n * rowBytes;
      const b1 = b0 + rowBytes;
      const b2 = b1 + rowBytes;
      const b3 = b2 + rowBytes;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      for (let i = 0; i < kv; i += 4) {
        const o = <usize>i << 2;
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        s00 = f32x4.add(s00, f32x4.mul(x0, y));
        s10 = f32x4.add(s10, f32x4.mul(x1, y));
        y = v128.load(b1 + o);
        s01 = f32x4.add(s01, f32x4.mul(x0, y));
        s11 = f32x4.add(s11, f32x4.mul(x1, y));
        y = v128.load(b2 + o);
        s02 = f32x4.add(s02, f32x4.mul(x0, y));
        s12 = f32x4.add(s12, f32x4.mul(x1, y));
        y = v128.load(b3 + o);
        s03 = f32x4.add(s03, f32x4.mul(x0, y));
        s13 = f32x4.add(s13, f32x4.mul(x1, y));
      }
      let r00 = hsum(s00), r01 = hsum(s01), r02 = hsum(s02), r03 = hsum(s03);
      let r10 = hsum(s10), r11 = hsum(s11), r12 = hsum(s12), r13 = hsum(s13);
      for (let i = kv; i < k; i++) {
        const o = <usize>i << 2;
        const x0 = load<f32>(a0 + o);
        const x1 = load<f32>(a1 + o);
        r00 += x0 * load<f32>(b0 + o);
        r01 += x0 * load<f32>(b1 + o);
        r02 += x0 * load<f32>(b2 + o);
        r03 += x0 * load<f32>(b3 + o);
        r10 += x1 * load<f32>(b0 + o);
        r11 += x1 * load<f32>(b1 + o);
        r12 += x1 * load<f32>(b2 + o);
        r13 += x1 * load<f32>(b3 + o);
      }
      const c0 = c + ((<usize>(m * cols + n)) << 2);
      const c1 = c0 + (<usize>cols << 2);
      store<f32>(c0, r00);
      store<f32>(c0, r01, 4);
      store<f32>(c0, r02, 8);
      store<f32>(c0, r03, 12);
      store<f32>(c1, r10);
      store<f32>(c1, r11, 4);
      store<f32>(c1, r12, 8);
      store<f32>(c1, r13, 12);
    }
    for (; n < cols; n++) {
      c2dot(a0, b + <usize>n * rowBytes, c + ((<usize>(m * cols + n)) << 2), k, kv);
      c2dot(a1, b + <usize>n * rowBytes, c + ((<usize>((m + 1) * cols + n)) << 2), k, kv);
    }
  }
  for (; m < rows; m++) {
    for (let n = 0; n < cols; n++) c2dot(a + <usize>m * rowBytes, b + <usize>n * rowBytes, c + ((<usize>(m * cols + n)) << 2), k, kv);
  }
}

/** *out = Σ_i x[i] · y[i] over k floats (kv of them in whole vectors). */
function c2dot(x: usize, y: usize, out: usize, k: i32, kv: i32): void {
  let s = f32x4.splat(0);
  for (let i = 0; i < kv; i += 4) {
    const o = <usize>i << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  let r = hsum(s);
  for (let i = kv; i < k; i++) r += load<f32>(x + (<usize>i << 2)) * load<f32>(y + (<usize>i << 2));
  store<f32>(out, r);
}

/**
 * c[i, n] = Σ_m a[m, i] · b[m, n]: a [inner, rows], b [inner, cols], c [rows, cols] (a transposed times b; the
 * weight gradient of a dense layer). Four rows × eight columns at a time, summed over `inner` in registers.
 */
export function matMulAtB(a: usize, b: usize, c: usize, inner: i32, rows: i32, cols: i32): void {
  const aRow = <usize>rows << 2;
  const bRow = <usize>cols << 2;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    let n = 0;
    for (; n + 8 <= cols; n += 8) {
      let s0 = f32x4.splat(0), t0 = f32x4.splat(0), s1 = f32x4.splat(0), t1 = f32x4.splat(0);
      let s2 = f32x4.splat(0), t2 = f32x4.splat(0), s3 = f32x4.splat(0), t3 = f32x4.splat(0);
      let pa = a + (<usize>i << 2);
      let pb = b + (<usize>n << 2);
      for (let m = 0; m < inner; m++) {
        const y0 = v128.load(pb);
        const y1 = v128.load(pb, 16);
        let x = v128.load32_splat(pa);
        s0 = f32x4.add(s0, f32x4.mul(x, y0));
        t0 = f32x4.add(t0, f32x4.mul(x, y1));
        x = v128.load32_splat(pa, 4);
        s1 = f32x4.add(s1, f32x4.mul(x, y0));
        t1 = f32x4.add(t1, f32x4.mul(x, y1));
        x = v128.load32_splat(pa, 8);
        s2 = f32x4.add(s2, f32x4.mul(x, y0));
        t2 = f32x4.add(t2, f32x4.mul(x, y1));
        x = v128.load32_splat(pa, 12);
        s3 = f32x4.add(s3, f32x4.mul(x, y0));
        t3 = f32x4.add(t3, f32x4.mul(x, y1));
        pa += aRow;
        pb += bRow;
      }
      const c0 = c + ((<usize>(i * cols + n)) << 2);
      v128.store(c0, s0);
      v128.store(c0, t0, 16);
      v128.store(c0 + bRow, s1);
      v128.store(c0 + bRow, t1, 16);
      v128.store(c0 + 2 * bRow, s2);
      v128.store(c0 + 2 * bRow, t2, 16);
      v128.store(c0 + 3 * bRow, s3);
      v128.store(c0 + 3 * bRow, t3, 16);
    }
    for (; n < cols; n++) {
      for (let r = i; r < i + 4; r++) atbOne(a, b, c, inner, rows, cols, r, n);
    }
  }
  for (; i < rows; i++) {
    for (let n = 0; n < cols; n++) atbOne(a, b, c, inner, rows, cols, i, n);
  }
}

function atbOne(a: usize, b: usize, c: usize, inner: i32, rows: i32, cols: i32, r: i32, n: i32): void {
  let s: f32 = 0;
  for (let m = 0; m < inner; m++) s += load<f32>(a + ((<usize>(m * rows + r)) << 2)) * load<f32>(b + ((<usize>(m * cols + n)) << 2));
  store<f32>(c + ((<usize>(r * cols + n)) << 2), s);
}

// BatchNorm in training mode over x [rows, c], c a multiple of four, channel-innermost. Sums run in float32 over
// blocks of BN_BLOCK rows and are added up across blocks in float64 (`out`), so 50,000-row sums stay exact to
// float32 precision. `scratch` holds 2c floats.
const BN_BLOCK = 64;

/** Adds the block sums (scratch[c..2c)) to the float64 totals at `out` and zeroes them. */
// @ts-ignore: decorator
@inline
function foldBlock(out: usize, block: usize, c: i32): void {
  for (let k = 0; k < c; k++) {
    const o = out + (<usize>k << 3);
    store<f64>(o, load<f64>(o) + <f64>load<f32>(block + (<usize>k << 2)));
  }
  memory.fill(block, 0, <usize>c << 2);
}

/**
 * out (f64 [2c]) = per channel: the mean, then Σ (x − mean)² (two passes: no cancellation, unlike E[x²] − E[x]²).
 */
export function bnMoments(x: usize, rows: i32, c: i32, out: usize, scratch: usize): void {
  const cBytes = <usize>c << 2;
  const mean = scratch;
  const block = scratch + cBytes;
  memory.fill(out, 0, <usize>c << 4);
  memory.fill(block, 0, cBytes);
  let p = x;
  for (let r0 = 0; r0 < rows; r0 += BN_BLOCK) {
    const r1 = min(rows, r0 + BN_BLOCK);
    for (let r = r0; r < r1; r++) {
      for (let k: usize = 0; k < cBytes; k += 16) v128.store(block + k, f32x4.add(v128.load(block + k), v128.load(p + k)));
      p += cBytes;
    }
    foldBlock(out, block, c);
  }
  for (let k = 0; k < c; k++) {
    const m = load<f64>(out + (<usize>k << 3)) / <f64>rows;
    store<f64>(out + (<usize>k << 3), m);
    store<f32>(mean + (<usize>k << 2), <f32>m);
  }
  const m2 = out + (<usize>c << 3);
  p = x;
  for (let r0 = 0; r0 < rows; r0 += BN_BLOCK) {
    const r1 = min(rows, r0 + BN_BLOCK);
    for (let r = r0; r < r1; r++) {
      for (let k: usize = 0; k < cBytes; k += 16) {
        const d = f32x4.sub(v128.load(p + k), v128.load(mean + k));
        v128.store(block + k, f32x4.add(v128.load(block + k), f32x4.mul(d, d)));
      }
      p += cBytes;
    }
    foldBlock(m2, block, c);
  }
}

/** xhat = (x − mean) · invStd and y = xhat · gamma + beta (then max(y, 0) when `relu`), one pass. */
export function bnNormalize(x: usize, xhat: usize, y: usize, rows: i32, c: i32, mean: usize, invStd: usize, gamma: usize, beta: usize, relu: bool): void {
  const cBytes = <usize>c << 2;
  const floor = relu ? f32x4.splat(0) : f32x4.splat(-Infinity);
  let o: usize = 0;
  for (let r = 0; r < rows; r++) {
    for (let k: usize = 0; k < cBytes; k += 16) {
      const h = f32x4.mul(f32x4.sub(v128.load(x + o + k), v128.load(mean + k)), v128.load(invStd + k));
      v128.store(xhat + o + k, h);
      v128.store(y + o + k, f32x4.max(f32x4.add(f32x4.mul(h, v128.load(gamma + k)), v128.load(beta + k)), floor));
    }
    o += cBytes;
  }
}

/** The gradient entering the BatchNorm: dy, or dy where the ReLU after it passed (y > 0) when `masked`. */
// @ts-ignore: decorator
@inline
function bnGrad(dy: usize, y: usize, o: usize, masked: bool): v128 {
  const g = v128.load(dy + o);
  return masked ? v128.and(g, f32x4.gt(v128.load(y + o), f32x4.splat(0))) : g;
}

/** out (f64 [2c]) = per channel Σ g, then Σ g · xhat, g as bnGrad gives it. */
export function bnGradSums(dy: usize, xhat: usize, y: usize, rows: i32, c: i32, masked: bool, out: usize, scratch: usize): void {
  const cBytes = <usize>c << 2;
  const sumG = scratch;
  const sumGX = scratch + cBytes;
  memory.fill(out, 0, <usize>c << 4);
  memory.fill(scratch, 0, cBytes << 1);
  let o: usize = 0;
  for (let r0 = 0; r0 < rows; r0 += BN_BLOCK) {
    const r1 = min(rows, r0 + BN_BLOCK);
    for (let r = r0; r < r1; r++) {
      for (let k: usize = 0; k < cBytes; k += 16) {
        const g = bnGrad(dy, y, o + k, masked);
        v128.store(sumG + k, f32x4.add(v128.load(sumG + k), g));
        v128.store(sumGX + k, f32x4.add(v128.load(sumGX + k), f32x4.mul(g, v128.load(xhat + o + k))));
      }
      o += cBytes;
    }
    foldBlock(out, sumG, c);
    foldBlock(out + (<usize>c << 3), sumGX, c);
  }
}

/** dx = (g − meanG − xhat · meanGX) · scale, g as bnGrad gives it. */
export function bnGradApply(dy: usize, xhat: usize, y: usize, dx: usize, rows: i32, c: i32, masked: bool, meanG: usize, meanGX: usize, scale: usize): void {
  const cBytes = <usize>c << 2;
  let o: usize = 0;
  for (let r = 0; r < rows; r++) {
    for (let k: usize = 0; k < cBytes; k += 16) {
      const g = bnGrad(dy, y, o + k, masked);
      const centred = f32x4.sub(f32x4.sub(g, v128.load(meanG + k)), f32x4.mul(v128.load(xhat + o + k), v128.load(meanGX + k)));
      v128.store(dx + o + k, f32x4.mul(centred, v128.load(scale + k)));
    }
    o += cBytes;
  }
}

/**
 * out (f32 [c]) = Σ over rows of x [rows, c] (c a multiple of four): a bias gradient, in float32 blocks of
 * BN_BLOCK rows added up in float64. `scratch` holds 3c floats.
 */
export function channelSums(x: usize, rows: i32, c: i32, out: usize, scratch: usize): void {
  const cBytes = <usize>c << 2;
  const block = scratch;
  const total = scratch + cBytes;
  memory.fill(scratch, 0, cBytes * 3);
  let p = x;
  for (let r0 = 0; r0 < rows; r0 += BN_BLOCK) {
    const r1 = min(rows, r0 + BN_BLOCK);
    for (let r = r0; r < r1; r++) {
      for (let k: usize = 0; k < cBytes; k += 16) v128.store(block + k, f32x4.add(v128.load(block + k), v128.load(p + k)));
      p += cBytes;
    }
    foldBlock(total, block, c);
  }
  for (let k = 0; k < c; k++) store<f32>(out + (<usize>k << 2), <f32>load<f64>(total + (<usize>k << 3)));
}
