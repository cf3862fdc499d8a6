#include "conv.h"

#include <cblas.h>

#include "conv_block.h"
#include "conv_im2col.h"
#include "elementwise.h"
#include "onednn.h"

namespace fast_cpu {

namespace {
// Convolutions with kernel = 2 x stride take the block path (see BlockConvApplies);
// setBlockConv(false) forces im2col, so tests and benchmarks can compare the two.
bool g_block_conv = true;
}  // namespace

void SetBlockConv(bool on) { g_block_conv = on; }

void ConvForward(const Conv& p, const float* x, const float* f, const float* bias, int act,
                 float* out) {
  if (!p.pointwise() && DnnlApplies(p) && DnnlConvForwardRun(p, x, f, bias, act, out)) return;
  if (p.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p.n * p.rowsPerImage(), p.oc, p.K(),
                1.f, x, p.K(), f, p.oc, 0.f, out, p.oc);
  } else if (g_block_conv && BlockConvApplies(p)) {
    BlockConvForward(p, x, f, out);
  } else {
    Im2ColConvForward(p, x, f, out);
  }
  BiasAct(out, p.n * p.rowsPerImage(), p.oc, bias, act);
}

void ConvFilterGrad(const Conv& p, const float* x, const float* dy, float* dw) {
  if (p.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p.K(), p.oc, p.n * p.rowsPerImage(), 1.f,
                x, p.K(), dy, p.oc, 0.f, dw, p.oc);
    return;
  }
  if (DnnlApplies(p) && DnnlConvFilterGradRun(p, x, dy, dw)) return;
  if (g_block_conv && BlockConvApplies(p)) {
    BlockConvFilterGrad(p, x, dy, dw);
    return;
  }
  Im2ColConvFilterGrad(p, x, dy, dw);
}

void ConvInputGrad(const Conv& p, const float* dy, const float* f, float* dx) {
  if (p.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p.n * p.rowsPerImage(), p.K(), p.oc, 1.f,
                dy, p.oc, f, p.oc, 0.f, dx, p.K());
    return;
  }
  if (DnnlApplies(p) && DnnlConvInputGradRun(p, dy, f, dx)) return;
  if (g_block_conv && BlockConvApplies(p)) {
    BlockConvInputGrad(p, dy, f, dx);
    return;
  }
  Im2ColConvInputGrad(p, dy, f, dx);
}

}  // namespace fast_cpu
