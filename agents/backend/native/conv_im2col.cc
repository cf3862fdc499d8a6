#include "conv_im2col.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "threads.h"

namespace fast_cpu {

namespace {

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

std::vector<float>& Scratch(int64_t floats) {
  static thread_local std::vector<float> buf;
  if (static_cast<int64_t>(buf.size()) < floats) buf.resize(floats);
  return buf;
}

int64_t ImagesPerChunk(const Conv& p) {
  int64_t perImage = std::max<int64_t>(1, p.rowsPerImage() * p.K());
  return std::max<int64_t>(1, std::min<int64_t>(p.n, kMaxColFloats / perImage));
}

}  // namespace

void Im2ColConvForward(const Conv& p, const float* x, const float* f, float* out) {
  const int64_t K = p.K();
  const int64_t rpi = p.rowsPerImage();
  int64_t chunk = ImagesPerChunk(p);
  float* col = Scratch(chunk * rpi * K).data();
  for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
    int64_t cnt = std::min(chunk, p.n - n0);
    Im2Col(p, x, n0, cnt, col);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cnt * rpi, p.oc, K, 1.f, col, K, f,
                p.oc, 0.f, out + n0 * rpi * p.oc, p.oc);
  }
}

void Im2ColConvFilterGrad(const Conv& p, const float* x, const float* dy, float* dw) {
  const int64_t K = p.K();
  const int64_t rpi = p.rowsPerImage();
  int64_t chunk = ImagesPerChunk(p);
  float* col = Scratch(chunk * rpi * K).data();
  for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
    int64_t cnt = std::min(chunk, p.n - n0);
    Im2Col(p, x, n0, cnt, col);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, p.oc, cnt * rpi, 1.f, col, K,
                dy + n0 * rpi * p.oc, p.oc, n0 == 0 ? 0.f : 1.f, dw, p.oc);
  }
}

void Im2ColConvInputGrad(const Conv& p, const float* dy, const float* f, float* dx) {
  const int64_t K = p.K();
  const int64_t rpi = p.rowsPerImage();
  int64_t chunk = ImagesPerChunk(p);
  float* col = Scratch(chunk * rpi * K).data();
  for (int64_t n0 = 0; n0 < p.n; n0 += chunk) {
    int64_t cnt = std::min(chunk, p.n - n0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cnt * rpi, K, p.oc, 1.f,
                dy + n0 * rpi * p.oc, p.oc, f, p.oc, 0.f, col, K);
    Col2Im(p, col, n0, cnt, dx);
  }
}

}  // namespace fast_cpu
