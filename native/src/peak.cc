// The hardware's limit for the benchmarks (tests/bench/peak-flops.js): fused multiply-adds on 12 independent
// vector accumulators (enough to cover the FMA latency on current x86 cores), per thread of an OpenMP team.
#include <chrono>
#include <immintrin.h>
#include <omp.h>
#include "kernels.h"

namespace dw {
namespace {

// Each loop in a function compiled for its instruction set, so the intrinsics inline (a generic template would
// call them through the baseline ABI).
#define FMA_LOOP(V, FMA, SET1, STORE, LANES)                                   \
  V acc[12];                                                                   \
  for (int i = 0; i < 12; i++) acc[i] = SET1(0.f);                             \
  const V a = SET1(0.999999f), b = SET1(1e-7f);                                \
  for (int64_t it = 0; it < iterations; it++)                                  \
    for (int i = 0; i < 12; i++) acc[i] = FMA(acc[i], a, b);                   \
  alignas(64) float lanes[LANES];                                              \
  float out = 0.f;                                                             \
  for (int i = 0; i < 12; i++) {                                               \
    STORE(lanes, acc[i]);                                                      \
    out += lanes[0];                                                           \
  }                                                                            \
  return out;

__attribute__((target("avx2,fma"))) float run256(int64_t iterations) { FMA_LOOP(__m256, _mm256_fmadd_ps, _mm256_set1_ps, _mm256_store_ps, 8) }
__attribute__((target("avx512f"))) float run512(int64_t iterations) { FMA_LOOP(__m512, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_store_ps, 16) }

}  // namespace

double peak_gflops(int width, int threads, int64_t iterations) {
  if (width == 512 && !__builtin_cpu_supports("avx512f")) return 0;
  if (width == 256 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return 0;
  volatile float sink = 0;
  const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
  {
    const float r = width == 512 ? run512(iterations) : run256(iterations);
#pragma omp atomic
    sink += r;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double lanes = width / 32;
  return 2.0 * lanes * 12 * static_cast<double>(iterations) * threads / seconds / 1e9;
}

}  // namespace dw
