#include "onednn.h"

#ifdef FAST_CPU_DNNL
#include <oneapi/dnnl/dnnl.hpp>

#include <memory>
#include <tuple>
#include <unordered_map>

#include "threads.h"

extern "C" {
// Debian's oneDNN runs on GNU OpenMP; the thread count is per calling thread.
void omp_set_num_threads(int num_threads);
}
#endif

namespace fast_cpu {

#ifdef FAST_CPU_DNNL
// ---------------------------------------------------------------------------
// oneDNN convolutions. Where the addon was built against oneDNN (Apache-2.0; Debian's
// libdnnl-dev), convolutions go to its primitives, which pick kernels for the processor
// they run on (brgemm and JIT direct convolutions for AVX-512 / AVX2) and beat the block
// and im2col + sgemm paths (conv_block.cc, conv_im2col.cc) on DQN's shapes (bench:train measures the whole update).
// Layouts stay the caller's: NHWC activations, HWIO filters; a filter is reordered into
// the primitive's blocked layout on every call (it changes with every Adam step, and it
// is small). Primitives are built once per shape and thread. setDnnl(false) forces the
// OpenBLAS paths, so tests can compare the two.
// ---------------------------------------------------------------------------
namespace {

bool g_dnnl = true;

namespace dn = dnnl;
using dtag = dn::memory::format_tag;
using ddt = dn::memory::data_type;

struct DnnlContext {
  dn::engine eng{dn::engine::kind::cpu, 0};
  dn::stream strm{eng};
};

DnnlContext& Dnnl() {
  static thread_local DnnlContext ctx;
  return ctx;
}

int64_t PadBottom(const Conv& p) { return (p.oh - 1) * p.sh + (p.kh - 1) * p.dh + 1 - p.h - p.pt; }
int64_t PadRight(const Conv& p) { return (p.ow - 1) * p.sw + (p.kw - 1) * p.dw + 1 - p.w - p.pl; }

// What a primitive depends on: the geometry, the thread count, and for the forward pass
// bias and activation (packed into the last field).
using DnnlKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                           int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int>;

struct DnnlKeyHash {
  size_t operator()(const DnnlKey& k) const {
    size_t h = 0;
    std::apply([&h](auto... v) { ((h = h * 1000003u ^ std::hash<int64_t>{}(v)), ...); }, k);
    return h;
  }
};

DnnlKey KeyOf(const Conv& p, int variant) {
  return DnnlKey{p.n, p.h, p.w, p.c, p.kh, p.kw, p.oc, p.oh, p.ow, p.sh, p.sw, p.dh, p.dw,
                 p.pt, p.pl, variant};
}

struct DnnlGeometry {
  dn::memory::desc src, dst, filterUser, filterAny, bias;
  dn::memory::dims strides, dilates, padL, padR;
};

DnnlGeometry GeometryOf(const Conv& p) {
  return DnnlGeometry{
      dn::memory::desc({p.n, p.c, p.h, p.w}, ddt::f32, dtag::nhwc),
      dn::memory::desc({p.n, p.oc, p.oh, p.ow}, ddt::f32, dtag::nhwc),
      dn::memory::desc({p.oc, p.c, p.kh, p.kw}, ddt::f32, dtag::hwio),
      dn::memory::desc({p.oc, p.c, p.kh, p.kw}, ddt::f32, dtag::any),
      dn::memory::desc({p.oc}, ddt::f32, dtag::a),
      {p.sh, p.sw},
      {p.dh - 1, p.dw - 1},
      {p.pt, p.pl},
      {PadBottom(p), PadRight(p)},
  };
}

// The forward pass the backward primitives are built against (oneDNN asks for it as a hint).
dn::convolution_forward::primitive_desc HintOf(const DnnlGeometry& g, DnnlContext& ctx) {
  return dn::convolution_forward::primitive_desc(
      dn::convolution_forward::desc(dn::prop_kind::forward_training,
                                    dn::algorithm::convolution_direct, g.src, g.filterAny, g.dst,
                                    g.strides, g.dilates, g.padL, g.padR),
      ctx.eng);
}

// The caller's HWIO filter (or filter gradient) and, when the primitive wants another
// layout, the primitive's own copy with the reorder between the two: caller -> primitive
// for a filter the primitive reads, primitive -> caller for a gradient it writes.
struct DnnlFilter {
  dn::memory user, own;
  dn::reorder copy;
  bool reorders = false;
  bool read = true;
  const dn::memory& forPrimitive() const { return reorders ? own : user; }
  void setUser(float* data) { user.set_data_handle(data); }
  // Before the primitive for a filter it reads, after it for a gradient it writes.
  void sync(dn::stream& s) {
    if (!reorders) return;
    if (read) {
      copy.execute(s, user, own);
    } else {
      copy.execute(s, own, user);
    }
  }
};

DnnlFilter FilterFor(const DnnlGeometry& g, const dn::memory::desc& wanted, bool read,
                     DnnlContext& ctx) {
  DnnlFilter f;
  f.read = read;
  f.user = dn::memory(g.filterUser, ctx.eng, nullptr);
  f.reorders = wanted != g.filterUser;
  if (f.reorders) {
    f.own = dn::memory(wanted, ctx.eng);
    f.copy = read ? dn::reorder(f.user, f.own) : dn::reorder(f.own, f.user);
  }
  return f;
}

// User memories wrap the caller's arrays (handles set per call).
struct DnnlConvForward {
  dn::convolution_forward prim;
  dn::memory src, dst, bias;
  DnnlFilter filter;
};

struct DnnlConvFilterGrad {
  dn::convolution_backward_weights prim;
  dn::memory src, dy;
  DnnlFilter dw;
};

struct DnnlConvInputGrad {
  dn::convolution_backward_data prim;
  dn::memory dy, dx;
  DnnlFilter filter;
};

// A null entry records a shape oneDNN has no primitive for (it throws dnnl::error at
// creation); such calls take the OpenBLAS paths from then on.
template <typename T>
using DnnlCache = std::unordered_map<DnnlKey, std::unique_ptr<T>, DnnlKeyHash>;

template <typename T, typename Make>
T* Cached(DnnlCache<T>& cache, const DnnlKey& key, Make&& make) {
  auto it = cache.find(key);
  if (it != cache.end()) return it->second.get();
  std::unique_ptr<T> entry;
  try {
    entry = std::make_unique<T>(make());
  } catch (const dn::error&) {
    entry = nullptr;
  }
  return cache.emplace(key, std::move(entry)).first->second.get();
}

DnnlConvForward* ForwardFor(const Conv& p, bool hasBias, int act, int team) {
  static thread_local DnnlCache<DnnlConvForward> cache;
  return Cached(cache, KeyOf(p, team * 4 + (hasBias ? 2 : 0) + act), [&] {
    DnnlContext& ctx = Dnnl();
    const DnnlGeometry g = GeometryOf(p);
    dn::primitive_attr attr;
    if (act == 1) {
      dn::post_ops ops;
      ops.append_eltwise(1.f, dn::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    auto desc = hasBias ? dn::convolution_forward::desc(
                              dn::prop_kind::forward_training, dn::algorithm::convolution_direct,
                              g.src, g.filterAny, g.bias, g.dst, g.strides, g.dilates, g.padL, g.padR)
                        : dn::convolution_forward::desc(
                              dn::prop_kind::forward_training, dn::algorithm::convolution_direct,
                              g.src, g.filterAny, g.dst, g.strides, g.dilates, g.padL, g.padR);
    dn::convolution_forward::primitive_desc pd(desc, attr, ctx.eng);
    DnnlConvForward e{};
    e.prim = dn::convolution_forward(pd);
    e.src = dn::memory(g.src, ctx.eng, nullptr);
    e.dst = dn::memory(g.dst, ctx.eng, nullptr);
    e.bias = dn::memory(g.bias, ctx.eng, nullptr);
    e.filter = FilterFor(g, pd.weights_desc(), true, ctx);
    return e;
  });
}

DnnlConvFilterGrad* FilterGradFor(const Conv& p, int team) {
  static thread_local DnnlCache<DnnlConvFilterGrad> cache;
  return Cached(cache, KeyOf(p, team), [&] {
    DnnlContext& ctx = Dnnl();
    const DnnlGeometry g = GeometryOf(p);
    dn::convolution_backward_weights::primitive_desc pd(
        dn::convolution_backward_weights::desc(dn::algorithm::convolution_direct, g.src, g.filterAny,
                                               g.dst, g.strides, g.dilates, g.padL, g.padR),
        ctx.eng, HintOf(g, ctx));
    DnnlConvFilterGrad e{};
    e.prim = dn::convolution_backward_weights(pd);
    e.src = dn::memory(g.src, ctx.eng, nullptr);
    e.dy = dn::memory(g.dst, ctx.eng, nullptr);
    e.dw = FilterFor(g, pd.diff_weights_desc(), false, ctx);
    return e;
  });
}

DnnlConvInputGrad* InputGradFor(const Conv& p, int team) {
  static thread_local DnnlCache<DnnlConvInputGrad> cache;
  return Cached(cache, KeyOf(p, team), [&] {
    DnnlContext& ctx = Dnnl();
    const DnnlGeometry g = GeometryOf(p);
    dn::convolution_backward_data::primitive_desc pd(
        dn::convolution_backward_data::desc(dn::algorithm::convolution_direct, g.src, g.filterAny,
                                            g.dst, g.strides, g.dilates, g.padL, g.padR),
        ctx.eng, HintOf(g, ctx));
    DnnlConvInputGrad e{};
    e.prim = dn::convolution_backward_data(pd);
    e.dy = dn::memory(g.dst, ctx.eng, nullptr);
    e.dx = dn::memory(g.src, ctx.eng, nullptr);
    e.filter = FilterFor(g, pd.weights_desc(), true, ctx);
    return e;
  });
}

// Each call sets the OpenMP team size: the count is per calling thread, and worker
// threads (evaluation workers) would otherwise get one thread per core each. Small
// convolutions (acting on a batch of one: a few million multiply-adds) run on one
// thread, as OpenBLAS does below its threshold: a team costs more than it saves there.
// Returns the team size, part of each primitive's cache key: oneDNN sizes a primitive's
// work split and scratch for the thread count it is created under.
int SetDnnlTeam(const Conv& p) {
  const int64_t macs = p.n * p.oh * p.ow * p.oc * p.kh * p.kw * p.c;
  const int team = macs >= (int64_t{1} << 23) ? g_threads : 1;
  omp_set_num_threads(team);
  return team;
}

}  // namespace

bool DnnlBuilt() { return true; }

void SetDnnl(bool on) { g_dnnl = on; }

bool DnnlApplies(const Conv& p) {
  return g_dnnl && p.n > 0 && p.oh > 0 && p.ow > 0 && p.dh >= 1 && p.dw >= 1 && p.pt >= 0 &&
         p.pl >= 0 && PadBottom(p) >= 0 && PadRight(p) >= 0;
}

bool DnnlConvForwardRun(const Conv& p, const float* x, const float* w, const float* bias, int act,
                        float* out) {
  const int team = SetDnnlTeam(p);
  DnnlConvForward* entry = ForwardFor(p, bias != nullptr, act, team);
  if (!entry) return false;
  DnnlConvForward& e = *entry;
  dn::stream& s = Dnnl().strm;
  e.src.set_data_handle(const_cast<float*>(x));
  e.dst.set_data_handle(out);
  e.filter.setUser(const_cast<float*>(w));
  e.filter.sync(s);
  std::unordered_map<int, dn::memory> args{
      {DNNL_ARG_SRC, e.src}, {DNNL_ARG_WEIGHTS, e.filter.forPrimitive()}, {DNNL_ARG_DST, e.dst}};
  if (bias) {
    e.bias.set_data_handle(const_cast<float*>(bias));
    args.emplace(DNNL_ARG_BIAS, e.bias);
  }
  e.prim.execute(s, args);
  s.wait();
  return true;
}

bool DnnlConvFilterGradRun(const Conv& p, const float* x, const float* dy, float* dw) {
  const int team = SetDnnlTeam(p);
  DnnlConvFilterGrad* entry = FilterGradFor(p, team);
  if (!entry) return false;
  DnnlConvFilterGrad& e = *entry;
  dn::stream& s = Dnnl().strm;
  e.src.set_data_handle(const_cast<float*>(x));
  e.dy.set_data_handle(const_cast<float*>(dy));
  e.dw.setUser(dw);
  e.prim.execute(s, {{DNNL_ARG_SRC, e.src},
                     {DNNL_ARG_DIFF_DST, e.dy},
                     {DNNL_ARG_DIFF_WEIGHTS, e.dw.forPrimitive()}});
  e.dw.sync(s);
  s.wait();
  return true;
}

bool DnnlConvInputGradRun(const Conv& p, const float* dy, const float* w, float* dx) {
  const int team = SetDnnlTeam(p);
  DnnlConvInputGrad* entry = InputGradFor(p, team);
  if (!entry) return false;
  DnnlConvInputGrad& e = *entry;
  dn::stream& s = Dnnl().strm;
  e.dy.set_data_handle(const_cast<float*>(dy));
  e.dx.set_data_handle(dx);
  e.filter.setUser(const_cast<float*>(w));
  e.filter.sync(s);
  e.prim.execute(s, {{DNNL_ARG_DIFF_DST, e.dy},
                     {DNNL_ARG_WEIGHTS, e.filter.forPrimitive()},
                     {DNNL_ARG_DIFF_SRC, e.dx}});
  s.wait();
  return true;
}
#else
bool DnnlBuilt() { return false; }
void SetDnnl(bool) {}
bool DnnlApplies(const Conv&) { return false; }
bool DnnlConvForwardRun(const Conv&, const float*, const float*, const float*, int, float*) {
  return false;
}
bool DnnlConvFilterGradRun(const Conv&, const float*, const float*, float*) { return false; }
bool DnnlConvInputGradRun(const Conv&, const float*, const float*, float*) { return false; }
#endif

}  // namespace fast_cpu
