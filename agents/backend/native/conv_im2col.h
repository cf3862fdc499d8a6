// The general convolution path: im2col / col2im around one OpenBLAS sgemm per chunk of images.
#pragma once

#include "conv.h"

namespace fast_cpu {

void Im2ColConvForward(const Conv& p, const float* x, const float* filter, float* out);
void Im2ColConvFilterGrad(const Conv& p, const float* x, const float* dy, float* dw);
void Im2ColConvInputGrad(const Conv& p, const float* dy, const float* filter, float* dx);

}  // namespace fast_cpu
