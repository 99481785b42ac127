// The element-wise and small kernels of the native set: BatchNorm's training passes, ReLU and bias gradients,
// max pooling, dropout. Hand-written because oneDNN has no kernel with tfjs's semantics for them (first maximum of
// a pooling window, the engine's own dropout stream, BatchNorm statistics pooled across replicas by the caller).
// Sums go through fixed blocks of rows added in block order, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#include "kernels.h"

#define HOT __attribute__((target_clones("avx512f", "avx2", "default")))

namespace dw {
namespace {

constexpr int64_t BLOCK_ROWS = 256;
/** Below this many values a loop is not worth waking the thread team for. */
constexpr int64_t PARALLEL_MIN = 1 << 15;

int64_t blocks_of(int64_t rows) { return (rows + BLOCK_ROWS - 1) / BLOCK_ROWS; }

/** partial[b·c + k] (one row of c doubles per block) added in block order into out[0..c). */
void fold(const std::vector<double> &partial, int64_t blocks, int64_t c, double *out) {
  std::fill(out, out + c, 0.0);
  for (int64_t b = 0; b < blocks; b++)
    for (int64_t k = 0; k < c; k++) out[k] += partial[b * c + k];
}

HOT void sum_rows(const float *x, int64_t r0, int64_t r1, int64_t c, double *acc) {
  std::vector<float> block(c, 0.f);
  for (int64_t r = r0; r < r1; r++) {
    const float *row = x + r * c;
    for (int64_t k = 0; k < c; k++) block[k] += row[k];
  }
  for (int64_t k = 0; k < c; k++) acc[k] = block[k];
}

HOT void sq_dev_rows(const float *x, int64_t r0, int64_t r1, int64_t c, const float *mean, double *acc) {
  std::vector<float> block(c, 0.f);
  for (int64_t r = r0; r < r1; r++) {
    const float *row = x + r * c;
    for (int64_t k = 0; k < c; k++) {
      const float d = row[k] - mean[k];
      block[k] += d * d;
    }
  }
  for (int64_t k = 0; k < c; k++) acc[k] = block[k];
}

HOT void grad_sum_rows(const float *dy, const float *xhat, const float *y, int64_t r0, int64_t r1, int64_t c, double *acc_g,
                       double *acc_gx) {
  std::vector<float> g(c, 0.f), gx(c, 0.f);
  for (int64_t r = r0; r < r1; r++) {
    const int64_t o = r * c;
    for (int64_t k = 0; k < c; k++) {
      const float v = (y && !(y[o + k] > 0.f)) ? 0.f : dy[o + k];
      g[k] += v;
      gx[k] += v * xhat[o + k];
    }
  }
  for (int64_t k = 0; k < c; k++) {
    acc_g[k] = g[k];
    acc_gx[k] = gx[k];
  }
}

uint32_t imul(uint32_t a, uint32_t b) { return a * b; }

/** engine/random.ts mixSeed: murmur3's finaliser after each word. Must stay bit-identical to it. */
uint32_t mix_seed(std::initializer_list<uint32_t> words) {
  uint32_t h = 0x9e3779b9u;
  for (uint32_t w : words) {
    h ^= w;
    h = imul(h ^ (h >> 16), 0x85ebca6bu);
    h = imul(h ^ (h >> 13), 0xc2b2ae35u);
    h ^= h >> 16;
  }
  return h;
}

/** shared/random.ts mulberry32, bit-identical. */
struct Mulberry32 {
  uint32_t a;
  double next() {
    a += 0x6d2b79f5u;
    uint32_t t = a;
    t = imul(t ^ (t >> 15), t | 1u);
    t ^= t + imul(t ^ (t >> 7), t | 61u);
    return static_cast<double>(t ^ (t >> 14)) / 4294967296.0;
  }
};

}  // namespace

HOT void bias_act(float *y, const float *bias, int64_t rows, int64_t c, bool relu) {
#pragma omp parallel for schedule(static) if (rows * c >= PARALLEL_MIN)
  for (int64_t r = 0; r < rows; r++) {
    float *row = y + r * c;
    if (bias)
      for (int64_t k = 0; k < c; k++) row[k] += bias[k];
    if (relu)
      for (int64_t k = 0; k < c; k++) row[k] = std::max(row[k], 0.f);
  }
}

void bn_moments(const float *x, int64_t rows, int64_t c, double *out) {
  const int64_t blocks = blocks_of(rows);
  std::vector<double> partial(blocks * c);
#pragma omp parallel for schedule(static) if (rows * c >= PARALLEL_MIN)
  for (int64_t b = 0; b < blocks; b++) sum_rows(x, b * BLOCK_ROWS, std::min(rows, (b + 1) * BLOCK_ROWS), c, &partial[b * c]);
  fold(partial, blocks, c, out);
  std::vector<float> mean(c);
  for (int64_t k = 0; k < c; k++) {
    out[k] /= static_cast<double>(rows);
    mean[k] = static_cast<float>(out[k]);
  }
#pragma omp parallel for schedule(static) if (rows * c >= PARALLEL_MIN)
  for (int64_t b = 0; b < blocks; b++)
    sq_dev_rows(x, b * BLOCK_ROWS, std::min(rows, (b + 1) * BLOCK_ROWS), c, mean.data(), &partial[b * c]);
  fold(partial, blocks, c, out + c);
}

HOT void bn_normalize(const float *x, float *xhat, float *y, int64_t rows, int64_t c, const float *mean, const float *inv_std,
                      const float *gamma, const float *beta, bool relu) {
  const float floor = relu ? 0.f : -std::numeric_limits<float>::infinity();
#pragma omp parallel for schedule(static) if (rows * c >= PARALLEL_MIN)
  for (int64_t r = 0; r < rows; r++) {
    const int64_t o = r * c;
    for (int64_t k = 0; k < c; k++) {
      const float h = (x[o + k] - mean[k]) * inv_std[k];
      xhat[o + k] = h;
      y[o + k] = std::max(h * gamma[k] + beta[k], floor);
    }
  }
}

void bn_grad_sums(const float *dy, const float *xhat, const float *y, int64_t rows, int64_t c, double *out) {
  const int64_t blocks = blocks_of(rows);
  std::vector<double> g(blocks * c), gx(blocks * c);
#pragma omp parallel for schedule(static) if (rows * c >= PARALLEL_MIN)
  for (int64_t b = 0; b < blocks; b++)
    grad_sum_rows(dy, xhat, y, b * BLOCK_ROWS, std::min(rows, (b + 1) * BLOCK_ROWS), c, &g[b * c], &gx[b * c]);
  fold(g, blocks, c, out);
  fold(gx, blocks, c, out + c);
}

HOT void bn_grad_apply(const float *dy, const float *xhat, const float *y, float *dx, int64_t rows, int64_t c, const float *mean_g,
                       const float *mean_gx, const float *scale) {
#pragma omp parallel for schedule(static) if (rows * c >= PARALLEL_MIN)
  for (int64_t r = 0; r < rows; r++) {
    const int64_t o = r * c;
    for (int64_t k = 0; k < c; k++) {
      const float g = (y && !(y[o + k] > 0.f)) ? 0.f : dy[o + k];
      dx[o + k] = (g - mean_g[k] - xhat[o + k] * mean_gx[k]) * scale[k];
    }
  }
}

HOT void relu_grad(const float *dy, const float *y, float *out, int64_t size) {
#pragma omp parallel for schedule(static) if (size >= PARALLEL_MIN)
  for (int64_t i = 0; i < size; i++) out[i] = y[i] > 0.f ? dy[i] : 0.f;
}

void bias_grad(const float *dy, int64_t rows, int64_t c, float *out) {
  const int64_t blocks = blocks_of(rows);
  std::vector<double> partial(blocks * c), sums(c);
#pragma omp parallel for schedule(static) if (rows * c >= PARALLEL_MIN)
  for (int64_t b = 0; b < blocks; b++) sum_rows(dy, b * BLOCK_ROWS, std::min(rows, (b + 1) * BLOCK_ROWS), c, &partial[b * c]);
  fold(partial, blocks, c, sums.data());
  for (int64_t k = 0; k < c; k++) out[k] = static_cast<float>(sums[k]);
}

void relu_bias_grad(const float *dy, const float *y, float *dz, int64_t rows, int64_t c, float *db) {
  relu_grad(dy, y, dz, rows * c);
  bias_grad(dz, rows, c, db);
}

HOT void pool_relu_bias_grad(const float *y, const float *dy, float *dz, float *db, int64_t n, int64_t h, int64_t w, int64_t c) {
  const int64_t ho = h / 2, wo = w / 2, row = w * c;
#pragma omp parallel for schedule(static) if (n * h * w * c >= PARALLEL_MIN)
  for (int64_t r = 0; r < n * ho; r++) {
    const float *g = dy + r * wo * c;
    for (int64_t ox = 0; ox < wo; ox++) {
      const int64_t a0 = r * 2 * row + 2 * ox * c;
      for (int64_t k = 0; k < c; k++) {
        const int64_t a = a0 + k, b = a + c, d = a + row, e = d + c;
        // First maximum in row-major window order (as MaxPoolGrad routes it); the ReLU passes it only when positive.
        int64_t at = a;
        if (y[b] > y[at]) at = b;
        if (y[d] > y[at]) at = d;
        if (y[e] > y[at]) at = e;
        dz[a] = dz[b] = dz[d] = dz[e] = 0.f;
        if (y[at] > 0.f) dz[at] = g[ox * c + k];
      }
    }
  }
  bias_grad(dz, n * h * w, c, db);
}

/** Calls `visit` with the offset of each input pixel in the window of output (oy, ox) of image n, row-major. */
template <typename Visit>
void for_window(const PoolDims &d, int64_t n, int64_t oy, int64_t ox, Visit visit) {
  for (int64_t ky = 0; ky < d.fh; ky++) {
    const int64_t iy = oy * d.sh - d.pt + ky;
    if (iy < 0 || iy >= d.h) continue;
    for (int64_t kx = 0; kx < d.fw; kx++) {
      const int64_t ix = ox * d.sw - d.pl + kx;
      if (ix >= 0 && ix < d.w) visit(((n * d.h + iy) * d.w + ix) * d.c);
    }
  }
}

void max_pool(const PoolDims &d, const float *x, float *y) {
#pragma omp parallel for schedule(static) if (d.n * d.oh * d.ow * d.c * d.fh * d.fw >= PARALLEL_MIN)
  for (int64_t r = 0; r < d.n * d.oh; r++) {
    for (int64_t ox = 0; ox < d.ow; ox++) {
      float *out = y + ((r * d.ow) + ox) * d.c;
      std::fill(out, out + d.c, -std::numeric_limits<float>::infinity());
      for_window(d, r / d.oh, r % d.oh, ox, [&](int64_t base) {
        for (int64_t k = 0; k < d.c; k++) out[k] = std::max(out[k], x[base + k]);
      });
    }
  }
}

void max_pool_grad(const PoolDims &d, const float *x, const float *dy, float *dx) {
  std::memset(dx, 0, sizeof(float) * d.n * d.h * d.w * d.c);
  // Images in parallel: windows of one image may overlap, so one image's gradient is added by one thread.
#pragma omp parallel for schedule(static) if (d.n * d.oh * d.ow * d.c * d.fh * d.fw >= PARALLEL_MIN)
  for (int64_t n = 0; n < d.n; n++) {
    std::vector<float> best(d.c);
    std::vector<int64_t> where(d.c);
    for (int64_t oy = 0; oy < d.oh; oy++) {
      for (int64_t ox = 0; ox < d.ow; ox++) {
        std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
        std::fill(where.begin(), where.end(), -1);
        // The first maximum in row-major order (a strict >), as tfjs routes the gradient.
        for_window(d, n, oy, ox, [&](int64_t base) {
          for (int64_t k = 0; k < d.c; k++) {
            if (x[base + k] > best[k]) {
              best[k] = x[base + k];
              where[k] = base + k;
            }
          }
        });
        const float *g = dy + ((n * d.oh + oy) * d.ow + ox) * d.c;
        for (int64_t k = 0; k < d.c; k++)
          if (where[k] >= 0) dx[where[k]] += g[k];
      }
    }
  }
}

void dropout(const float *x, float *y, float *mask, uint32_t seed, uint32_t step, uint32_t layer, uint32_t first, int64_t images,
             int64_t per_image, double rate) {
  const float keep = static_cast<float>(1.0 / (1.0 - rate));
#pragma omp parallel for schedule(static) if (images * per_image >= PARALLEL_MIN)
  for (int64_t n = 0; n < images; n++) {
    Mulberry32 rng{mix_seed({seed, 2u, step, layer, first + static_cast<uint32_t>(n)})};
    const int64_t base = n * per_image;
    for (int64_t i = 0; i < per_image; i++) {
      const float m = rng.next() < rate ? 0.f : keep;
      mask[base + i] = m;
      y[base + i] = x[base + i] * m;
    }
  }
}

HOT void mul(const float *a, const float *b, float *out, int64_t size) {
#pragma omp parallel for schedule(static) if (size >= PARALLEL_MIN)
  for (int64_t i = 0; i < size; i++) out[i] = a[i] * b[i];
}

}  // namespace dw
