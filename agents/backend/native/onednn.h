// oneDNN convolutions, where the addon was built against oneDNN (FAST_CPU_DNNL). Without it
// every function here says no and the callers take the OpenBLAS paths.
#pragma once

#include "conv.h"

namespace fast_cpu {

// Whether this build has oneDNN at all.
bool DnnlBuilt();
// Whether convolutions use oneDNN where the build has it (default on); for tests and benchmarks.
void SetDnnl(bool on);
// Whether a convolution of this geometry may go to oneDNN now.
bool DnnlApplies(const Conv& p);
// Each returns false, having touched nothing, when oneDNN has no primitive for the shape.
bool DnnlConvForwardRun(const Conv& p, const float* x, const float* w, const float* bias, int act,
                        float* out);
bool DnnlConvFilterGradRun(const Conv& p, const float* x, const float* dy, float* dw);
bool DnnlConvInputGradRun(const Conv& p, const float* dy, const float* w, float* dx);

}  // namespace fast_cpu
