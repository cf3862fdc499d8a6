// Geometry of one NHWC convolution with an HWIO filter, and the three entry points that
// pick a path for it: oneDNN where the build has it, else the block path for kernels twice
// their stride, else im2col; a 1x1 convolution is a single GEMM on any path.
#pragma once

#include <cstdint>

namespace fast_cpu {

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

// Bounds the scratch buffers (floats) of the im2col and block paths; larger batches are
// processed in chunks of images.
constexpr int64_t kMaxColFloats = int64_t{1} << 18;

// The caller (bindings.cc) has checked the geometry and every array's length against it.
// act: 0 = none, 1 = relu, after the optional bias.
void ConvForward(const Conv& p, const float* x, const float* filter, const float* bias, int act,
                 float* out);
// dW[K, oc] = col^T . dy
void ConvFilterGrad(const Conv& p, const float* x, const float* dy, float* dw);
// dcol[M, K] = dy . W^T, then col2im
void ConvInputGrad(const Conv& p, const float* dy, const float* filter, float* dx);

// Whether kernels twice their stride take the block path (default) or im2col.
void SetBlockConv(bool on);

}  // namespace fast_cpu
