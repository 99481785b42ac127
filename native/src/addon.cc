// The JavaScript face of the native kernels: each function takes typed arrays and numbers, checks the sizes it
// relies on (a wrong size from JavaScript must be an exception, never a write past a buffer) and runs one kernel.
#include <string>
#include <napi.h>
#include <dnnl.hpp>
#include "kernels.h"

namespace {

struct Args {
  const Napi::CallbackInfo &info;
  const char *fn;
  Napi::Error error(const std::string &what) const { return Napi::TypeError::New(info.Env(), std::string(fn) + ": " + what); }
  template <typename T>
  T *array(size_t i, size_t min, bool nullable = false) const {
    if (nullable && (info[i].IsNull() || info[i].IsUndefined())) return nullptr;
    if (!info[i].IsTypedArray()) throw error("argument " + std::to_string(i) + " must be a typed array");
    auto t = info[i].As<Napi::TypedArray>();
    const bool ok = std::is_same<T, double>::value ? t.TypedArrayType() == napi_float64_array
                                                     : t.TypedArrayType() == napi_float32_array;
    if (!ok) throw error("argument " + std::to_string(i) + " has the wrong element type");
    if (t.ElementLength() < min)
      throw error("argument " + std::to_string(i) + " holds " + std::to_string(t.ElementLength()) + " values, needs " + std::to_string(min));
    auto buf = t.ArrayBuffer();
    return reinterpret_cast<T *>(static_cast<uint8_t *>(buf.Data()) + t.ByteOffset());
  }
  const float *in(size_t i, size_t min, bool nullable = false) const { return array<float>(i, min, nullable); }
  float *out(size_t i, size_t min, bool nullable = false) const { return array<float>(i, min, nullable); }
  int64_t num(size_t i) const {
    if (!info[i].IsNumber()) throw error("argument " + std::to_string(i) + " must be a number");
    return info[i].As<Napi::Number>().Int64Value();
  }
  double real(size_t i) const { return info[i].As<Napi::Number>().DoubleValue(); }
  bool flag(size_t i) const { return info[i].ToBoolean().Value(); }
};

dw::ConvDims conv_dims(const Args &a, size_t i) {
  auto d = a.info[i].As<Napi::Array>();
  int64_t v[15];
  if (d.Length() != 15) throw a.error("conv dims must hold 15 numbers");
  for (uint32_t k = 0; k < 15; k++) v[k] = d.Get(k).As<Napi::Number>().Int64Value();
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
}

dw::PoolDims pool_dims(const Args &a, size_t i) {
  auto d = a.info[i].As<Napi::Array>();
  int64_t v[12];
  if (d.Length() != 12) throw a.error("pool dims must hold 12 numbers");
  for (uint32_t k = 0; k < 12; k++) v[k] = d.Get(k).As<Napi::Number>().Int64Value();
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
}

size_t in_size(const dw::ConvDims &d) { return d.n * d.ih * d.iw * d.ic; }
size_t out_size(const dw::ConvDims &d) { return d.n * d.oh * d.ow * d.oc; }
size_t w_size(const dw::ConvDims &d) { return d.kh * d.kw * d.ic * d.oc; }

#define KERNEL(name) Napi::Value name(const Napi::CallbackInfo &info)
#define ARGS Args a{info, __func__}

// convForward(x, w, bias|null, y, dims, relu)
KERNEL(convForward) {
  ARGS;
  auto d = conv_dims(a, 4);
  dw::conv_forward(d, a.in(0, in_size(d)), a.in(1, w_size(d)), a.in(2, d.oc, true), a.out(3, out_size(d)), a.flag(5));
  return info.Env().Undefined();
}
// convBackwardData(dy, w, dx, dims)
KERNEL(convBackwardData) {
  ARGS;
  auto d = conv_dims(a, 3);
  dw::conv_backward_data(d, a.in(0, out_size(d)), a.in(1, w_size(d)), a.out(2, in_size(d)));
  return info.Env().Undefined();
}
// convBackwardWeights(x, dy, dw, dims)
KERNEL(convBackwardWeights) {
  ARGS;
  auto d = conv_dims(a, 3);
  dw::conv_backward_weights(d, a.in(0, in_size(d)), a.in(1, out_size(d)), a.out(2, w_size(d)));
  return info.Env().Undefined();
}
// convImpl(dims): the implementation oneDNN chose
KERNEL(convImpl) {
  ARGS;
  return Napi::String::New(info.Env(), dw::conv_impl(conv_dims(a, 0)));
}
// matmul(transA, transB, m, n, k, a, b, c)
KERNEL(matmul) {
  ARGS;
  const int64_t m = a.num(2), n = a.num(3), k = a.num(4);
  dw::matmul(a.flag(0), a.flag(1), m, n, k, a.in(5, m * k), a.in(6, k * n), a.out(7, m * n));
  return info.Env().Undefined();
}
// biasAct(y, bias|null, rows, c, relu)
KERNEL(biasAct) {
  ARGS;
  const int64_t rows = a.num(2), c = a.num(3);
  dw::bias_act(a.out(0, rows * c), a.in(1, c, true), rows, c, a.flag(4));
  return info.Env().Undefined();
}
// bnMoments(x, rows, c, out: Float64Array 2c)
KERNEL(bnMoments) {
  ARGS;
  const int64_t rows = a.num(1), c = a.num(2);
  dw::bn_moments(a.in(0, rows * c), rows, c, a.array<double>(3, 2 * c));
  return info.Env().Undefined();
}
// bnNormalize(x, xhat, y, rows, c, mean, invStd, gamma, beta, relu)
KERNEL(bnNormalize) {
  ARGS;
  const int64_t rows = a.num(3), c = a.num(4);
  dw::bn_normalize(a.in(0, rows * c), a.out(1, rows * c), a.out(2, rows * c), rows, c, a.in(5, c), a.in(6, c), a.in(7, c), a.in(8, c),
                   a.flag(9));
  return info.Env().Undefined();
}
// bnGradSums(dy, xhat, y|null, rows, c, out: Float64Array 2c)
KERNEL(bnGradSums) {
  ARGS;
  const int64_t rows = a.num(3), c = a.num(4);
  dw::bn_grad_sums(a.in(0, rows * c), a.in(1, rows * c), a.in(2, rows * c, true), rows, c, a.array<double>(5, 2 * c));
  return info.Env().Undefined();
}
// bnGradApply(dy, xhat, y|null, dx, rows, c, meanG, meanGX, scale)
KERNEL(bnGradApply) {
  ARGS;
  const int64_t rows = a.num(4), c = a.num(5);
  dw::bn_grad_apply(a.in(0, rows * c), a.in(1, rows * c), a.in(2, rows * c, true), a.out(3, rows * c), rows, c, a.in(6, c), a.in(7, c),
                    a.in(8, c));
  return info.Env().Undefined();
}
// reluGrad(dy, y, out)
KERNEL(reluGrad) {
  ARGS;
  const int64_t size = info[0].As<Napi::TypedArray>().ElementLength();
  dw::relu_grad(a.in(0, size), a.in(1, size), a.out(2, size), size);
  return info.Env().Undefined();
}
// biasGrad(dy, rows, c, out)
KERNEL(biasGrad) {
  ARGS;
  const int64_t rows = a.num(1), c = a.num(2);
  dw::bias_grad(a.in(0, rows * c), rows, c, a.out(3, c));
  return info.Env().Undefined();
}
// reluBiasGrad(dy, y, dz, rows, c, db)
KERNEL(reluBiasGrad) {
  ARGS;
  const int64_t rows = a.num(3), c = a.num(4);
  dw::relu_bias_grad(a.in(0, rows * c), a.in(1, rows * c), a.out(2, rows * c), rows, c, a.out(5, c));
  return info.Env().Undefined();
}
// poolReluBiasGrad(y, dy, dz, db, n, h, w, c)
KERNEL(poolReluBiasGrad) {
  ARGS;
  const int64_t n = a.num(4), h = a.num(5), w = a.num(6), c = a.num(7);
  if (h % 2 || w % 2) throw a.error("height and width must be even");
  const int64_t size = n * h * w * c;
  dw::pool_relu_bias_grad(a.in(0, size), a.in(1, size / 4), a.out(2, size), a.out(3, c), n, h, w, c);
  return info.Env().Undefined();
}
// maxPool(x, y, dims)
KERNEL(maxPool) {
  ARGS;
  auto d = pool_dims(a, 2);
  dw::max_pool(d, a.in(0, d.n * d.h * d.w * d.c), a.out(1, d.n * d.oh * d.ow * d.c));
  return info.Env().Undefined();
}
// maxPoolGrad(x, dy, dx, dims)
KERNEL(maxPoolGrad) {
  ARGS;
  auto d = pool_dims(a, 3);
  dw::max_pool_grad(d, a.in(0, d.n * d.h * d.w * d.c), a.in(1, d.n * d.oh * d.ow * d.c), a.out(2, d.n * d.h * d.w * d.c));
  return info.Env().Undefined();
}
// dropout(x, y, mask, seed, step, layer, first, images, perImage, rate)
KERNEL(dropout) {
  ARGS;
  const int64_t images = a.num(7), per = a.num(8);
  auto u32 = [&](size_t i) { return static_cast<uint32_t>(static_cast<int64_t>(a.real(i))); };
  dw::dropout(a.in(0, images * per), a.out(1, images * per), a.out(2, images * per), u32(3), u32(4), u32(5), u32(6), images, per,
              a.real(9));
  return info.Env().Undefined();
}
// mul(a, b, out)
KERNEL(mul) {
  ARGS;
  const int64_t size = info[0].As<Napi::TypedArray>().ElementLength();
  dw::mul(a.in(0, size), a.in(1, size), a.out(2, size), size);
  return info.Env().Undefined();
}
// peakGflops(width, threads, iterations): the benchmarks' FMA peak
KERNEL(peakGflops) {
  ARGS;
  return Napi::Number::New(info.Env(), dw::peak_gflops(static_cast<int>(a.num(0)), static_cast<int>(a.num(1)), a.num(2)));
}
// setThreads(n)
KERNEL(setThreads) {
  ARGS;
  const int64_t n = a.num(0);
  if (n < 1 || n > 256) throw a.error("threads must be from 1 to 256");
  dw::set_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

const char *isa_name(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "SSE4.1";
    case dnnl_cpu_isa_avx: return "AVX";
    case dnnl_cpu_isa_avx2: return "AVX2";
    case dnnl_cpu_isa_avx2_vnni: return "AVX2-VNNI";
    case dnnl_cpu_isa_avx512_core: return "AVX-512";
    case dnnl_cpu_isa_avx512_core_vnni: return "AVX-512-VNNI";
    case dnnl_cpu_isa_avx512_core_bf16: return "AVX-512-BF16";
    case dnnl_cpu_isa_avx512_core_amx: return "AVX-512-AMX";
    default: return "other";
  }
}

// info(): { version, isa, avx2, threads }
KERNEL(info) {
  auto env = info.Env();
  const dnnl_version_t *v = dnnl_version();
  const dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
  auto out = Napi::Object::New(env);
  out.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("isa", isa_name(isa));
  // The ISA values are bit masks: AVX2's bits are a subset of every later x86 ISA's.
  out.Set("avx2", (static_cast<unsigned>(isa) & dnnl_cpu_isa_avx2) == dnnl_cpu_isa_avx2);
  out.Set("threads", dw::threads());
  return out;
}

/** oneDNN reports failures as C++ exceptions: they become JavaScript errors, never a crash. */
template <Napi::Value (*F)(const Napi::CallbackInfo &)>
Napi::Value guarded(const Napi::CallbackInfo &info) {
  try {
    return F(info);
  } catch (const Napi::Error &) {
    throw;
  } catch (const std::exception &e) {
    throw Napi::Error::New(info.Env(), std::string("native kernel failed: ") + e.what());
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#define EXPORT(name) exports.Set(#name, Napi::Function::New(env, guarded<name>, #name))
  EXPORT(convForward);
  EXPORT(convBackwardData);
  EXPORT(convBackwardWeights);
  EXPORT(convImpl);
  EXPORT(matmul);
  EXPORT(biasAct);
  EXPORT(bnMoments);
  EXPORT(bnNormalize);
  EXPORT(bnGradSums);
  EXPORT(bnGradApply);
  EXPORT(reluGrad);
  EXPORT(biasGrad);
  EXPORT(reluBiasGrad);
  EXPORT(poolReluBiasGrad);
  EXPORT(maxPool);
  EXPORT(maxPoolGrad);
  EXPORT(dropout);
  EXPORT(mul);
  EXPORT(peakGflops);
  EXPORT(setThreads);
  EXPORT(info);
  return exports;
}

}  // namespace

NODE_API_MODULE(digit_native, Init)
