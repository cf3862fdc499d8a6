#include "conv_block.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

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

namespace fast_cpu {

bool BlockConvApplies(const Conv& p) {
  return p.sh >= 2 && p.sw >= 2 && p.kh == 2 * p.sh && p.kw == 2 * p.sw && p.dh == 1 &&
         p.dw == 1 && p.pt == 0 && p.pl == 0 && p.oh > 0 && p.ow > 0 &&
         (p.oh + 1) * p.sh <= p.h && (p.ow + 1) * p.sw <= p.w;
}

namespace {

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

}  // namespace

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

}  // namespace fast_cpu
