// The native kernels on flat float buffers (row-major, channels last, as tfjs lays tensors out). addon.cc binds
// them to JavaScript; conv.cc runs the convolutions on oneDNN, loops.cc holds the element-wise and small kernels.
#pragma once
#include <cstdint>

namespace dw {

/** A 2-D convolution's geometry: NHWC input and output, Keras kernel layout [kh, kw, in, out]. */
struct ConvDims {
  int64_t n, ih, iw, ic, oc, kh, kw, sh, sw, pt, pl, pb, pr, oh, ow;
};

void conv_forward(const ConvDims &d, const float *x, const float *w, const float *bias, float *y, bool relu);
void conv_backward_data(const ConvDims &d, const float *dy, const float *w, float *dx);
void conv_backward_weights(const ConvDims &d, const float *x, const float *dy, float *dw);
/** Row-major C = op(A) · op(B): A is M×K (K×M when transposed), B is K×N (N×K when transposed). */
void matmul(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c);
/** The implementation oneDNN picked for a convolution of these dims (e.g. "brgconv:avx512_core"), for logs. */
const char *conv_impl(const ConvDims &d);

void set_threads(int threads);
int threads();

/** Pooling geometry (valid or explicit padding), NHWC. */
struct PoolDims {
  int64_t n, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow;
};

void bias_act(float *y, const float *bias, int64_t rows, int64_t c, bool relu);
void bn_moments(const float *x, int64_t rows, int64_t c, double *out);
void bn_normalize(const float *x, float *xhat, float *y, int64_t rows, int64_t c, const float *mean, const float *inv_std,
                  const float *gamma, const float *beta, bool relu);
void bn_grad_sums(const float *dy, const float *xhat, const float *y, int64_t rows, int64_t c, double *out);
void bn_grad_apply(const float *dy, const float *xhat, const float *y, float *dx, int64_t rows, int64_t c, const float *mean_g,
                   const float *mean_gx, const float *scale);
void relu_grad(const float *dy, const float *y, float *out, int64_t size);
void bias_grad(const float *dy, int64_t rows, int64_t c, float *out);
void relu_bias_grad(const float *dy, const float *y, float *dz, int64_t rows, int64_t c, float *db);
void pool_relu_bias_grad(const float *y, const float *dy, float *dz, float *db, int64_t n, int64_t h, int64_t w, int64_t c);
void max_pool(const PoolDims &d, const float *x, float *y);
void max_pool_grad(const PoolDims &d, const float *x, const float *dy, float *dx);
void dropout(const float *x, float *y, float *mask, uint32_t seed, uint32_t step, uint32_t layer, uint32_t first, int64_t images,
             int64_t per_image, double rate);
void mul(const float *a, const float *b, float *out, int64_t size);
/** GFLOP/s of an FMA loop on `width`-bit vectors (256: AVX2, 512: AVX-512) on `threads` threads; 0 if unsupported. */
double peak_gflops(int width, int threads, int64_t iterations);

}  // namespace dw
