// Native hot kernels for the `fast-cpu` TensorFlow.js backend: convolutions through
// oneDNN where the build found it, else block / im2col + OpenBLAS sgemm, batched matmul with a fused bias/ReLU epilogue, and a
// few bandwidth-bound elementwise loops. Every function reads and writes the
// Float32Arrays owned by the tfjs cpu backend directly, so no data is copied
// across the JS/C++ boundary; outputs are allocated by the caller in JS.

#include <napi.h>
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#ifdef FAST_CPU_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif

extern "C" {
// Declared by OpenBLAS but not by every cblas.h flavour.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#ifdef FAST_CPU_DNNL
// Debian's oneDNN runs on GNU OpenMP; the thread count is per calling thread.
void omp_set_num_threads(int num_threads);
#endif
}

namespace {

int g_threads = 1;
// Threads for the addon's own loops (im2col, col2im, elementwise), capped by g_threads.
// Default 1: these loops are memory-bound, and spawning helpers cost more in system
// time and stalls than they saved (measured: 50-150 ms of sys time per DQN update on
// a busy 2-core machine). FAST_CPU_LOOP_THREADS raises it.
int g_loop_threads = 1;
// Convolutions with kernel = 2 x stride take the block path (see BlockConvApplies);
// setBlockConv(false) forces im2col, so tests and benchmarks can compare the two.
bool g_block_conv = true;

// Splits [0, n) across g_loop_threads threads. Spawning threads costs tens of
// microseconds, so small ranges always run inline.
template <typename F>
void ParallelFor(int64_t n, int64_t minPerThread, F&& fn) {
  int t = static_cast<int>(
      std::min<int64_t>(std::min(g_threads, g_loop_threads), n / std::max<int64_t>(minPerThread, 1)));
  if (t <= 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(t - 1);
  int64_t chunk = (n + t - 1) / t;
  for (int i = 1; i < t; ++i) {
    int64_t b = i * chunk;
    int64_t e = std::min(n, b + chunk);
    if (b >= e) break;
    pool.emplace_back([&fn, b, e] { fn(b, e); });
  }
  fn(0, std::min(n, chunk));
  for (auto& th : pool) th.join();
}

struct Conv {
  int64_t n, h, w, c;      // input NHWC
  int64_t kh, kw, oc;      // filter HWIO
  int64_t oh, ow;          // output spatial size
  int64_t sh, sw, dh, dw;  // strides, dilations
  int64_t pt, pl;          // top/left padding
  int64_t K() const { return kh * kw * c; }
  int64_t rowsPerImage() const { return oh * ow; }
  // The filter window is exactly the input pixels in a row: im2col is the identity.
  bool pointwise() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
  }
};

// Columns for images [n0, n0 + cnt): one row of K = kh*kw*c values per output pixel,
// ordered (kh, kw, c) to match the HWIO filter flattened to [K, oc].
void Im2Col(const Conv& p, const float* x, int64_t n0, int64_t cnt, float* col) {
  const int64_t K = p.K();
  const int64_t rows = cnt * p.rowsPerImage();
  ParallelFor(rows, 256, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t img = n0 + r / p.rowsPerImage();
      int64_t pix = r % p.rowsPerImage();
      int64_t oy = pix / p.ow, ox = pix % p.ow;
      float* dst = col + r * K;
      const float* src = x + img * p.h * p.w * p.c;
      for (int64_t ky = 0; ky < p.kh; ++ky) {
        int64_t iy = oy * p.sh - p.pt + ky * p.dh;
        if (iy < 0 || iy >= p.h) {
          std::memset(dst, 0, sizeof(float) * p.kw * p.c);
          dst += p.kw * p.c;
          continue;
        }
        int64_t ix0 = ox * p.sw - p.pl;
        if (p.dw == 1 && ix0 >= 0 && ix0 + p.kw <= p.w) {
          // NHWC keeps a filter row's pixels adjacent: one copy instead of kw small ones.
          std::memcpy(dst, src + (iy * p.w + ix0) * p.c, sizeof(float) * p.kw * p.c);
          dst += p.kw * p.c;
          continue;
        }
        for (int64_t kx = 0; kx < p.kw; ++kx) {
          int64_t ix = ix0 + kx * p.dw;
          if (ix < 0 || ix >= p.w) {
            std::memset(dst, 0, sizeof(float) * p.c);
          } else {
            std::memcpy(dst, src + (iy * p.w + ix) * p.c, sizeof(float) * p.c);
          }
          dst += p.c;
        }
      }
    }
  });
}

// Scatter-adds columns back onto the input gradient. Threads own whole images so
// that overlapping windows never race.
void Col2Im(const Conv& p, const float* col, int64_t n0, int64_t cnt, float* dx) {
  const int64_t K = p.K();
  ParallelFor(cnt, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      float* img = dx + (n0 + i) * p.h * p.w * p.c;
      std::memset(img, 0, sizeof(float) * p.h * p.w * p.c);
      const float* srcImg = col + i * p.rowsPerImage() * K;
      for (int64_t oy = 0; oy < p.oh; ++oy) {
        for (int64_t ox = 0; ox < p.ow; ++ox) {
          const float* src = srcImg + (oy * p.ow + ox) * K;
          for (int64_t ky = 0; ky < p.kh; ++ky) {
            int64_t iy = oy * p.sh - p.pt + ky * p.dh;
            if (iy < 0 || iy >= p.h) {
              src += p.kw * p.c;
              continue;
            }
            int64_t ix0 = ox * p.sw - p.pl;
            if (p.dw == 1 && ix0 >= 0 && ix0 + p.kw <= p.w) {
              float* d = img + (iy * p.w + ix0) * p.c;
              const int64_t run = p.kw * p.c;
              for (int64_t j = 0; j < run; ++j) d[j] += src[j];
              src += run;
              continue;
            }
            for (int64_t kx = 0; kx < p.kw; ++kx) {
              int64_t ix = ix0 + kx * p.dw;
              if (ix >= 0 && ix < p.w) {
                float* d = img + (iy * p.w + ix) * p.c;
                for (int64_t ch = 0; ch < p.c; ++ch) d[ch] += src[ch];
              }
              src += p.c;
            }
          }
        }
      }
    }
  });
}

// Bounds the im2col scratch buffer (floats); larger batches are processed in chunks.
constexpr int64_t kMaxColFloats = int64_t{1} << 18;

std::vector<float>& Scratch(int64_t floats) {
  static thread_local std::vector<float> buf;
  if (static_cast<int64_t>(buf.size()) < floats) buf.resize(floats);
  return buf;
}

int64_t ImagesPerChunk(const Conv& p) {
  int64_t perImage = std::max<int64_t>(1, p.rowsPerImage() * p.K());
  return std::max<int64_t>(1, std::min<int64_t>(p.n, kMaxColFloats / perImage));
}

// act: 0 = none, 1 = relu.
void BiasAct(float* out, int64_t rows, int64_t cols, const float* bias, int act) {
  if (!bias && act == 0) return;
  ParallelFor(rows, 4096 / std::max<int64_t>(cols, 1) + 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* o = out + r * cols;
      if (bias) {
        for (int64_t j = 0; j < cols; ++j) o[j] += bias[j];
      }
      if (act == 1) {
        for (int64_t j = 0; j < cols; ++j) o[j] = o[j] > 0.f ? o[j] : 0.f;
      }
    }
  });
}

float* F32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
int64_t I64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

Conv ReadConv(const Napi::Object& o) {
  Conv p{};
  p.n = I64(o.Get("n"));
  p.h = I64(o.Get("h"));
  p.w = I64(o.Get("w"));
  p.c = I64(o.Get("c"));
  p.kh = I64(o.Get("kh"));
  p.kw = I64(o.Get("kw"));
  p.oc = I64(o.Get("oc"));
  p.oh = I64(o.Get("oh"));
  p.ow = I64(o.Get("ow"));
  p.sh = I64(o.Get("sh"));
  p.sw = I64(o.Get("sw"));
  p.dh = I64(o.Get("dh"));
  p.dw = I64(o.Get("dw"));
  p.pt = I64(o.Get("pt"));
  p.pl = I64(o.Get("pl"));
  return p;
}

// ---------------------------------------------------------------------------
// Convolutions whose kernel is twice their stride (DQN's 8x8/4 and 4x4/2), valid.
// Cut the input into stride-sized blocks ("space to depth"): each output pixel
// then reads a 2x2 window of blocks, and the filter splits into four quarters
// Wq (one per block of the window). One GEMM of the blocks by all four quarters,
//   P[block, q*F + f] = sum_j Xb[block, j] Wq[j, q*F + f],
// gives every partial sum, and an output pixel is the sum of four entries of P.
// Where im2col copies each input value k*k/(s*s) = 4 times into a column matrix
// with F = 16 or 32 columns (a skinny GEMM), the blocks are the input itself,
// merely reordered, and the GEMM is 4F wide: same arithmetic, far less memory
// traffic. The gradients follow the same layout (see the two functions below).
// ---------------------------------------------------------------------------

bool BlockConvApplies(const Conv& p) {
  return p.sh >= 2 && p.sw >= 2 && p.kh == 2 * p.sh && p.kw == 2 * p.sw && p.dh == 1 &&
         p.dw == 1 && p.pt == 0 && p.pl == 0 && p.oh > 0 && p.ow > 0 &&
         (p.oh + 1) * p.sh <= p.h && (p.ow + 1) * p.sw <= p.w;
}

struct BlockGeometry {
  int64_t bh, bw;  // blocks per image: (oh + 1) x (ow + 1)
  int64_t depth;   // values per block: sh * sw * c
  int64_t f, f4;   // output channels, and 4x that (the four filter quarters)
  int64_t blocks() const { return bh * bw; }
};

BlockGeometry BlockGeom(const Conv& p) {
  return BlockGeometry{p.oh + 1, p.ow + 1, p.sh * p.sw * p.c, p.oc, 4 * p.oc};
}

int64_t BlockImagesPerChunk(const Conv& p, const BlockGeometry& g) {
  int64_t perImage = g.blocks() * (g.depth + g.f4);
  return std::max<int64_t>(1, std::min<int64_t>(p.n, kMaxColFloats / perImage));
}

// Blocks of images [n0, n0 + cnt): row (i, by, bx), columns ordered (dy, dx, c).
// Within a block row dy, the dx and c values are adjacent in NHWC: one copy.
void ToBlocks(const Conv& p, const BlockGeometry& g, const float* x, int64_t n0, int64_t cnt,
              float* xb) {
  const int64_t run = p.sw * p.c;
  for (int64_t i = 0; i < cnt; ++i) {
    const float* img = x + (n0 + i) * p.h * p.w * p.c;
    for (int64_t by = 0; by < g.bh; ++by) {
      for (int64_t bx = 0; bx < g.bw; ++bx) {
        float* dst = xb + ((i * g.bh + by) * g.bw + bx) * g.depth;
        for (int64_t dy = 0; dy < p.sh; ++dy) {
          std::memcpy(dst + dy * run, img + ((by * p.sh + dy) * p.w + bx * p.sw) * p.c,
                      sizeof(float) * run);
        }
      }
    }
  }
}

// The inverse of ToBlocks for an input gradient: pixels no window reads stay 0.
void FromBlocks(const Conv& p, const BlockGeometry& g, const float* xb, int64_t n0, int64_t cnt,
                float* dx) {
  const int64_t run = p.sw * p.c;
  for (int64_t i = 0; i < cnt; ++i) {
    float* img = dx + (n0 + i) * p.h * p.w * p.c;
    std::memset(img, 0, sizeof(float) * p.h * p.w * p.c);
    for (int64_t by = 0; by < g.bh; ++by) {
      for (int64_t bx = 0; bx < g.bw; ++bx) {
        const float* src = xb + ((i * g.bh + by) * g.bw + bx) * g.depth;
        for (int64_t dy = 0; dy < p.sh; ++dy) {
          std::memcpy(img + ((by * p.sh + dy) * p.w + bx * p.sw) * p.c, src + dy * run,
                      sizeof(float) * run);
        }
      }
    }
  }
}

// Offsets of one filter row of F values in HWIO (first) and in Wq[(dy, dx, c), (q, f)]
// (second), with ky = qy*sh + dy, kx = qx*sw + dx and q = 2qy + qx, for every
// (qy, qx, dy, dx, c) in turn.
template <typename Fn>
void ForFilterRows(const Conv& p, const BlockGeometry& g, Fn&& fn) {
  for (int64_t qy = 0; qy < 2; ++qy)
    for (int64_t qx = 0; qx < 2; ++qx)
      for (int64_t dy = 0; dy < p.sh; ++dy)
        for (int64_t dx = 0; dx < p.sw; ++dx)
          for (int64_t c = 0; c < p.c; ++c)
            fn((((qy * p.sh + dy) * p.kw + qx * p.sw + dx) * p.c + c) * g.f,
               ((dy * p.sw + dx) * p.c + c) * g.f4 + (qy * 2 + qx) * g.f);
}

void FilterToQuarters(const Conv& p, const BlockGeometry& g, const float* w, float* wq) {
  ForFilterRows(p, g, [&](int64_t hwio, int64_t q) {
    std::memcpy(wq + q, w + hwio, sizeof(float) * g.f);
  });
}

void QuartersToFilter(const Conv& p, const BlockGeometry& g, const float* wq, float* w) {
  ForFilterRows(p, g, [&](int64_t hwio, int64_t q) {
    std::memcpy(w + hwio, wq + q, sizeof(float) * g.f);
  });
}

// dP[(i, by, bx), q*F + f] = dy[i, by - qy, bx - qx, f] (0 outside the output).
void OutputGradToBlocks(const Conv& p, const BlockGeometry& g, const float* dy, int64_t n0,
                        int64_t cnt, float* dp) {
  for (int64_t i = 0; i < cnt; ++i) {
    const float* img = dy + (n0 + i) * p.oh * p.ow * g.f;
    for (int64_t by = 0; by < g.bh; ++by) {
      for (int64_t bx = 0; bx < g.bw; ++bx) {
        float* row = dp + ((i * g.bh + by) * g.bw + bx) * g.f4;
        for (int64_t q = 0; q < 4; ++q) {
          const int64_t oy = by - q / 2, ox = bx - q % 2;
          float* dst = row + q * g.f;
          if (oy < 0 || oy >= p.oh || ox < 0 || ox >= p.ow) {
            std::memset(dst, 0, sizeof(float) * g.f);
          } else {
            std::memcpy(dst, img + (oy * p.ow + ox) * g.f, sizeof(float) * g.f);
          }
        }
      }
    }
  }
}

struct BlockScratch {
  std::vector<float> blocks, partial, quarters;
};

BlockScratch& BlockBuffers() {
  static thread_local BlockScratch s;
  return s;
}

float* Grow(std::vector<float>& v, int64_t floats) {
  if (static_cast<int64_t>(v.size()) < floats) v.resize(floats);
  return v.data();
}

// What one block-path call works with: its geometry, its chunk of images and this
// thread's scratch for blocks [chunk x blocks x depth], partial sums or their
// gradient [chunk x blocks x 4F] and the filter quarters [depth x 4F].
struct BlockRun {
  BlockGeometry g;
  int64_t chunk;
  float* blocks;
  float* partial;
  float* quarters;
};

BlockRun StartBlockRun(const Conv& p) {
  const BlockGeometry g = BlockGeom(p);
  const int64_t chunk = BlockImagesPerChunk(p, g);
  BlockScratch& s = BlockBuffers();
  return BlockRun{g, chunk, Grow(s.blocks, chunk * g.blocks() * g.depth),
                  Grow(s.partial, chunk * g.blocks() * g.f4), Grow(s.quarters, g.depth * g.f4)};
}

void BlockConvForward(const Conv& p, const float* x, const float* w, float* out) {
  const BlockRun r = StartBlockRun(p);
  const BlockGeometry& g = r.g;
  const int64_t chunk = r.chunk;
  float *xb = r.blocks, *part = r.partial, *wq = r.quarters;
  FilterToQuarters(p, g, w, wq);
  for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
    const int64_t cnt = std::min(chunk, p.n - n0);
    ToBlocks(p, g, x, n0, cnt, xb);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cnt * g.blocks(), g.f4, g.depth, 1.f,
                xb, g.depth, wq, g.f4, 0.f, part, g.f4);
    for (int64_t i = 0; i < cnt; ++i) {
      for (int64_t oy = 0; oy < p.oh; ++oy) {
        for (int64_t ox = 0; ox < p.ow; ++ox) {
          float* o = out + (((n0 + i) * p.oh + oy) * p.ow + ox) * g.f;
          const float* p00 = part + ((i * g.bh + oy) * g.bw + ox) * g.f4;
          const float* p01 = p00 + g.f4 + g.f;
          const float* p10 = p00 + g.bw * g.f4 + 2 * g.f;
          const float* p11 = p00 + (g.bw + 1) * g.f4 + 3 * g.f;
          for (int64_t f = 0; f < g.f; ++f) o[f] = (p00[f] + p01[f]) + (p10[f] + p11[f]);
        }
      }
    }
  }
}

// dWq = sum over images of Xb^T dP, then back to HWIO.
void BlockConvFilterGrad(const Conv& p, const float* x, const float* dy, float* dw) {
  const BlockRun r = StartBlockRun(p);
  const BlockGeometry& g = r.g;
  const int64_t chunk = r.chunk;
  float *xb = r.blocks, *dp = r.partial, *dwq = r.quarters;
  for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
    const int64_t cnt = std::min(chunk, p.n - n0);
    ToBlocks(p, g, x, n0, cnt, xb);
    OutputGradToBlocks(p, g, dy, n0, cnt, dp);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g.depth, g.f4, cnt * g.blocks(), 1.f, xb,
                g.depth, dp, g.f4, n0 == 0 ? 0.f : 1.f, dwq, g.f4);
  }
  QuartersToFilter(p, g, dwq, dw);
}

// dXb = dP Wq^T, then back to NHWC.
void BlockConvInputGrad(const Conv& p, const float* dy, const float* w, float* dx) {
  const BlockRun r = StartBlockRun(p);
  const BlockGeometry& g = r.g;
  const int64_t chunk = r.chunk;
  float *dxb = r.blocks, *dp = r.partial, *wq = r.quarters;
  FilterToQuarters(p, g, w, wq);
  for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
    const int64_t cnt = std::min(chunk, p.n - n0);
    OutputGradToBlocks(p, g, dy, n0, cnt, dp);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cnt * g.blocks(), g.depth, g.f4, 1.f, dp,
                g.f4, wq, g.f4, 0.f, dxb, g.depth);
    FromBlocks(p, g, dxb, n0, cnt, dx);
  }
}


#ifdef FAST_CPU_DNNL
// ---------------------------------------------------------------------------
// oneDNN convolutions. Where the addon was built against oneDNN (Apache-2.0; Debian's
// libdnnl-dev), convolutions go to its primitives, which pick kernels for the processor
// they run on (brgemm and JIT direct convolutions for AVX-512 / AVX2) and beat the block
// and im2col + sgemm paths above on DQN's shapes (bench:train measures the whole update).
// Layouts stay the caller's: NHWC activations, HWIO filters; a filter is reordered into
// the primitive's blocked layout on every call (it changes with every Adam step, and it
// is small). Primitives are built once per shape and thread. setDnnl(false) forces the
// paths above, so tests can compare the two.
// ---------------------------------------------------------------------------
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

bool DnnlApplies(const Conv& p) {
  return g_dnnl && p.n > 0 && p.oh > 0 && p.ow > 0 && p.dh >= 1 && p.dw >= 1 && p.pt >= 0 &&
         p.pl >= 0 && PadBottom(p) >= 0 && PadRight(p) >= 0;
}

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
// creation); such calls take the paths above from then on.
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
constexpr bool g_dnnl = false;
bool DnnlApplies(const Conv&) { return false; }
bool DnnlConvForwardRun(const Conv&, const float*, const float*, const float*, int, float*) {
  return false;
}
bool DnnlConvFilterGradRun(const Conv&, const float*, const float*, float*) { return false; }
bool DnnlConvInputGradRun(const Conv&, const float*, const float*, float*) { return false; }
#endif

// conv2d(params, x, filter, out, bias|null, act)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  Conv p = ReadConv(info[0].As<Napi::Object>());
  const float* x = F32(info[1]);
  const float* f = F32(info[2]);
  float* out = F32(info[3]);
  const float* bias = info[4].IsNull() || info[4].IsUndefined() ? nullptr : F32(info[4]);
  int act = static_cast<int>(I64(info[5]));
  const int64_t K = p.K();
  const int64_t rpi = p.rowsPerImage();
  if (!p.pointwise() && DnnlApplies(p) && DnnlConvForwardRun(p, x, f, bias, act, out)) {
    return info.Env().Undefined();
  }
  if (p.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p.n * rpi, p.oc, K, 1.f, x, K, f, p.oc,
                0.f, out, p.oc);
  } else if (g_block_conv && BlockConvApplies(p)) {
    BlockConvForward(p, x, f, out);
  } else {
    int64_t chunk = ImagesPerChunk(p);
    float* col = Scratch(chunk * rpi * K).data();
    for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
      int64_t cnt = std::min(chunk, p.n - n0);
      Im2Col(p, x, n0, cnt, col);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cnt * rpi, p.oc, K, 1.f, col, K, f,
                  p.oc, 0.f, out + n0 * rpi * p.oc, p.oc);
    }
  }
  BiasAct(out, p.n * rpi, p.oc, bias, act);
  return info.Env().Undefined();
}

// conv2dBackpropFilter(params, x, dy, dw): dW[K, oc] = col^T . dy
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  Conv p = ReadConv(info[0].As<Napi::Object>());
  const float* x = F32(info[1]);
  const float* dy = F32(info[2]);
  float* dw = F32(info[3]);
  const int64_t K = p.K();
  const int64_t rpi = p.rowsPerImage();
  if (p.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, p.oc, p.n * rpi, 1.f, x, K, dy, p.oc,
                0.f, dw, p.oc);
    return info.Env().Undefined();
  }
  if (DnnlApplies(p) && DnnlConvFilterGradRun(p, x, dy, dw)) return info.Env().Undefined();
  if (g_block_conv && BlockConvApplies(p)) {
    BlockConvFilterGrad(p, x, dy, dw);
    return info.Env().Undefined();
  }
  int64_t chunk = ImagesPerChunk(p);
  float* col = Scratch(chunk * rpi * K).data();
  for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
    int64_t cnt = std::min(chunk, p.n - n0);
    Im2Col(p, x, n0, cnt, col);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, p.oc, cnt * rpi, 1.f, col, K,
                dy + n0 * rpi * p.oc, p.oc, n0 == 0 ? 0.f : 1.f, dw, p.oc);
  }
  return info.Env().Undefined();
}

// conv2dBackpropInput(params, dy, filter, dx): dcol[M, K] = dy . W^T, then col2im
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  Conv p = ReadConv(info[0].As<Napi::Object>());
  const float* dy = F32(info[1]);
  const float* f = F32(info[2]);
  float* dx = F32(info[3]);
  const int64_t K = p.K();
  const int64_t rpi = p.rowsPerImage();
  if (p.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p.n * rpi, K, p.oc, 1.f, dy, p.oc, f, p.oc,
                0.f, dx, K);
    return info.Env().Undefined();
  }
  if (DnnlApplies(p) && DnnlConvInputGradRun(p, dy, f, dx)) return info.Env().Undefined();
  if (g_block_conv && BlockConvApplies(p)) {
    BlockConvInputGrad(p, dy, f, dx);
    return info.Env().Undefined();
  }
  int64_t chunk = ImagesPerChunk(p);
  float* col = Scratch(chunk * rpi * K).data();
  for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
    int64_t cnt = std::min(chunk, p.n - n0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cnt * rpi, K, p.oc, 1.f,
                dy + n0 * rpi * p.oc, p.oc, f, p.oc, 0.f, col, K);
    Col2Im(p, col, n0, cnt, dx);
  }
  return info.Env().Undefined();
}

// matmul(a, b, out, batch, batchA, batchB, m, n, k, transA, transB, bias|null, act)
// Batch index i reads a[i % batchA] and b[i % batchB], which is how tfjs
// broadcasts a batch of one.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const float* a = F32(info[0]);
  const float* b = F32(info[1]);
  float* out = F32(info[2]);
  int64_t batch = I64(info[3]);
  int64_t batchA = I64(info[4]);
  int64_t batchB = I64(info[5]);
  int64_t m = I64(info[6]);
  int64_t n = I64(info[7]);
  int64_t k = I64(info[8]);
  bool ta = info[9].As<Napi::Boolean>().Value();
  bool tb = info[10].As<Napi::Boolean>().Value();
  const float* bias = info[11].IsNull() || info[11].IsUndefined() ? nullptr : F32(info[11]);
  int act = static_cast<int>(I64(info[12]));
  int64_t lda = ta ? m : k;
  int64_t ldb = tb ? k : n;
  for (int64_t i = 0; i < batch; ++i) {
    const float* ai = a + (i % batchA) * m * k;
    const float* bi = b + (i % batchB) * k * n;
    float* oi = out + i * m * n;
    if (m == 1 && !ta) {
      // A row vector times a matrix: gemv avoids gemm's packing overhead. The
      // output may be a recycled buffer and some BLAS builds scale y by beta=0
      // as a multiply (NaN survives), so clear it first.
      std::memset(oi, 0, sizeof(float) * n);
      cblas_sgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, tb ? n : k, tb ? k : n, 1.f, bi,
                  ldb, ai, 1, 0.f, oi, 1);
    } else {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m,
                  n, k, 1.f, ai, lda, bi, ldb, 0.f, oi, n);
    }
  }
  BiasAct(out, batch * m, n, bias, act);
  return info.Env().Undefined();
}

// Elementwise kernels. Adam, ReLU gradients and bias broadcasting run over
// every parameter and activation each step; in JS each op costs several ns per
// element, here it is bandwidth-bound and split across threads.
enum BinaryOp { kAdd, kSub, kMul, kDiv, kMax, kMin, kSqDiff };
// How b (or a) is laid over the output: 0 same shape, 1 a is a scalar, 2 b is a
// scalar, 3 b repeats along the output's rows, 4 a repeats along the rows.
enum BroadcastMode { kSame, kScalarA, kScalarB, kRowB, kRowA };

template <BinaryOp OP>
inline float Apply(float a, float b) {
  if constexpr (OP == kAdd) return a + b;
  if constexpr (OP == kSub) return a - b;
  if constexpr (OP == kMul) return a * b;
  if constexpr (OP == kDiv) return a / b;
  // Math.max / Math.min semantics: NaN wins.
  if constexpr (OP == kMax) return (a != a || b != b) ? NAN : (a > b ? a : b);
  if constexpr (OP == kMin) return (a != a || b != b) ? NAN : (a < b ? a : b);
  if constexpr (OP == kSqDiff) return (a - b) * (a - b);
  return 0.f;
}

constexpr int64_t kMinElemsPerThread = int64_t{1} << 16;

template <BinaryOp OP>
void BinaryLoop(const float* a, const float* b, float* o, int64_t n, int mode, int64_t lb) {
  switch (mode) {
    case kSame:
      ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) o[i] = Apply<OP>(a[i], b[i]);
      });
      break;
    case kScalarA: {
      float av = a[0];
      ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) o[i] = Apply<OP>(av, b[i]);
      });
      break;
    }
    case kScalarB: {
      float bv = b[0];
      ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) o[i] = Apply<OP>(a[i], bv);
      });
      break;
    }
    case kRowB:
    case kRowA: {
      int64_t rows = n / lb;
      ParallelFor(rows, kMinElemsPerThread / lb + 1, [&](int64_t s, int64_t e) {
        for (int64_t r = s; r < e; ++r) {
          float* orow = o + r * lb;
          if (mode == kRowB) {
            const float* arow = a + r * lb;
            for (int64_t j = 0; j < lb; ++j) orow[j] = Apply<OP>(arow[j], b[j]);
          } else {
            const float* brow = b + r * lb;
            for (int64_t j = 0; j < lb; ++j) orow[j] = Apply<OP>(a[j], brow[j]);
          }
        }
      });
      break;
    }
  }
}

// binary(op, a, b, out, mode, rowLength)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(I64(info[0]));
  const float* a = F32(info[1]);
  const float* b = F32(info[2]);
  Napi::Float32Array outArr = info[3].As<Napi::Float32Array>();
  float* o = outArr.Data();
  int64_t n = static_cast<int64_t>(outArr.ElementLength());
  int mode = static_cast<int>(I64(info[4]));
  int64_t lb = std::max<int64_t>(1, I64(info[5]));
  switch (op) {
    case kAdd: BinaryLoop<kAdd>(a, b, o, n, mode, lb); break;
    case kSub: BinaryLoop<kSub>(a, b, o, n, mode, lb); break;
    case kMul: BinaryLoop<kMul>(a, b, o, n, mode, lb); break;
    case kDiv: BinaryLoop<kDiv>(a, b, o, n, mode, lb); break;
    case kMax: BinaryLoop<kMax>(a, b, o, n, mode, lb); break;
    case kMin: BinaryLoop<kMin>(a, b, o, n, mode, lb); break;
    case kSqDiff: BinaryLoop<kSqDiff>(a, b, o, n, mode, lb); break;
  }
  return info.Env().Undefined();
}

enum UnaryOp { kSqrt, kSquare, kRelu, kStep, kNeg, kAbs, kExp, kLog, kRsqrt };

template <UnaryOp OP>
void UnaryLoop(const float* x, float* o, int64_t n, float alpha) {
  ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      float v = x[i];
      if constexpr (OP == kSqrt) o[i] = std::sqrt(v);
      if constexpr (OP == kSquare) o[i] = v * v;
      // NaN passes through, as Math.max(0, NaN) does.
      if constexpr (OP == kRelu) o[i] = v < 0.f ? 0.f : v;
      if constexpr (OP == kStep) o[i] = v != v ? NAN : (v > 0.f ? 1.f : alpha);
      if constexpr (OP == kNeg) o[i] = -v;
      if constexpr (OP == kAbs) o[i] = std::fabs(v);
      if constexpr (OP == kExp) o[i] = static_cast<float>(std::exp(static_cast<double>(v)));
      if constexpr (OP == kLog) o[i] = static_cast<float>(std::log(static_cast<double>(v)));
      if constexpr (OP == kRsqrt) o[i] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(v)));
    }
  });
}

// unary(op, x, out, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(I64(info[0]));
  const float* x = F32(info[1]);
  Napi::Float32Array outArr = info[2].As<Napi::Float32Array>();
  float* o = outArr.Data();
  int64_t n = static_cast<int64_t>(outArr.ElementLength());
  float alpha = info[3].As<Napi::Number>().FloatValue();
  switch (op) {
    case kSqrt: UnaryLoop<kSqrt>(x, o, n, alpha); break;
    case kSquare: UnaryLoop<kSquare>(x, o, n, alpha); break;
    case kRelu: UnaryLoop<kRelu>(x, o, n, alpha); break;
    case kStep: UnaryLoop<kStep>(x, o, n, alpha); break;
    case kNeg: UnaryLoop<kNeg>(x, o, n, alpha); break;
    case kAbs: UnaryLoop<kAbs>(x, o, n, alpha); break;
    case kExp: UnaryLoop<kExp>(x, o, n, alpha); break;
    case kLog: UnaryLoop<kLog>(x, o, n, alpha); break;
    case kRsqrt: UnaryLoop<kRsqrt>(x, o, n, alpha); break;
  }
  return info.Env().Undefined();
}

// sumRows(x, out, rows, cols, leading): leading ? out[c] = sum_r x[r, c] : out[r] = sum_c x[r, c].
// Accumulates in double, as the JS cpu kernel does.
Napi::Value SumReduce(const Napi::CallbackInfo& info) {
  const float* x = F32(info[0]);
  float* o = F32(info[1]);
  int64_t rows = I64(info[2]);
  int64_t cols = I64(info[3]);
  bool leading = info[4].As<Napi::Boolean>().Value();
  if (leading) {
    std::vector<double> acc(cols, 0.0);
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * cols;
      for (int64_t c = 0; c < cols; ++c) acc[c] += row[c];
    }
    for (int64_t c = 0; c < cols; ++c) o[c] = static_cast<float>(acc[c]);
  } else {
    ParallelFor(rows, kMinElemsPerThread / std::max<int64_t>(cols, 1) + 1, [&](int64_t s, int64_t e) {
      for (int64_t r = s; r < e; ++r) {
        const float* row = x + r * cols;
        double acc = 0.0;
        for (int64_t c = 0; c < cols; ++c) acc += row[c];
        o[r] = static_cast<float>(acc);
      }
    });
  }
  return info.Env().Undefined();
}

// The loop on its own, its arrays declared unaliased: with seven pointers that might overlap the
// compiler would need more run-time overlap checks than it makes, and left the loop scalar
// (a divide, a square root and a divide per element). Vector divides and square roots round
// exactly as scalar ones do, so the result is the same bit for bit. Outputs come from the
// pool and never share memory with the inputs.
static void AdamLoop(const float* __restrict__ w, const float* __restrict__ g,
                     const float* __restrict__ m, const float* __restrict__ v,
                     float* __restrict__ wOut, float* __restrict__ mOut, float* __restrict__ vOut,
                     int64_t n, float b1, float c1, float b2, float c2, float lrT, float bc2,
                     float eps) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * c1;
    const float vi = v[i] * b2 + (gi * gi) * c2;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = w[i] - (mi * lrT) / (std::sqrt(vi / bc2) + eps);
  }
}

// adamStep(w, g, m, v, wOut, mOut, vOut, scalars): one Adam step over a variable in
// one pass, where the op-by-op form makes 13 passes and 13 kernel calls. scalars =
// [beta1, 1 - beta1, beta2, 1 - beta2, lr / (1 - beta1^t), 1 - beta2^t, epsilon],
// each already rounded to float32 as the op form's scalar tensors are. The
// arithmetic follows agents/dqn/adam.ts operation by operation, in float32, and
// the build keeps the compiler from fusing a multiply and an add (-ffp-contract=off),
// so the result is bit-identical to the op-by-op form on this backend:
//   m' = m b1 + g (1-b1); v' = v b2 + g^2 (1-b2); w' = w - m' lrT / (sqrt(v' / bc2) + eps)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  const float* w = F32(info[0]);
  const float* g = F32(info[1]);
  const float* m = F32(info[2]);
  const float* v = F32(info[3]);
  Napi::Float32Array wOutArr = info[4].As<Napi::Float32Array>();
  float* wOut = wOutArr.Data();
  float* mOut = F32(info[5]);
  float* vOut = F32(info[6]);
  const float* k = F32(info[7]);
  const float b1 = k[0], c1 = k[1], b2 = k[2], c2 = k[3], lrT = k[4], bc2 = k[5], eps = k[6];
  const int64_t n = static_cast<int64_t>(wOutArr.ElementLength());
  ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
    AdamLoop(w + s, g + s, m + s, v + s, wOut + s, mOut + s, vOut + s, e - s, b1, c1, b2, c2, lrT,
             bc2, eps);
  });
  return info.Env().Undefined();
}

// gatherStack4(f0, f1, f2, f3, lut, out, offset): interleaves four uint8 frames
// (oldest first) into one NHWC float32 stack at out[offset...], mapping each
// byte through lut (256 floats). The replay memory builds every sampled
// observation this way; in JS this pass was a sixth of the trainer's time.
Napi::Value GatherStack4(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* f[4];
  const size_t size = info[0].As<Napi::Uint8Array>().ElementLength();
  for (int c = 0; c < 4; ++c) {
    Napi::Uint8Array frame = info[c].As<Napi::Uint8Array>();
    if (frame.ElementLength() != size) {
      Napi::RangeError::New(env, "gatherStack4: frames differ in size").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    f[c] = frame.Data();
  }
  Napi::Float32Array lutArr = info[4].As<Napi::Float32Array>();
  Napi::Float32Array outArr = info[5].As<Napi::Float32Array>();
  const int64_t offset = I64(info[6]);
  if (lutArr.ElementLength() != 256 || offset < 0 ||
      static_cast<size_t>(offset) + 4 * size > outArr.ElementLength()) {
    Napi::RangeError::New(env, "gatherStack4: bad table or output range").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* lut = lutArr.Data();
  float* o = outArr.Data() + offset;
  const uint8_t *a = f[0], *b = f[1], *c = f[2], *d = f[3];
  for (size_t p = 0; p < size; ++p, o += 4) {
    o[0] = lut[a[p]];
    o[1] = lut[b[p]];
    o[2] = lut[c[p]];
    o[3] = lut[d[p]];
  }
  return env.Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int t = static_cast<int>(I64(info[0]));
  if (t < 1) t = 1;
  g_threads = t;
  openblas_set_num_threads(t);
#ifdef FAST_CPU_DNNL
  omp_set_num_threads(t);
#endif
  return info.Env().Undefined();
}

Napi::Value SetLoopThreads(const Napi::CallbackInfo& info) {
  g_loop_threads = std::max(1, static_cast<int>(I64(info[0])));
  return info.Env().Undefined();
}

Napi::Value SetBlockConv(const Napi::CallbackInfo& info) {
  g_block_conv = info[0].As<Napi::Boolean>().Value();
  return info.Env().Undefined();
}

// setDnnl(on): whether convolutions use oneDNN where the addon has it (default on).
Napi::Value SetDnnl(const Napi::CallbackInfo& info) {
#ifdef FAST_CPU_DNNL
  g_dnnl = info[0].As<Napi::Boolean>().Value();
#endif
  return info.Env().Undefined();
}

// Which optional libraries this build has and uses: { dnnl: boolean }.
Napi::Value Features(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
#ifdef FAST_CPU_DNNL
  o.Set("dnnl", Napi::Boolean::New(info.Env(), true));
#else
  o.Set("dnnl", Napi::Boolean::New(info.Env(), false));
#endif
  return o;
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), g_threads);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  g_threads = std::max(1, openblas_get_num_threads());
#ifdef FAST_CPU_DNNL
  omp_set_num_threads(g_threads);
#endif
  if (const char* loop = std::getenv("FAST_CPU_LOOP_THREADS")) g_loop_threads = std::max(1, std::atoi(loop));
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("sumReduce", Napi::Function::New(env, SumReduce));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  exports.Set("gatherStack4", Napi::Function::New(env, GatherStack4));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setLoopThreads", Napi::Function::New(env, SetLoopThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("setBlockConv", Napi::Function::New(env, SetBlockConv));
  exports.Set("setDnnl", Napi::Function::New(env, SetDnnl));
  exports.Set("features", Napi::Function::New(env, Features));
  return exports;
}

}  // namespace

NODE_API_MODULE(fast_cpu, Init)
