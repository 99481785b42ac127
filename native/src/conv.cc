// Convolutions and matrix products on oneDNN. Activations stay channels-last (oneDNN's nxc jit kernels take them
// as tfjs lays them out, so no reorder per layer); kernels are reordered from Keras' [kh, kw, in, out] into the
// layout each primitive asks for, which costs one small copy per call. Primitives are built once per shape and
// kept: building one JIT-compiles code (milliseconds), executing one is the step's real work.
#include <array>
#include <map>
#include <memory>
#include <omp.h>
#include <dnnl.hpp>
#include "kernels.h"

namespace dw {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine &cpu() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

/** Reorders `from` (a user buffer) into `into`'s layout when they differ; returns the memory to execute with. */
memory reordered(const memory::desc &want, const memory &from, std::unique_ptr<memory> &scratch, dnnl::stream &s) {
  if (want == from.get_desc()) return from;
  if (!scratch || scratch->get_desc() != want) scratch = std::make_unique<memory>(want, cpu());
  dnnl::reorder(from, *scratch).execute(s, const_cast<memory &>(from), *scratch);
  return *scratch;
}

struct Conv {
  memory::desc src, dst, user_w, bias;
  dnnl::convolution_forward::primitive_desc fwd_pd;
  dnnl::convolution_forward fwd;
  std::unique_ptr<dnnl::convolution_backward_data::primitive_desc> bwd_data_pd;
  std::unique_ptr<dnnl::convolution_backward_data> bwd_data;
  std::unique_ptr<dnnl::convolution_backward_weights::primitive_desc> bwd_w_pd;
  std::unique_ptr<dnnl::convolution_backward_weights> bwd_w;
  std::unique_ptr<memory> w_fwd, w_bwd, dw_scratch;
};

using Key = std::array<int64_t, 17>;
// One cache per thread: worker threads of one process may each train a replica, and a primitive's scratch
// buffers must not be shared between two calls at once.
thread_local std::map<Key, std::unique_ptr<Conv>> convs;

Conv &conv_for(const ConvDims &d, bool relu, bool has_bias) {
  Key key{d.n, d.ih, d.iw, d.ic, d.oc, d.kh, d.kw, d.sh, d.sw, d.pt, d.pl, d.pb, d.pr, d.oh, d.ow, relu, has_bias};
  auto found = convs.find(key);
  if (found != convs.end()) return *found->second;
  memory::desc src({d.n, d.ic, d.ih, d.iw}, dt::f32, tag::nhwc);
  memory::desc dst({d.n, d.oc, d.oh, d.ow}, dt::f32, tag::nhwc);
  memory::desc user_w({d.oc, d.ic, d.kh, d.kw}, dt::f32, tag::hwio);
  memory::desc any_w({d.oc, d.ic, d.kh, d.kw}, dt::f32, tag::any);
  memory::desc bias({d.oc}, dt::f32, tag::x);
  memory::dims strides{d.sh, d.sw}, pad_l{d.pt, d.pl}, pad_r{d.pb, d.pr};
  auto desc = has_bias
      ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src, any_w, bias,
                                        dst, strides, pad_l, pad_r)
      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src, any_w, dst,
                                        strides, pad_l, pad_r);
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  dnnl::convolution_forward::primitive_desc pd(desc, attr, cpu());
  auto conv = std::unique_ptr<Conv>(new Conv{src, dst, user_w, bias, pd, dnnl::convolution_forward(pd), {}, {}, {}, {}, {}, {}, {}});
  return *(convs[key] = std::move(conv));
}

/** The gradients share one forward description (no bias, no activation): the pass runs those separately. */
Conv &grads_for(const ConvDims &d) {
  Conv &c = conv_for(d, false, false);
  if (!c.bwd_w) {
    memory::desc any_w({d.oc, d.ic, d.kh, d.kw}, dt::f32, tag::any);
    memory::dims strides{d.sh, d.sw}, pad_l{d.pt, d.pl}, pad_r{d.pb, d.pr};
    dnnl::convolution_backward_data::desc data(dnnl::algorithm::convolution_direct, c.src, any_w, c.dst, strides, pad_l, pad_r);
    c.bwd_data_pd = std::make_unique<dnnl::convolution_backward_data::primitive_desc>(data, cpu(), c.fwd_pd);
    c.bwd_data = std::make_unique<dnnl::convolution_backward_data>(*c.bwd_data_pd);
    dnnl::convolution_backward_weights::desc weights(dnnl::algorithm::convolution_direct, c.src, any_w, c.dst, strides, pad_l, pad_r);
    c.bwd_w_pd = std::make_unique<dnnl::convolution_backward_weights::primitive_desc>(weights, cpu(), c.fwd_pd);
    c.bwd_w = std::make_unique<dnnl::convolution_backward_weights>(*c.bwd_w_pd);
  }
  return c;
}

memory user(const memory::desc &md, const float *p) { return memory(md, cpu(), const_cast<float *>(p)); }

}  // namespace

void conv_forward(const ConvDims &d, const float *x, const float *w, const float *bias, float *y, bool relu) {
  Conv &c = conv_for(d, relu, bias != nullptr);
  dnnl::stream s(cpu());
  memory wm = reordered(c.fwd_pd.weights_desc(), user(c.user_w, w), c.w_fwd, s);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, user(c.src, x)}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, user(c.dst, y)}};
  if (bias) args.insert({DNNL_ARG_BIAS, user(c.bias, bias)});
  c.fwd.execute(s, args);
  s.wait();
}

void conv_backward_data(const ConvDims &d, const float *dy, const float *w, float *dx) {
  Conv &c = grads_for(d);
  dnnl::stream s(cpu());
  memory wm = reordered(c.bwd_data_pd->weights_desc(), user(c.user_w, w), c.w_bwd, s);
  c.bwd_data->execute(s, {{DNNL_ARG_DIFF_DST, user(c.dst, dy)}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DIFF_SRC, user(c.src, dx)}});
  s.wait();
}

void conv_backward_weights(const ConvDims &d, const float *x, const float *dy, float *dw) {
  Conv &c = grads_for(d);
  dnnl::stream s(cpu());
  memory out = user(c.user_w, dw);
  const memory::desc want = c.bwd_w_pd->diff_weights_desc();
  const bool direct = want == c.user_w;
  if (!direct && (!c.dw_scratch || c.dw_scratch->get_desc() != want)) c.dw_scratch = std::make_unique<memory>(want, cpu());
  memory target = direct ? out : *c.dw_scratch;
  c.bwd_w->execute(s, {{DNNL_ARG_SRC, user(c.src, x)}, {DNNL_ARG_DIFF_DST, user(c.dst, dy)}, {DNNL_ARG_DIFF_WEIGHTS, target}});
  if (!direct) dnnl::reorder(target, out).execute(s, target, out);
  s.wait();
}

const char *conv_impl(const ConvDims &d) {
  return conv_for(d, false, true).fwd_pd.impl_info_str();
}

namespace {

/** A transposed operand is the same buffer read with swapped strides: no copy. */
memory::desc matrix(int64_t rows, int64_t cols, bool transposed) {
  return memory::desc({rows, cols}, dt::f32, transposed ? memory::dims{1, rows} : memory::dims{cols, 1});
}

struct Matmul {
  memory::desc a, b, c;
  dnnl::matmul prim;
};
thread_local std::map<std::array<int64_t, 5>, std::unique_ptr<Matmul>> matmuls;

}  // namespace

// oneDNN's matmul primitive rather than its sgemm entry point: dnnl_sgemm 2.6.3 corrupted the heap here on the
// thin shapes of a dense layer's weight gradient (3136×128 from a 64-image batch, glibc's check in its free).
void matmul(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c) {
  std::array<int64_t, 5> key{ta, tb, m, n, k};
  auto &slot = matmuls[key];
  if (!slot) {
    memory::desc ad = matrix(m, k, ta), bd = matrix(k, n, tb), cd = matrix(m, n, false);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(ad, bd, cd), cpu());
    slot = std::unique_ptr<Matmul>(new Matmul{ad, bd, cd, dnnl::matmul(pd)});
  }
  dnnl::stream s(cpu());
  slot->prim.execute(s, {{DNNL_ARG_SRC, user(slot->a, a)}, {DNNL_ARG_WEIGHTS, user(slot->b, b)}, {DNNL_ARG_DST, user(slot->c, c)}});
  s.wait();
}

void set_threads(int threads) { omp_set_num_threads(threads); }
int threads() { return omp_get_max_threads(); }

}  // namespace dw
